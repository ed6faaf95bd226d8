package discovery

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/suites/check"
)

// serverKeys fetches the AS JWKS named by the metadata jwks_uri.
func serverKeys(ctx context.Context, e *check.Env) (*client.Transcript, []json.RawMessage, *check.Result) {
	if e.Meta.JWKSURI == "" {
		r := check.NA("the metadata has no jwks_uri")
		return nil, nil, &r
	}
	tr, err := fetch(ctx, e, e.Meta.JWKSURI)
	if err != nil {
		r := check.Error(err.Error(), tr)
		return tr, nil, &r
	}
	var doc struct {
		Keys *[]json.RawMessage `json:"keys"`
	}
	if tr.Status != 200 || json.Unmarshal(tr.Body, &doc) != nil || doc.Keys == nil {
		r := check.Broken(check.MUST, fmt.Sprintf("jwks_uri answered HTTP %d without a JSON object holding a keys array (RFC 7517 §5)", tr.Status), tr)
		return tr, nil, &r
	}
	return tr, *doc.Keys, nil
}

// jwksProbe is a check of one property of the AS key set; problem returns
// "" when the property holds.
func jwksProbe(c check.Check, problem func(keys []json.RawMessage) string) check.Check {
	lvl := c.Level
	c.Run = func(ctx context.Context, e *check.Env) check.Result {
		tr, ks, bad := serverKeys(ctx, e)
		if bad != nil {
			return *bad
		}
		if why := problem(ks); why != "" {
			return check.Broken(lvl, why, tr)
		}
		return check.Pass(tr)
	}
	return c
}

// jwksChecks: RFC 7517 §4-5, §9.2; RFC 7518 §3.3, §6.2.1; FAPI 2.0 SP §5.4.
func jwksChecks() []check.Check {
	return []check.Check{
		jwksProbe(check.Check{ID: "A-JW-01", Level: check.MUST, Cite: cite("RFC7517-5"), Defect: defect.JWKSNoKeysArray,
			Title: "serves its JWKS as a JSON object with a keys array"},
			func([]json.RawMessage) string { return "" }),
		jwksProbe(check.Check{ID: "A-JW-02", Level: check.MUST, Cite: cite("OIDC-Disc-3", "RFC7517-9.2"), Defect: defect.JWKSPrivateMembers,
			Title: "publishes no private or symmetric key material"},
			func(ks []json.RawMessage) string {
				for _, raw := range ks {
					var m map[string]any
					_ = json.Unmarshal(raw, &m)
					if m["kty"] == "oct" {
						return fmt.Sprintf("key %v is symmetric (kty oct)", m["kid"])
					}
					for _, p := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
						if _, ok := m[p]; ok {
							return fmt.Sprintf("key %v publishes private member %q", m["kid"], p)
						}
					}
				}
				return ""
			}),
		jwksProbe(check.Check{ID: "A-JW-04", Level: check.SHOULD, Cite: cite("RFC7517-4.5", "FAPI2-5.4.2"), Defect: defect.JWKSDuplicateKid,
			Title: "gives every key a distinct kid"},
			func(ks []json.RawMessage) string {
				seen := map[string]bool{}
				var dups []string
				for _, raw := range ks {
					var m struct {
						Kid string `json:"kid"`
					}
					_ = json.Unmarshal(raw, &m)
					if m.Kid != "" && seen[m.Kid] {
						dups = append(dups, m.Kid)
					}
					seen[m.Kid] = true
				}
				if len(dups) > 0 {
					return "duplicate kid: " + strings.Join(dups, ", ")
				}
				return ""
			}),
		jwksProbe(check.Check{ID: "A-JW-07", Level: check.MUST, Cite: cite("RFC7518-3.3", "RFC7518-6.2.1", "FAPI2-5.4.1"), Defect: defect.JWKSWeakKey,
			Title: "publishes only strong keys (RSA at least 2048 bits, odd e at least 3; EC points on their curve)"},
			func(ks []json.RawMessage) string {
				for _, raw := range ks {
					var k jose.JSONWebKey
					if err := k.UnmarshalJSON(raw); err != nil {
						var m map[string]any
						_ = json.Unmarshal(raw, &m)
						if m["kty"] == "RSA" || m["kty"] == "EC" {
							return fmt.Sprintf("key %v does not parse: %v", m["kid"], err)
						}
						continue // unknown kty values are ignored (RFC 7517 §5)
					}
					switch pk := k.Key.(type) {
					case *rsa.PublicKey:
						if pk.N.BitLen() < 2048 {
							return fmt.Sprintf("key %s is RSA-%d", k.KeyID, pk.N.BitLen())
						}
						if pk.E < 3 || pk.E%2 == 0 {
							return fmt.Sprintf("key %s has RSA exponent %d", k.KeyID, pk.E)
						}
					case *ecdsa.PublicKey:
						if pk.Curve.Params().BitSize < 224 {
							return fmt.Sprintf("key %s uses a curve below 224 bits", k.KeyID)
						}
					}
				}
				return ""
			}),
	}
}
