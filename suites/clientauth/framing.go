package clientauth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// withForm sends client A's valid client_credentials request after edit
// changes the form, the header or the request itself.
func withForm(edit func(e *check.Env, req *client.Request)) check.Sender {
	return func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
		jwt, err := e.ClientAssertion(e.Cast.A)
		if err != nil {
			return nil, err
		}
		req := client.Request{URL: e.Target.TokenEndpoint, Form: e.WithScope(check.ClientAuthForm(jwt)), Header: http.Header{}}
		edit(e, &req)
		return e.HTTP.Do(ctx, req)
	}
}

func needS(e *check.Env) string {
	if e.Cast.S.ID == "" || e.Cast.S.Secret == "" {
		return "no client_secret_basic client S configured"
	}
	return ""
}

// framingRows: RFC 6749 §2.3, §3.1, §3.2 and RFC 7521 §4.2 request framing.
func framingRows() []check.Row {
	cr := expect.RejectClientOrRequest
	return []check.Row{
		{
			Check: check.Check{ID: "A-TE-01", Level: check.MUST, Cite: cite("RFC6749-3.2"), Defect: defect.AllowGET,
				Title: "does not issue tokens to a GET request"},
			Send: withForm(func(_ *check.Env, r *client.Request) { r.Method = http.MethodGet }),
			Want: expect.Everywhere(expect.NotIssued{}),
		},
		{
			Check: check.Check{ID: "A-TE-02", Level: check.MUST, Cite: cite("RFC6749-3.2"), Defect: defect.AllowDuplicateParams,
				Title: "rejects a repeated client_assertion parameter"},
			Send: withForm(func(_ *check.Env, r *client.Request) {
				r.Form = r.Form.Add("client_assertion", r.Form.Get("client_assertion"))
			}),
			Want: expect.Everywhere(cr),
		},
		{
			Check: check.Check{ID: "A-TE-03", Level: check.MUST, Cite: cite("RFC6749-3.1"), Defect: defect.EmptyParamAsValue,
				Title: "treats an empty client_assertion as omitted"},
			Send: withForm(func(e *check.Env, r *client.Request) {
				r.Form = r.Form.Set("client_assertion", "").Add("client_id", e.Cast.A.ID)
			}),
			Want: expect.Everywhere(cr),
		},
		{
			Check: check.Check{ID: "A-TE-04", Level: check.MUST, Cite: cite("RFC6749-3.2"), Defect: defect.RejectUnknownParams,
				Title: "ignores unrecognised request parameters"},
			Send: withForm(func(_ *check.Env, r *client.Request) { r.Form = r.Form.Add("x_unknown", "1") }),
			Want: expect.Everywhere(issuedToA()),
		},
		{
			Check: check.Check{ID: "A-TE-05", Level: check.MUST, Cite: cite("RFC6749-4.4.2", "RFC7521-4.2"), Defect: defect.AcceptJSONBody,
				Title: "does not issue tokens to a JSON request body"},
			Send: withForm(func(_ *check.Env, r *client.Request) {
				m := map[string]string{}
				for _, p := range r.Form {
					m[p.Name] = p.Value
				}
				r.Body, _ = json.Marshal(m)
				r.Header.Set("Content-Type", "application/json")
			}),
			Want: expect.Everywhere(expect.NotIssued{}),
		},
		{
			Check: check.Check{ID: "A-TE-06", Level: check.MUST, Cite: cite("RFC6749-2.3.1", "RFC6749-3.2"), Defect: defect.AcceptQueryCredentials,
				Title: "does not take the client assertion from the request URI"},
			Send: withForm(func(_ *check.Env, r *client.Request) {
				q := url.Values{}
				for _, p := range r.Form.Del("grant_type") {
					q.Set(p.Name, p.Value)
				}
				r.URL += "?" + q.Encode()
				r.Form = client.Form{{Name: "grant_type", Value: oauth.GrantClientCreds}}
			}),
			Want: expect.Everywhere(cr),
		},
		{
			Check: check.Check{ID: "A-AU-01", Level: check.MUST, Cite: cite("RFC6749-2.3", "RFC7521-4.2.1"), Defect: defect.AllowMultipleAuth,
				Title: "rejects a client assertion sent together with HTTP Basic credentials"},
			Send: withForm(func(e *check.Env, r *client.Request) {
				r.Header.Set("Authorization", check.BasicAuth(e.Cast.A.ID, "not-a-secret"))
			}),
			Want: expect.Everywhere(cr),
		},
		{
			Check: check.Check{ID: "A-AU-02", Level: check.MUST, Cite: cite("RFC6749-2.3", "RFC7521-4.2.1"), Defect: defect.AllowMultipleAuth,
				Title: "rejects a client assertion sent together with client_secret"},
			Send: withForm(func(_ *check.Env, r *client.Request) { r.Form = r.Form.Add("client_secret", "not-a-secret") }),
			Want: expect.Everywhere(cr),
		},
		{
			Check: check.Check{ID: "A-AU-03", Level: check.MUST, Cite: cite("RFC6749-3.2.1", "FAPI2-5.3.2.1"), Defect: defect.NoClientAuth,
				Title: "requires confidential clients to authenticate (client_id alone)"},
			Send: withForm(func(e *check.Env, r *client.Request) {
				r.Form = client.Form{{Name: "grant_type", Value: oauth.GrantClientCreds}, {Name: "client_id", Value: e.Cast.A.ID}}
			}),
			Want: expect.Everywhere(cr),
		},
		{
			Check: check.Check{ID: "A-AU-04", Level: check.MUST, Cite: cite("RFC6749-5.2"), Defect: defect.BasicWithoutChallenge,
				Title: "answers bad Basic credentials with 401 and WWW-Authenticate"},
			Send: withForm(func(e *check.Env, r *client.Request) {
				r.Form = client.Form{{Name: "grant_type", Value: oauth.GrantClientCreds}}
				r.Header.Set("Authorization", check.BasicAuth(e.Cast.S.ID, "wrong-password"))
			}),
			Want:  expect.Everywhere(expect.RejectClient),
			Needs: needS,
		},
		{
			Check: check.Check{ID: "A-AU-05", Level: check.MUST, Cite: cite("RFC7521-4.2"), Defect: defect.IgnoreAssertionType,
				Title: "rejects client_assertion without client_assertion_type"},
			Send: withForm(func(_ *check.Env, r *client.Request) { r.Form = r.Form.Del("client_assertion_type") }),
			Want: expect.Everywhere(cr),
		},
		{
			Check: check.Check{ID: "A-AU-06", Level: check.MUST, Cite: cite("RFC7523-2.2"), Defect: defect.IgnoreAssertionType,
				Title: "rejects a client_assertion_type other than the jwt-bearer URN"},
			Send: withForm(func(_ *check.Env, r *client.Request) {
				r.Form = r.Form.Set("client_assertion_type", oauth.AssertionTypeSAML)
			}),
			Want: expect.Everywhere(cr),
		},
		{
			// A server may refuse SAML by name and still read any other
			// type as a JWT.
			Check: check.Check{ID: "A-AU-06.2", Level: check.MUST, Cite: cite("RFC7523-2.2"), Defect: defect.IgnoreAssertionType,
				Title: "rejects a client_assertion_type URN it does not know"},
			Send: withForm(func(_ *check.Env, r *client.Request) {
				r.Form = r.Form.Set("client_assertion_type", "urn:example:assay:unknown-assertion-type")
			}),
			Want: expect.Everywhere(cr),
		},
		{
			Check: check.Check{ID: "A-AU-07", Level: check.MUST, Cite: cite("RFC7523-2.2"), Defect: defect.FirstJWTOfList,
				Title: "rejects two JWTs in one client_assertion"},
			Send: withForm(func(e *check.Env, r *client.Request) {
				second, _ := e.ClientAssertion(e.Cast.A)
				r.Form = r.Form.Set("client_assertion", r.Form.Get("client_assertion")+","+second)
			}),
			Want: expect.Everywhere(cr),
		},
		{
			Check: check.Check{ID: "A-AU-10", Level: check.SHOULD, Cite: cite("RFC7591-2", "OIDC-Reg-2"), Defect: defect.IgnoreAuthMethod,
				Title: "enforces the registered auth method (client S sends a client_secret_jwt assertion)",
				// FAPI2 refuses HS256 outright, so the defect shows under the other profiles.
				KillIn: allowing("HS256")},
			Send: check.As(func(c mockidp.Cast) mockidp.Party {
				s := c.S
				s.AuthMethod = oauth.AuthClientSecretJWT // sign HS256 with S's secret
				return s
			}),
			Want:  expect.Everywhere(expect.RejectClient),
			Needs: needS,
		},
	}
}
