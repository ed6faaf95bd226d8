package discovery

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// registeredTokenType reports whether tt names an OAuth access token type a
// token endpoint answers with (IANA registry: RFC 6750, RFC 9449, RFC 8693),
// compared case-insensitively as RFC 6749 §5.1 says.
func registeredTokenType(tt string) bool {
	for _, r := range []string{"Bearer", "DPoP", "N_A"} {
		if strings.EqualFold(tt, r) {
			return true
		}
	}
	return false
}

// scopes returns n scopes every client may request: the configured scope,
// else the first of scopes_supported; why is set when there are too few.
func scopes(e *check.Env, n int) (list []string, why string) {
	list = strings.Fields(e.Scope)
	if len(list) == 0 {
		list = e.Meta.ScopesSupported
	}
	if len(list) < n {
		return nil, fmt.Sprintf("needs %d scopes a client may request (config scope or scopes_supported)", n)
	}
	return list[:n], ""
}

// requestScope sends client A's client_credentials request with scope.
func requestScope(ctx context.Context, e *check.Env, scope string) (*client.Transcript, error) {
	jwt, err := e.ClientAssertion(e.Cast.A)
	if err != nil {
		return nil, err
	}
	return e.Post(ctx, check.ClientAuthForm(jwt).Add("scope", scope), nil)
}

// principal is the oracle of catalog.md §0.4: what the access token in tr
// was issued for. It asks RFC 7662 introspection when the metadata offers
// it, else decodes a JWT access token; ok is false when neither works. trs
// are the row's exchanges: tr, then the introspection's, if any.
func principal(ctx context.Context, e *check.Env, tr *client.Transcript) (claims map[string]any, trs []*client.Transcript, ok bool) {
	trs = []*client.Transcript{tr}
	at := tr.AccessToken()
	if u := e.Meta.IntrospectionEndpoint; u != "" {
		jwt, err := e.ClientAssertion(e.Cast.A)
		if err == nil {
			itr, err := e.HTTP.Do(ctx, client.Request{URL: u, Form: check.ClientAuthForm(jwt).Del("grant_type").Add("token", at)})
			trs = append(trs, itr)
			if m, jerr := itr.JSON(); err == nil && jerr == nil && itr.Status == http.StatusOK && m["active"] == true {
				return m, trs, true
			}
		}
	}
	claims, ok = expect.JWTClaims(at)
	return claims, trs, ok
}

// tokenResponseChecks: RFC 6749 §5.1 token responses and the principal the
// tokens name (RFC 9068 §2.2).
func tokenResponseChecks() []check.Check {
	return []check.Check{
		responseProbe(check.Check{ID: "A-TR-01", Level: check.MUST, Cite: cite("RFC6749-5.1"), Defect: defect.TokenResponseNoType,
			Title: "answers a valid request with 200 application/json holding access_token and token_type"},
			func(tr *client.Transcript, m map[string]any) string {
				if tr.MediaType() != "application/json" {
					return fmt.Sprintf("Content-Type %q, want application/json", tr.Header.Get("Content-Type"))
				}
				for _, n := range []string{"access_token", "token_type"} {
					if s, _ := m[n].(string); s == "" {
						return "token response has no " + n
					}
				}
				return ""
			}),
		responseProbe(check.Check{ID: "A-TR-04", Level: check.MUST, Cite: cite("RFC6749-5.1"), Defect: defect.ExpiresInString,
			Title: "sends expires_in as a JSON number"},
			func(_ *client.Transcript, m map[string]any) string {
				if v, ok := m["expires_in"]; ok {
					if _, num := v.(json.Number); !num {
						return fmt.Sprintf("expires_in is %T (%v), want a number", v, v)
					}
				}
				return ""
			}),
		responseProbe(check.Check{ID: "A-TR-07", Level: check.MUST, Cite: cite("RFC6749-5.1", "RFC6749-7.1"), Defect: defect.TokenTypeJWT,
			Title: "answers with a registered token_type, compared case-insensitively"},
			func(_ *client.Transcript, m map[string]any) string {
				tt, _ := m["token_type"].(string)
				if registeredTokenType(tt) {
					return ""
				}
				return fmt.Sprintf("token_type %q is not a registered access token type", tt)
			}),
		{ID: "A-TR-04.2", Level: check.MUST, Cite: cite("RFC6749-5.1", "RFC6749-3.3"), Defect: defect.NarrowScopeSilently,
			Title: "includes scope in the response when the granted scope differs from the request",
			Run: func(ctx context.Context, e *check.Env) check.Result {
				sc, why := scopes(e, 2)
				if why != "" {
					return check.NA(why)
				}
				want := strings.Join(sc, " ")
				tr, m, bad := issuedWith(ctx, e, want)
				if bad != nil {
					return *bad
				}
				if _, ok := m["scope"]; ok {
					return check.Pass(tr)
				}
				claims, trs, ok := principal(ctx, e, tr)
				if !ok {
					return check.NA("the response omits scope and the granted scope cannot be read (opaque token, no introspection)")
				}
				if got, _ := claims["scope"].(string); got != "" && !sameScope(got, want) {
					return check.Broken(check.MUST, fmt.Sprintf("scope %q requested, %q granted, and the response does not say so", want, got), trs...)
				}
				return check.Pass(trs...)
			}},
		tokenProbe(check.Check{ID: "A-AT-02", Level: check.MUST, Cite: cite("RFC9068-2.1"), Defect: defect.AccessTokenAlgNone,
			Title: "signs JWT access tokens (alg is not none)"},
			func(_ *check.Env, _ *client.Transcript, h map[string]json.RawMessage, _ map[string]any) string {
				if alg := hdrString(h, "alg"); alg == "" || strings.EqualFold(alg, "none") {
					return fmt.Sprintf("access token alg is %q: an unsigned token anyone can mint", alg)
				}
				return ""
			}),
		principalProbe(check.Check{ID: "A-AT-05", Level: check.SHOULD, Cite: cite("RFC9068-2.2", "RFC9700-4.15.1"), Carrier: check.Client, Defect: defect.AccessTokenWrongSub,
			Title: "issues client_credentials tokens with sub and client_id naming the client"},
			func(e *check.Env, c map[string]any) string {
				sub, _ := c["sub"].(string)
				cid, hasCID := c["client_id"].(string)
				if sub != e.Cast.A.ID || (hasCID && cid != e.Cast.A.ID) {
					return fmt.Sprintf("token for client %q has sub %q and client_id %q", e.Cast.A.ID, sub, cid)
				}
				return ""
			}),
		principalProbe(check.Check{ID: "A-AT-05.2", Level: check.SHOULD, Cite: cite("RFC9068-2.2", "RFC9700-4.15.1"), Carrier: check.Grant, Defect: defect.AccessTokenWrongSub,
			Title: "issues jwt-bearer grant tokens with sub naming the asserted user"},
			func(e *check.Env, c map[string]any) string {
				if sub, _ := c["sub"].(string); sub != e.GrantSubject() {
					return fmt.Sprintf("token for user %q has sub %q", e.GrantSubject(), sub)
				}
				return ""
			}),
		{ID: "A-AT-06", Level: check.SHOULD, Cite: cite("RFC9068-2.2.3"), Defect: defect.AccessTokenNoScope,
			Title: "puts the granted scope in the access token",
			Run: func(ctx context.Context, e *check.Env) check.Result {
				sc, why := scopes(e, 1)
				if why != "" {
					return check.NA(why)
				}
				tr, m, bad := issuedWith(ctx, e, sc[0])
				if bad != nil {
					return *bad
				}
				claims, trs, ok := principal(ctx, e, tr)
				if !ok {
					return check.NA("the access token is opaque and the target offers no introspection")
				}
				granted, _ := m["scope"].(string)
				if granted == "" {
					granted = sc[0]
				}
				if got, _ := claims["scope"].(string); !sameScope(got, granted) {
					return check.Broken(check.SHOULD, fmt.Sprintf("access token scope %q, granted %q", got, granted), trs...)
				}
				return check.Pass(trs...)
			}},
	}
}

