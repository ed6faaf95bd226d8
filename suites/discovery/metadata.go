package discovery

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/suites/check"
)

// metadataChecks: RFC 8414 §2-3 and OpenID Connect Discovery 1.0 §3-4.
func metadataChecks() []check.Check {
	return []check.Check{
		{ID: "A-MD-01", Level: check.MUST, Cite: cite("RFC8414-3.1", "OIDC-Disc-4.1", "FAPI2-5.3.2.1"), Defect: defect.NoOAuthMetadata,
			Title: "publishes metadata at the RFC 8414 and OpenID well-known locations (both under FAPI2)", KillIn: []check.Profile{check.FAPI2},
			Run: func(ctx context.Context, e *check.Env) check.Result {
				oauthURL, err := oauth.OAuthMetadataURL(e.Target.Issuer)
				if err != nil {
					return check.Error("parse issuer: " + err.Error())
				}
				var trs []*client.Transcript
				found := map[string]bool{}
				for _, u := range []string{oauthURL, oauth.OIDCMetadataURL(e.Target.Issuer)} {
					tr, err := fetch(ctx, e, u)
					if err != nil {
						return check.Error(err.Error(), tr)
					}
					trs = append(trs, tr)
					var m map[string]any
					found[u] = tr.Status == http.StatusOK && json.Unmarshal(tr.Body, &m) == nil && m != nil
				}
				n := 0
				for _, ok := range found {
					if ok {
						n++
					}
				}
				switch {
				case n == 0:
					return check.Broken(check.MUST, "no metadata at either well-known location", trs...)
				case n == 1 && e.Profile == check.FAPI2:
					return check.Broken(check.MUST, "FAPI 2.0 SP §5.3.2.1 item 1 wants metadata at both RFC 8414 and OpenID locations; only one answers", trs...)
				}
				return check.Pass(trs...)
			}},
		{ID: "A-MD-02", Level: check.MUST, Cite: cite("RFC8414-3.2", "OIDC-Disc-4.2"), Defect: defect.MetadataNotJSON,
			Title: "serves metadata as 200 application/json holding a JSON object",
			Run: func(ctx context.Context, e *check.Env) check.Result {
				tr, _, bad := metadataDoc(ctx, e)
				if bad != nil {
					return *bad
				}
				if tr.MediaType() != "application/json" {
					return check.Broken(check.MUST, fmt.Sprintf("Content-Type %q, want application/json", tr.Header.Get("Content-Type")), tr)
				}
				return check.Pass(tr)
			}},
		metaProbe(check.Check{ID: "A-MD-03", Level: check.MUST, Cite: cite("RFC8414-3.3", "OIDC-Disc-4.3"), Defect: defect.MetadataIssuerSlash,
			Title: "returns an issuer identical to the one the URL was built from"},
			func(e *check.Env, m map[string]json.RawMessage) string {
				iss, _ := strMember(m, "issuer")
				if iss != e.Target.Issuer {
					return fmt.Sprintf("issuer %q differs from %q; RFC 8414 §3.3 says the metadata MUST NOT be used", iss, e.Target.Issuer)
				}
				return ""
			}),
		metaProbe(check.Check{ID: "A-MD-05", Level: check.MUST, Cite: cite("RFC8414-2", "OIDC-Disc-3"), Defect: defect.MetadataNoTokenEndpoint,
			Title: "lists an https token_endpoint"},
			func(_ *check.Env, m map[string]json.RawMessage) string {
				te, ok := strMember(m, "token_endpoint")
				if !ok {
					return "token_endpoint is missing"
				}
				if u, err := url.Parse(te); err != nil || u.Scheme != "https" {
					return fmt.Sprintf("token_endpoint %q is not an https URL", te)
				}
				return ""
			}),
		metaProbe(check.Check{ID: "A-MD-07", Level: check.MUST, Cite: cite("RFC8414-2"), Defect: defect.MetadataNoSigningAlgs,
			Title: "lists token_endpoint_auth_signing_alg_values_supported when JWT client authentication is offered"},
			func(_ *check.Env, m map[string]json.RawMessage) string {
				methods, _ := listMember(m, "token_endpoint_auth_methods_supported")
				if !has(methods, oauth.AuthPrivateKeyJWT) && !has(methods, oauth.AuthClientSecretJWT) {
					return ""
				}
				if algs, ok := listMember(m, "token_endpoint_auth_signing_alg_values_supported"); !ok || len(algs) == 0 {
					return "private_key_jwt or client_secret_jwt is listed but token_endpoint_auth_signing_alg_values_supported is missing"
				}
				return ""
			}),
		metaProbe(check.Check{ID: "A-MD-08", Level: check.MUST, Cite: cite("RFC8414-2", "OIDC-Disc-3"), Defect: defect.MetadataAdvertiseNone,
			Title: "does not list none in token_endpoint_auth_signing_alg_values_supported"},
			func(_ *check.Env, m map[string]json.RawMessage) string {
				algs, _ := listMember(m, "token_endpoint_auth_signing_alg_values_supported")
				for _, a := range algs {
					if strings.EqualFold(a, "none") {
						return "token_endpoint_auth_signing_alg_values_supported lists " + a
					}
				}
				return ""
			}),
		metaProbe(check.Check{ID: "A-MD-11", Level: check.MUST, Cite: cite("RFC8414-3.2", "OIDC-Disc-4.2"), Defect: defect.MetadataEmptyArray,
			Title: "omits metadata members with zero elements (response_types_supported [] allowed without an authorization endpoint)"},
			func(_ *check.Env, m map[string]json.RawMessage) string {
				var empty []string
				for k, v := range m {
					if k == "response_types_supported" && noResponseTypes(m) {
						continue // RFC 8414 §2 REQUIRED wins for this one (see noResponseTypes)
					}
					// Decoded, not compared as bytes: "[ ]" is empty too.
					var list []json.RawMessage
					if json.Unmarshal(v, &list) == nil && list != nil && len(list) == 0 {
						empty = append(empty, k)
					}
				}
				sort.Strings(empty)
				if len(empty) > 0 {
					return "members with zero elements: " + strings.Join(empty, ", ")
				}
				return ""
			}),
		// RFC 8414 §2 makes grant_types_supported OPTIONAL and sets no
		// accuracy rule: a list that hides a working grant misleads
		// clients (SHOULD), it breaks no MUST.
		{ID: "A-MD-09", Level: check.SHOULD, Cite: cite("RFC8414-2"), Defect: defect.MetadataNoGrantType,
			Title: "lists the jwt-bearer grant in grant_types_supported when the grant works",
			Run: func(ctx context.Context, e *check.Env) check.Result {
				if why := check.GrantUnavailable(e); why != "" {
					return check.NA(why)
				}
				tr, m, bad := metadataDoc(ctx, e)
				if bad != nil {
					return *bad
				}
				ctr, issued, err := e.Control(ctx, check.Grant)
				if err != nil {
					return check.Error(err.Error(), tr, ctr)
				}
				grants, _ := listMember(m, "grant_types_supported")
				if issued && !has(grants, e.Grant.URN) {
					return check.Broken(check.SHOULD, "the jwt-bearer grant issued a token but grant_types_supported does not list "+e.Grant.URN+" (omitted, it defaults to authorization_code and implicit)", tr, ctr)
				}
				if !issued {
					return check.NA("the jwt-bearer grant did not issue a token here; A-JG-01/grant (the grant control) reports why")
				}
				return check.Pass(tr, ctr)
			}},
	}
}

// metaProbe is a check of one property of the metadata document; problem
// returns "" when the property holds.
func metaProbe(c check.Check, problem func(e *check.Env, m map[string]json.RawMessage) string) check.Check {
	lvl := c.Level
	c.Run = func(ctx context.Context, e *check.Env) check.Result {
		tr, m, bad := metadataDoc(ctx, e)
		if bad != nil {
			return *bad
		}
		if why := problem(e, m); why != "" {
			return check.Broken(lvl, why, tr)
		}
		return check.Pass(tr)
	}
	return c
}
