package clientauth

import (
	"context"
	"net/http"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// authMethodRows: a client authenticates only by the method it registered
// (RFC 7591 §2 token_endpoint_auth_method; OIDC Registration §2).
func authMethodRows() []check.Row {
	return []check.Row{
		{
			// The secret is right; only the way it travels is not the one
			// registered.
			Check: check.Check{ID: "A-AU-10.2", Level: check.SHOULD, Cite: cite("RFC7591-2", "OIDC-Reg-2", "RFC6749-2.3.1"), Defect: defect.IgnoreAuthMethod,
				Title: "enforces the registered auth method (client S sends its secret by the other client_secret method)"},
			Send:  otherSecretMethod,
			Want:  expect.Everywhere(expect.RejectClient),
			Needs: needSecretMethod,
		},
		{
			// A private_key_jwt client has no secret to check: an empty
			// one must not match the secret it does not have.
			Check: check.Check{ID: "A-AU-10.3", Level: check.MUST, Cite: cite("RFC6749-3.2.1", "RFC7591-2"), Defect: defect.SecretForKeyClient,
				Title: "refuses HTTP Basic with an empty secret for a private_key_jwt client (client A)"},
			Send: func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
				h := http.Header{"Authorization": {check.BasicAuth(e.Cast.A.ID, "")}}
				return e.HTTP.Do(ctx, client.Request{URL: e.Target.TokenEndpoint, Header: h,
					Form: e.WithScope(client.Form{{Name: "grant_type", Value: oauth.GrantClientCreds}})})
			},
			Want: expect.Everywhere(expect.RejectClient),
		},
		{
			Check: check.Check{ID: "A-AU-10.4", Level: check.MUST, Cite: cite("RFC6749-3.2.1", "RFC7591-2"), Defect: defect.SecretForKeyClient,
				Title: "refuses client_secret_post with a made-up secret for a private_key_jwt client (client A)"},
			Send: func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
				secret, err := assertion.NewJTI(e.Rand) // random, so that no server can have it on record
				if err != nil {
					return nil, err
				}
				return e.HTTP.Do(ctx, client.Request{URL: e.Target.TokenEndpoint, Header: http.Header{},
					Form: client.Form{{Name: "grant_type", Value: oauth.GrantClientCreds}, {Name: "client_id", Value: e.Cast.A.ID}, {Name: "client_secret", Value: secret}}})
			},
			Want: expect.Everywhere(expect.RejectClient),
		},
	}
}

// needSecretMethod: A-AU-10.2 needs client S registered for one of the two
// client_secret methods, with its secret.
func needSecretMethod(e *check.Env) string {
	if why := needS(e); why != "" {
		return why
	}
	if m := e.Cast.S.AuthMethod; m != oauth.AuthClientSecretBasic && m != oauth.AuthClientSecretPost {
		return "client S is registered for " + m + ", not client_secret_basic or client_secret_post"
	}
	return ""
}

// otherSecretMethod sends client S's secret by the client_secret method it
// did not register: in the body when it registered Basic, in Basic when it
// registered the body (RFC 6749 §2.3.1).
func otherSecretMethod(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
	s := e.Cast.S
	req := client.Request{URL: e.Target.TokenEndpoint, Header: http.Header{},
		Form: e.WithScope(client.Form{{Name: "grant_type", Value: oauth.GrantClientCreds}})}
	if s.AuthMethod == oauth.AuthClientSecretBasic {
		req.Form = req.Form.Add("client_id", s.ID).Add("client_secret", s.Secret)
	} else {
		req.Header.Set("Authorization", check.BasicAuth(s.ID, s.Secret))
	}
	return e.HTTP.Do(ctx, req)
}