// issuedWith requests a token with scope and decodes the response; a
// refusal is ERROR, since the scope rows need a token.
func issuedWith(ctx context.Context, e *check.Env, scope string) (*client.Transcript, map[string]any, *check.Result) {
	if b := e.Gate(ctx, e.CarrierControl(check.Client)); b != nil {
		return nil, nil, b
	}
	tr, err := requestScope(ctx, e, scope)
	if err != nil {
		r := check.Error(err.Error(), tr)
		return tr, nil, &r
	}
	m, jerr := tr.JSON()
	if tr.Status != http.StatusOK || jerr != nil {
		r := check.Error(fmt.Sprintf("a request for scope %q was refused: %s", scope, check.Refusal(tr)), tr)
		return tr, nil, &r
	}
	return tr, m, nil
}

func sameScope(a, b string) bool {
	x, y := strings.Fields(a), strings.Fields(b)
	if len(x) != len(y) {
		return false
	}
	set := map[string]bool{}
	for _, s := range x {
		set[s] = true
	}
	for _, s := range y {
		if !set[s] {
			return false
		}
	}
	return true
}

// responseProbe judges the body of the client positive control's token response.
func responseProbe(c check.Check, problem func(tr *client.Transcript, m map[string]any) string) check.Check {
	lvl := c.Level
	c.Run = func(ctx context.Context, e *check.Env) check.Result {
		if b := e.Gate(ctx, e.CarrierControl(check.Client)); b != nil {
			return *b
		}
		tr, err := e.Send(ctx, check.Client)
		if err != nil {
			return check.Error(err.Error(), tr)
		}
		if tr.Status != http.StatusOK {
			return check.Error("the positive control did not issue a token this time: "+check.Refusal(tr), tr)
		}
		m, err := tr.JSON()
		if err != nil {
			return check.Broken(lvl, "token response is not a JSON object", tr)
		}
		if why := problem(tr, m); why != "" {
			return check.Broken(lvl, why, tr)
		}
		return check.Pass(tr)
	}
	return c
}

// principalProbe runs the positive control of the check's carrier and
// judges whom the token was issued for (RFC 9068 §2.2; RFC 9700 §4.15.1),
// through the principal oracle.
func principalProbe(pc check.Check, problem func(e *check.Env, claims map[string]any) string) check.Check {
	c, lvl := pc.Carrier, pc.Level
	pc.Run = func(ctx context.Context, e *check.Env) check.Result {
		if c == check.Grant {
			if why := check.GrantUnavailable(e); why != "" {
				return check.NA(why)
			}
		} else if why := check.ClientUnavailable(e); why != "" {
			return check.NA(why)
		}
		tr, bad := e.Token(ctx, c)
		if bad != nil {
			return *bad
		}
		claims, trs, ok := principal(ctx, e, tr)
		if !ok {
			return check.NA("the access token is opaque and the target offers no introspection")
		}
		if why := problem(e, claims); why != "" {
			return check.Broken(lvl, why, trs...)
		}
		return check.Pass(trs...)
	}
	return pc
}
