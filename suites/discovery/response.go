package discovery

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// issuedToken runs the client positive control and decodes the access token
// when it is a JWT; a non-JWT token makes the RFC 9068 checks N/A.
func issuedToken(ctx context.Context, e *check.Env) (*client.Transcript, map[string]json.RawMessage, map[string]any, *check.Result) {
	tr, bad := e.Token(ctx, check.Client)
	if bad != nil {
		return tr, nil, nil, bad
	}
	at := tr.AccessToken()
	parts := strings.Split(at, ".")
	if len(parts) != 3 {
		r := check.NA("the access token is not a JWT (RFC 9068 checks apply only to JWT access tokens)")
		return tr, nil, nil, &r
	}
	var hdr map[string]json.RawMessage
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	claims, ok := expect.JWTClaims(at)
	if err1 != nil || json.Unmarshal(hb, &hdr) != nil || !ok {
		r := check.NA("the access token is opaque to assay (not a decodable JWT)")
		return tr, nil, nil, &r
	}
	return tr, hdr, claims, nil
}

// gate runs the client carrier's once-per-run positive control before a
// negative probe (semantics.md §2): against a target that issues no tokens
// a rejection proves nothing, so the probe is ERROR, blocked by the
// control, never PASS or FAIL.
func gate(ctx context.Context, e *check.Env) *check.Result {
	return e.Gate(ctx, e.CarrierControl(check.Client))
}

// confirm turns a negative probe's FAIL into ERROR when the positive
// control right after it fails too (semantics.md §2).
func confirm(ctx context.Context, e *check.Env, broken check.Result) check.Result {
	ctr, issued, err := e.Control(ctx, check.Client)
	if err == nil && issued {
		return broken
	}
	out := check.Error("target stopped issuing tokens after this row (the positive control then got "+check.ControlAnswer(ctr, err)+"); the row itself saw: "+broken.Reason, broken.Exchanges...)
	if ctr != nil {
		out.Exchanges = append(out.Exchanges, ctr)
	}
	return out
}

// tokenProbe is a check of one property of the JWT access token the client
// positive control obtains; problem returns "" when the property holds.
func tokenProbe(c check.Check, problem func(e *check.Env, tr *client.Transcript, hdr map[string]json.RawMessage, claims map[string]any) string) check.Check {
	return jwtProbe(c, false, problem)
}

// profileProbe is a tokenProbe for the content RFC 9068 §2.2 requires: it
// applies to access tokens that claim the profile by typ at+jwt (§2.1:
// the type declares compliance), and is N/A for other JWTs.
func profileProbe(c check.Check, problem func(e *check.Env, tr *client.Transcript, hdr map[string]json.RawMessage, claims map[string]any) string) check.Check {
	return jwtProbe(c, true, problem)
}

// jwtProbe fills in c.Run: obtain an access token, skip a non-RFC 9068 token
// when only9068, and judge it with problem at the check's level.
func jwtProbe(c check.Check, only9068 bool, problem func(e *check.Env, tr *client.Transcript, hdr map[string]json.RawMessage, claims map[string]any) string) check.Check {
	lvl := c.Level
	c.Run = func(ctx context.Context, e *check.Env) check.Result {
		tr, hdr, claims, bad := issuedToken(ctx, e)
		if bad != nil {
			return *bad
		}
		if only9068 && !typedAT(hdr) {
			return check.NA(fmt.Sprintf("the access token is a JWT typed %q, not at+jwt, so it does not claim RFC 9068 (A-AT-01 reports the type)", hdrString(hdr, "typ")))
		}
		if why := problem(e, tr, hdr, claims); why != "" {
			return check.Broken(lvl, why, tr)
		}
		return check.Pass(tr)
	}
	return c
}

// typedAT reports a JOSE header typed at+jwt (RFC 9068 §2.1, with or
// without the application/ prefix, RFC 7515 §4.1.9).
func typedAT(h map[string]json.RawMessage) bool {
	typ := strings.ToLower(hdrString(h, "typ"))
	return typ == "at+jwt" || typ == "application/at+jwt"
}

