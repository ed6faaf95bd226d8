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
	"github.com/assayhq/assay/mockidp/profile"
	"github.com/assayhq/assay/suites/check"
)

// oidcProfiles are the profiles that read the OpenID Connect Discovery
// document and its REQUIRED members (FAPI 2.0 SP §5.3.2.1 item 1 wants both
// documents).
func oidcProfiles() []check.Profile {
	return profile.Where(func(r profile.Rules) bool { return r.OpenIDDiscovery })
}

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
		metaProbe(check.Check{ID: "A-MD-06", Level: check.MUST, Cite: cite("RFC8414-2", "RFC8414-3.2"), Defect: defect.MetadataNoResponseTypes,
			Title: "lists response_types_supported (omitted or empty without an authorization endpoint)"},
			func(_ *check.Env, m map[string]json.RawMessage) string {
				if noResponseTypes(m) {
					return ""
				}
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
		// token_endpoint_auth_methods_supported is OPTIONAL (RFC 8414 §2,
		// OIDC Discovery §3): a list without a working method misleads
		// clients (SHOULD), it breaks no MUST.
		{ID: "A-MD-10", Level: check.SHOULD, Cite: cite("RFC8414-2"), Defect: defect.MetadataNoPrivateKeyJWT,
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
					return check.NA("private_key_jwt did not issue a token here; A-JG-14 (the client control) reports why")
				}
				methods, ok := listMember(m, "token_endpoint_auth_methods_supported")
				if !ok {
					methods = []string{oauth.AuthClientSecretBasic} // RFC 8414 §2 default
				}
				if !has(methods, oauth.AuthPrivateKeyJWT) {
					return check.Broken(check.SHOULD, fmt.Sprintf("private_key_jwt issued a token but token_endpoint_auth_methods_supported is %v", methods), tr, ctr)
				}
				return check.Pass(tr, ctr)
			}},
		{ID: "A-MD-14", Level: check.MUST, Cite: cite("RFC8414-2.1"), Defect: defect.SignedMetadataNoIss,
			Title: "serves signed_metadata as a compact JWS with iss (self-attested: signed with a key from its jwks_uri)",
			Run:   signedMetadata},
	}
}

// signedMetadata checks RFC 8414 §2.1: signed_metadata "MUST be digitally
// signed or MACed using JSON Web Signature and MUST contain an iss
// (issuer) claim denoting the party attesting to the claims". Those two are
// the MUST. The text names no key: a third party may attest (its key is
// not the AS's) and a MAC needs a shared key, so only metadata the AS
// attests itself with a signature is verified, against its jwks_uri, and a
// failure there is a warning (consumers cannot verify it). Signed values
// that differ from the plain ones are notes (signed values win).
func signedMetadata(ctx context.Context, e *check.Env) check.Result {
	tr, m, bad := metadataDoc(ctx, e)
	if bad != nil {
		return *bad
	}
	raw, ok := strMember(m, "signed_metadata")
	if !ok {
		return check.NA("the metadata has no signed_metadata")
	}
	obj, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.ES256, jose.PS256, jose.RS256, jose.EdDSA, jose.ES384, jose.PS384, jose.RS384,
		jose.ES512, jose.PS512, jose.RS512, jose.HS256, jose.HS384, jose.HS512})
	if err != nil || len(obj.Signatures) != 1 {
		return check.Broken(check.MUST, "signed_metadata is not a compact JWS", tr)
	}
	var claims map[string]json.RawMessage
	if json.Unmarshal(obj.UnsafePayloadWithoutVerification(), &claims) != nil || claims == nil {
		return check.Broken(check.MUST, "signed_metadata claims are not a JSON object", tr)
	}
	iss, _ := strMember(claims, "iss")
	if iss == "" {
		return check.Broken(check.MUST, "signed_metadata has no iss claim (RFC 8414 §2.1)", tr)
	}
	res := check.Pass(tr)
	alg := obj.Signatures[0].Header.Algorithm
	self, _ := strMember(m, "issuer")
	switch {
	case strings.HasPrefix(alg, "HS"):
		res.Notes = append(res.Notes, "signed_metadata is MACed ("+alg+"): only a holder of the shared key can verify it; not judged")
	case iss != self && iss != e.Target.Issuer:
		res.Notes = append(res.Notes, fmt.Sprintf("signed_metadata is attested by %q, not this server: its key is that party's; not judged", iss))
	default:
		jtr, keys, bad := serverKeys(ctx, e)
		if bad != nil {
			return *bad
		}
		if !verifiesWithAny(obj, keys) {
			return check.Broken(check.SHOULD, "signed_metadata names this server as iss but no key in its jwks_uri verifies it: consumers cannot check it", tr, jtr)
		}
		res.Exchanges = append(res.Exchanges, jtr)
	}
	for k, v := range claims {
		if plain, ok := m[k]; ok && k != "iss" && !sameJSON(plain, v) {
			res.Notes = append(res.Notes, fmt.Sprintf("signed %s differs from the plain value (signed values take precedence)", k))
		}
	}
	return res
}

// verifiesWithAny reports whether a key of the set (the one named by kid,
// when the header has one) verifies obj.
func verifiesWithAny(obj *jose.JSONWebSignature, keys []json.RawMessage) bool {
	for _, rk := range keys {
		var k jose.JSONWebKey
		if k.UnmarshalJSON(rk) != nil || (obj.Signatures[0].Header.KeyID != "" && k.KeyID != obj.Signatures[0].Header.KeyID) {
			continue
		}
		if _, err := obj.Verify(k.Key); err == nil {
			return true
		}
	}
	return false
}

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// noResponseTypes reports whether the server supports no response type: it
// has no authorization_endpoint (RFC 8414 §2: REQUIRED unless no grant type
// uses it), so its response_types_supported has no element. RFC 8414 §2
// makes the member REQUIRED and §3.2 has a member with zero elements
// omitted; the texts disagree for this server, so A-MD-06 and A-MD-11 both
// accept either reading: the member omitted, or present as [].
func noResponseTypes(m map[string]json.RawMessage) bool {
	if _, ok := m["authorization_endpoint"]; ok {
		return false
	}
	raw, ok := m["response_types_supported"]
	if !ok {
		return true
	}
	var list []json.RawMessage
	return json.Unmarshal(raw, &list) == nil && list != nil && len(list) == 0
}
