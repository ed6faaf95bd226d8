package discovery

import (
	"context"
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/suites/check"
)

// jwkMembers decodes one JWK into its members, or nil.
func jwkMembers(raw json.RawMessage) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return m
}

// signingOp reports whether a key_ops value goes with use sig (RFC 7517 §4.3).
func signingOp(op string) bool { return op == "sign" || op == "verify" }

// keysetChecks: RFC 7517 §4.1, §4.3, §4.7 and FAPI 2.0 SP §5.4.2 on the AS JWKS.
func keysetChecks() []check.Check {
	return []check.Check{
		jwksProbe(check.Check{ID: "A-JW-03", Level: check.MUST, Cite: cite("RFC7517-4.1"), Defect: defect.JWKSNoKty,
			Title: "gives every published key a kty"},
			func(ks []json.RawMessage) string {
				for i, raw := range ks {
					m := jwkMembers(raw)
					if kty, _ := m["kty"].(string); kty == "" {
						return fmt.Sprintf("key %d (kid %v) has no kty", i, m["kid"])
					}
				}
				return ""
			}),
		jwksProbe(check.Check{ID: "A-JW-05", Level: check.MUST, Cite: cite("RFC7517-4.3"), Defect: defect.JWKSUseKeyOpsConflict,
			Title: "keeps use and key_ops consistent when a key has both"},
			func(ks []json.RawMessage) string {
				for _, raw := range ks {
					m := jwkMembers(raw)
					use, hasUse := m["use"].(string)
					ops, hasOps := m["key_ops"].([]any)
					if !hasUse || !hasOps {
						continue
					}
					for _, op := range ops {
						s, _ := op.(string)
						if (use == "sig") != signingOp(s) {
							return fmt.Sprintf("key %v has use %q but key_ops %v", m["kid"], use, ops)
						}
					}
				}
				return ""
			}),
		jwksProbe(check.Check{ID: "A-MD-13.2", Level: check.MUST, Cite: cite("OIDC-Disc-3", "RFC7517-4.2"), Defect: defect.JWKSEncKeyWithoutUse,
			Title: "marks every key with use when it publishes both signing and encryption keys"},
			func(ks []json.RawMessage) string {
				enc, unmarked := false, []string{}
				for _, raw := range ks {
					m := jwkMembers(raw)
					use, ok := m["use"].(string)
					enc = enc || use == "enc"
					if !ok {
						unmarked = append(unmarked, fmt.Sprint(m["kid"]))
					}
				}
				if enc && len(unmarked) > 0 {
					return "the set holds an encryption key, but these keys have no use: " + strings.Join(unmarked, ", ")
				}
				return ""
			}),
		{ID: "A-JW-06", Level: check.MUST, Cite: cite("RFC7517-4.7", "OIDC-Disc-3"), Defect: defect.JWKSX5cMismatch,
			Title: "publishes x5c whose first certificate holds the key of its JWK", Run: x5cMatches},
		{ID: "A-JW-06.2", Level: check.MUST, Cite: cite("RFC7517-4.8", "RFC7517-4.9"), Defect: defect.JWKSX5tMismatch,
			Title: "publishes x5t and x5t#S256 that are the thumbprints of its x5c certificate", Run: x5tMatches},
		// FAPI 2.0 SP §5.4.2: jwks_uri over TLS is a shall, jku and x5u in
		// the server's own JWTs a should not; outside FAPI 2.0 no text
		// forbids either header to an issuer (RFC 8725 §3.10 is about
		// verifiers), so the row warns and A-MD-13 judges the https.
		{ID: "A-JW-09", Level: check.SHOULD, Cite: cite("FAPI2-5.4.2", "RFC8725-3.10"), Defect: defect.AccessTokenJKU,
			Title: "puts no jku or x5u in its own JWTs (FAPI2: and serves jwks_uri over TLS, a must)", Suite: "response",
			Run: func(ctx context.Context, e *check.Env) check.Result {
				if why := httpsOnly("jwks_uri", e.Meta.JWKSURI); e.Profile == check.FAPI2 && e.Meta.JWKSURI != "" && why != "" {
					return check.Broken(check.MUST, why)
				}
				tr, hdr, _, bad := issuedToken(ctx, e)
				if bad != nil {
					return *bad
				}
				for _, h := range []string{"jku", "x5u"} {
					if _, ok := hdr[h]; ok {
						return check.Broken(check.SHOULD, "the access token header carries "+h+": relying parties should not be asked to fetch keys from it", tr)
					}
				}
				return check.Pass(tr)
			}},
	}
}

