package discovery

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/suites/check"
)

// oidcProfiles are the profiles that read the OpenID Connect Discovery
// document and its REQUIRED members (FAPI 2.0 SP §5.3.2.1 item 1 wants both
// documents).
func oidcProfiles() []check.Profile { return []check.Profile{check.OIDC, check.OIDCE3, check.FAPI2} }

// httpsOnly returns why u is not an https URL, or "": RFC 8414 §2 asks only
// the https scheme of jwks_uri (the query and fragment rule is the issuer's).
func httpsOnly(member, u string) string {
	p, err := url.Parse(u)
	switch {
	case err != nil:
		return fmt.Sprintf("%s %q does not parse: %v", member, u, err)
	case p.Scheme != "https":
		return fmt.Sprintf("%s %q does not use https", member, u)
	}
	return ""
}

// httpsURL returns why u is not an https URL without query or fragment, or "".
func httpsURL(member, u string) string {
	if why := httpsOnly(member, u); why != "" {
		return why
	}
	p, _ := url.Parse(u)
	switch {
	case p.RawQuery != "" || p.ForceQuery:
		return fmt.Sprintf("%s %q has a query component", member, u)
	case p.Fragment != "" || strings.Contains(u, "#"):
		return fmt.Sprintf("%s %q has a fragment component", member, u)
	}
	return ""
}