func hdrString(h map[string]json.RawMessage, name string) string {
	var s string
	_ = json.Unmarshal(h[name], &s)
	return s
}

// responseChecks: RFC 6749 §5.1-5.2 response format and RFC 9068 JWT access tokens.
func responseChecks() []check.Check {
	return []check.Check{
		{ID: "A-TR-02", Level: check.MUST, Cite: cite("RFC6749-5.1"), Defect: defect.NoCacheControl,
			Title: "sends Cache-Control: no-store on token responses",
			Run: func(ctx context.Context, e *check.Env) check.Result {
				tr, bad := e.Token(ctx, check.Client)
				if bad != nil {
					return *bad
				}
				for _, v := range tr.Header.Values("Cache-Control") {
					for _, t := range oauth.SplitTokens(v) {
						if t == "no-store" {
							return check.Pass(tr)
						}
					}
				}
				return check.Broken(check.MUST, "token response lacks Cache-Control: no-store", tr)
			}},
		{ID: "A-TR-05", Level: check.MUST, Cite: cite("RFC6749-5.2"), Defect: defect.ErrorStatus500,
			Title: "answers a bad client assertion with a 400/401 JSON error carrying a registered code",
			Run: func(ctx context.Context, e *check.Env) check.Result {
				if bad := gate(ctx, e); bad != nil {
					return *bad
				}
				tr, err := e.Authenticate(ctx, e.Cast.A, assertion.FlipSignatureBit)
				if err != nil {
					return check.Error(err.Error(), tr)
				}
				v := expect.RejectClientOrRequest.Judge(tr, e)
				if len(v.Fail) > 0 {
					return confirm(ctx, e, check.Broken(check.MUST, strings.Join(v.Fail, "; "), tr))
				}
				for _, n := range v.Notes {
					return confirm(ctx, e, check.Broken(check.MUST, n, tr))
				}
				return check.Pass(tr)
			}},
		{ID: "A-TR-03", Level: check.SHOULD, Cite: cite("RFC6749-5.1"), Defect: defect.NoPragma,
			Title: "sends Pragma: no-cache on token responses",
			Run: func(ctx context.Context, e *check.Env) check.Result {
				tr, bad := e.Token(ctx, check.Client)
				if bad != nil {
					return *bad
				}
				if !strings.EqualFold(strings.TrimSpace(tr.Header.Get("Pragma")), "no-cache") {
					return check.Broken(check.SHOULD, "token response lacks Pragma: no-cache (RFC 6749 §5.1 asks for it; OAuth 2.1 drops it, so a warning)", tr)
				}
				return check.Pass(tr)
			}},
		{ID: "A-TR-06", Level: check.MUST, Cite: cite("RFC6749-5.2"), Defect: defect.ReflectInput,
			Title: "keeps error_description within the RFC 6749 character set when input is hostile",
			Run: func(ctx context.Context, e *check.Env) check.Result {
				if bad := gate(ctx, e); bad != nil {
					return *bad
				}
				tr, err := e.Authenticate(ctx, e.Cast.A, assertion.Header("kid", "\"<script>\\é\r\n"))
				if err != nil {
					return check.Error(err.Error(), tr)
				}
				v := expect.RejectClientOrRequest.Judge(tr, e)
				for _, f := range v.Fail {
					if strings.Contains(f, "U4") {
						return confirm(ctx, e, check.Broken(check.MUST, f, tr))
					}
				}
				if tr.Status == 200 {
					// kid is a hint (RFC 7515 §4.1.4): a server that tried the
					// client's keys had no error to show.
					return check.NA("the hostile-kid assertion was accepted (kid treated as a hint), so there was no error description to judge")
				}
				return check.Pass(tr)
			}},
		// RFC 9068 is opt-in: a JWT access token that is not typed at+jwt
		// breaks no rule, but follows no profile a resource server can
		// rely on either (RFC 8725 §3.11 explicit typing): SHOULD.
		tokenProbe(check.Check{ID: "A-AT-01", Level: check.SHOULD, Cite: cite("RFC9068-2.1", "RFC8725-3.11"), Defect: defect.AccessTokenUntyped,
			Title: "types JWT access tokens as at+jwt (RFC 9068)"},
			func(_ *check.Env, _ *client.Transcript, h map[string]json.RawMessage, _ map[string]any) string {
				if !typedAT(h) {
					return fmt.Sprintf("access token typ is %q, not at+jwt: the token does not follow RFC 9068", hdrString(h, "typ"))
				}
				return ""
			}),
		profileProbe(check.Check{ID: "A-AT-03", Level: check.MUST, Cite: cite("RFC9068-2.2"), Defect: defect.AccessTokenNoJTI,
			Title: "puts iss, exp, aud, sub, client_id, iat and jti in JWT access tokens"},
			func(_ *check.Env, _ *client.Transcript, _ map[string]json.RawMessage, c map[string]any) string {
				var missing []string
				for _, n := range []string{"iss", "exp", "aud", "sub", "client_id", "iat", "jti"} {
					if _, ok := c[n]; !ok {
						missing = append(missing, n)
					}
				}
				if len(missing) > 0 {
					return "access token lacks " + strings.Join(missing, ", ")
				}
				return ""
			}),
		profileProbe(check.Check{ID: "A-AT-04", Level: check.MUST, Cite: cite("RFC9068-2.2", "RFC9068-4"), Defect: defect.AccessTokenWrongIss,
			Title: "sets the access token iss to the metadata issuer exactly"},
			func(e *check.Env, _ *client.Transcript, _ map[string]json.RawMessage, c map[string]any) string {
				if iss, _ := c["iss"].(string); iss != e.Target.Issuer {
					return fmt.Sprintf("access token iss %q, want %q", iss, e.Target.Issuer)
				}
				return ""
			}),
		profileProbe(check.Check{ID: "A-AT-08", Level: check.MUST, Cite: cite("RFC9068-2.2"), Defect: defect.AccessTokenWrongSub,
			Title: "issues the access token to the authenticated client (client_id)"},
			func(e *check.Env, _ *client.Transcript, _ map[string]json.RawMessage, c map[string]any) string {
				// A missing client_id is A-AT-03's finding.
				if cid, ok := c["client_id"].(string); ok && cid != e.Cast.A.ID {
					return fmt.Sprintf("access token client_id %q, but client %q authenticated", cid, e.Cast.A.ID)
				}
				return ""
			}),
		{ID: "A-AT-07", Level: check.MUST, Cite: cite("RFC9068-2.1", "OIDC-Core-10.1"), Defect: defect.AccessTokenUnknownKid,
			Title: "signs JWT access tokens with a key from its jwks_uri that the kid names",
			Run: func(ctx context.Context, e *check.Env) check.Result {
				tr, hdr, _, bad := issuedToken(ctx, e)
				if bad != nil {
					return *bad
				}
				jtr, raws, bad := serverKeys(ctx, e)
				if bad != nil {
					return *bad
				}
				kid := hdrString(hdr, "kid")
				alg := hdrString(hdr, "alg")
				if alg == "" || strings.EqualFold(alg, "none") {
					return check.Broken(check.MUST, "access token alg is "+alg, tr)
				}
				for _, raw := range raws {
					var k jose.JSONWebKey
					if k.UnmarshalJSON(raw) != nil || (kid != "" && k.KeyID != kid) {
						continue
					}
					obj, err := jose.ParseSignedCompact(tr.AccessToken(), []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
					if err == nil {
						if _, err := obj.Verify(k.Key); err == nil {
							return check.Pass(tr, jtr)
						}
					}
				}
				return check.Broken(check.MUST, fmt.Sprintf("no key in jwks_uri with kid %q verifies the access token", kid), tr, jtr)
			}},
	}
}