// x5cMatches checks RFC 7517 §4.7: the key in the first x5c certificate
// is the key the JWK's other members describe.
func x5cMatches(ctx context.Context, e *check.Env) check.Result {
	return eachX5c(ctx, e, "no key in jwks_uri carries x5c", func(m map[string]any, chain []any) (string, bool) {
		return x5cProblem(m, chain), true
	})
}

// eachX5c walks the keys of the server's jwks_uri that carry an x5c array
// and judges each (judge: the problem, or "", and whether the key was
// judged at all): the first problem is a broken MUST; when no key was
// judged the row is N/A for none.
func eachX5c(ctx context.Context, e *check.Env, none string, judge func(m map[string]any, chain []any) (problem string, judged bool)) check.Result {
	tr, ks, bad := serverKeys(ctx, e)
	if bad != nil {
		return *bad
	}
	seen := false
	for _, raw := range ks {
		m := jwkMembers(raw)
		chain, ok := m["x5c"].([]any)
		if !ok {
			continue
		}
		why, judged := judge(m, chain)
		seen = seen || judged
		if why != "" {
			return check.Broken(check.MUST, why, tr)
		}
	}
	if !seen {
		return check.NA(none)
	}
	return check.Pass(tr)
}

// x5tMatches compares each key's x5t (SHA-1) and x5t#S256 (SHA-256) with
// the thumbprints of its first x5c certificate (RFC 7517 §4.8, §4.9): a
// verifier that picks keys by thumbprint must find the certificate the key
// came with. A thumbprint without x5c names a certificate assay cannot see.
func x5tMatches(ctx context.Context, e *check.Env) check.Result {
	return eachX5c(ctx, e, "no key in jwks_uri carries x5t or x5t#S256 next to x5c", func(m map[string]any, chain []any) (string, bool) {
		if len(chain) == 0 {
			return "", false
		}
		first, _ := chain[0].(string)
		der, err := base64.StdEncoding.DecodeString(first)
		if err != nil {
			return "", false // A-JW-06 judges the certificate itself
		}
		s1, s256 := sha1.Sum(der), sha256.Sum256(der) //nolint:gosec // x5t is defined as SHA-1
		judged := false
		for _, t := range []struct {
			name string
			want []byte
		}{{"x5t", s1[:]}, {"x5t#S256", s256[:]}} {
			got, ok := m[t.name].(string)
			if !ok {
				continue
			}
			judged = true
			if got != base64.RawURLEncoding.EncodeToString(t.want) {
				return fmt.Sprintf("key %v: %s %q is not the thumbprint of its x5c certificate (want %q)", m["kid"], t.name, got, base64.RawURLEncoding.EncodeToString(t.want)), true
			}
		}
		return "", judged
	})
}

func x5cProblem(m map[string]any, chain []any) string {
	if len(chain) == 0 {
		return fmt.Sprintf("key %v: x5c is an empty array (RFC 7517 §4.7: one or more certificates)", m["kid"])
	}
	first, _ := chain[0].(string)
	der, err := base64.StdEncoding.DecodeString(first) // x5c is base64, not base64url (RFC 7517 §4.7)
	if err != nil {
		return fmt.Sprintf("key %v: x5c[0] is not base64", m["kid"])
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Sprintf("key %v: x5c[0] is not a certificate: %v", m["kid"], err)
	}
	bare := map[string]any{}
	for k, v := range m {
		if k != "x5c" && k != "x5t" && k != "x5t#S256" {
			bare[k] = v
		}
	}
	b, _ := json.Marshal(bare)
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(b); err != nil {
		return fmt.Sprintf("key %v: the bare key members do not form a key: %v", m["kid"], err)
	}
	pub, ok := jwk.Key.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return fmt.Sprintf("key %v: the x5c certificate holds another key than the JWK", m["kid"])
	}
	return ""
}