// requireMembers returns why m lacks one of names, or "".
func requireMembers(m map[string]json.RawMessage, names ...string) string {
	var missing []string
	for _, n := range names {
		if _, ok := m[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return "metadata lacks REQUIRED " + strings.Join(missing, ", ")
	}
	return ""
}

// memberChecks: the REQUIRED and conditional members of RFC 8414 §2 and
// OpenID Connect Discovery 1.0 §3, and signed metadata (RFC 8414 §2.1).
func memberChecks() []check.Check {
	return []check.Check{
		metaProbe(check.Check{ID: "A-MD-04", Level: check.MUST, Cite: cite("RFC8414-2"), Defect: defect.MetadataIssuerQuery,
			Title: "publishes an https issuer without query or fragment"},
			func(_ *check.Env, m map[string]json.RawMessage) string {
				iss, ok := strMember(m, "issuer")
				if !ok {
					return "issuer is missing"
				}
				return httpsURL("issuer", iss)
			}),
		metaProbe(check.Check{ID: "A-MD-06", Level: check.MUST, Cite: cite("RFC8414-2"), Defect: defect.MetadataNoResponseTypes,
			Title: "lists response_types_supported"},
			func(_ *check.Env, m map[string]json.RawMessage) string {
				return requireMembers(m, "response_types_supported")
			}),
		metaProbe(check.Check{ID: "A-MD-06.2", Level: check.MUST, Cite: cite("OIDC-Disc-3"), Defect: defect.MetadataNoSubjectTypes, Profiles: oidcProfiles(),
			Title: "lists the OpenID REQUIRED members jwks_uri, subject_types_supported and id_token_signing_alg_values_supported with RS256 (FAPI2: without)"},
			func(e *check.Env, m map[string]json.RawMessage) string {
				if why := requireMembers(m, "jwks_uri", "subject_types_supported", "id_token_signing_alg_values_supported"); why != "" {
					return why
				}
				// FAPI2 §5.4.1 allows only PS256, ES256 and EdDSA.
				if algs, _ := listMember(m, "id_token_signing_alg_values_supported"); e.Profile != check.FAPI2 && !has(algs, "RS256") {
					return "id_token_signing_alg_values_supported does not include RS256 (OIDC Discovery §3)"
				}
				return ""
			}),
		metaProbe(check.Check{ID: "A-MD-13", Level: check.MUST, Cite: cite("RFC8414-2", "OIDC-Disc-3"), Defect: defect.MetadataJWKSURIHTTP,
			Title: "publishes an https jwks_uri"},
			func(_ *check.Env, m map[string]json.RawMessage) string {
				u, ok := strMember(m, "jwks_uri")
				if !ok {
					return "" // A-MD-06.2 reports a missing jwks_uri where it is REQUIRED
				}
				return httpsOnly("jwks_uri", u)
			}),
		metaProbe(check.Check{ID: "A-MD-15", Level: check.MUST, Cite: cite("BIS-4", "RFC8414-2"), Defect: defect.MetadataNoIssuer,
			Title: "has an issuer identifier (the precondition of the aud rules)"},
			func(_ *check.Env, m map[string]json.RawMessage) string {
				if iss, _ := strMember(m, "issuer"); iss == "" {
					return "metadata has no issuer"
				}
				return ""
			}),
		metaProbe(check.Check{ID: "A-SEC-02.2", Level: check.MUST, Cite: cite("FAPI2-5.3.2.1"), Defect: defect.AdvertiseAuthNone, Profiles: []check.Profile{check.FAPI2},
			Title: "does not offer token_endpoint_auth_method none (confidential clients only)"},
			func(_ *check.Env, m map[string]json.RawMessage) string {
				if methods, _ := listMember(m, "token_endpoint_auth_methods_supported"); has(methods, oauth.AuthNone) {
					return "token_endpoint_auth_methods_supported lists none"
				}
				return ""
			}),
		{ID: "A-MD-10", Level: check.MUST, Cite: cite("RFC8414-2"), Defect: defect.MetadataNoPrivateKeyJWT,
			Title: "lists private_key_jwt in token_endpoint_auth_methods_supported when it works",
			Run: func(ctx context.Context, e *check.Env) check.Result {
				tr, m, bad := metadataDoc(ctx, e)
				if bad != nil {
					return *bad
				}
				ctr, issued, err := e.Control(ctx, check.Client)
				if err != nil {
					return check.Error(err.Error(), tr, ctr)
				}
				if !issued {
					return check.NA("private_key_jwt did not issue a token here; the client assertion rows report why")
				}
				methods, ok := listMember(m, "token_endpoint_auth_methods_supported")
				if !ok {
					methods = []string{oauth.AuthClientSecretBasic} // RFC 8414 §2 default
				}
				if !has(methods, oauth.AuthPrivateKeyJWT) {
					return check.Broken(check.MUST, fmt.Sprintf("private_key_jwt issued a token but token_endpoint_auth_methods_supported is %v", methods), tr, ctr)
				}
				return check.Pass(tr, ctr)
			}},
		{ID: "A-MD-14", Level: check.MUST, Cite: cite("RFC8414-2.1"), Defect: defect.SignedMetadataNoIss,
			Title: "signs signed_metadata with a key from its jwks_uri and includes iss",
			Run:   signedMetadata},
	}
}

// signedMetadata checks RFC 8414 §2.1: signed_metadata is a JWS that
// verifies with a key of the AS JWKS and carries iss. Signed values that
// differ from the plain ones are reported as notes (signed values win).
func signedMetadata(ctx context.Context, e *check.Env) check.Result {
	tr, m, bad := metadataDoc(ctx, e)
	if bad != nil {
		return *bad
	}
	raw, ok := strMember(m, "signed_metadata")
	if !ok {
		return check.NA("the metadata has no signed_metadata")
	}
	jtr, keys, bad := serverKeys(ctx, e)
	if bad != nil {
		return *bad
	}
	obj, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.ES256, jose.PS256, jose.RS256, jose.EdDSA, jose.ES384, jose.PS384, jose.RS384})
	if err != nil || len(obj.Signatures) != 1 {
		return check.Broken(check.MUST, "signed_metadata is not a compact JWS", tr)
	}
	var payload []byte
	for _, rk := range keys {
		var k jose.JSONWebKey
		if k.UnmarshalJSON(rk) != nil || (obj.Signatures[0].Header.KeyID != "" && k.KeyID != obj.Signatures[0].Header.KeyID) {
			continue
		}
		if p, err := obj.Verify(k.Key); err == nil {
			payload = p
			break
		}
	}
	if payload == nil {
		return check.Broken(check.MUST, "no key in jwks_uri verifies signed_metadata", tr, jtr)
	}
	var claims map[string]json.RawMessage
	if json.Unmarshal(payload, &claims) != nil {
		return check.Broken(check.MUST, "signed_metadata claims are not a JSON object", tr, jtr)
	}
	if iss, _ := strMember(claims, "iss"); iss == "" {
		return check.Broken(check.MUST, "signed_metadata has no iss claim (RFC 8414 §2.1)", tr, jtr)
	}
	res := check.Pass(tr, jtr)
	for k, v := range claims {
		if plain, ok := m[k]; ok && k != "iss" && !sameJSON(plain, v) {
			res.Notes = append(res.Notes, fmt.Sprintf("signed %s differs from the plain value (signed values take precedence)", k))
		}
	}
	return res
}

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}
