package clientauth

import (
	"context"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// refuseGrantType is RFC 9700 §2.4's answer to a grant that is not offered:
// unsupported_grant_type, or unauthorized_client for this client.
var refuseGrantType = expect.Reject{Name: "400 unsupported_grant_type/unauthorized_client", Statuses: []int{400},
	Codes: []oauth.ErrorCode{oauth.UnsupportedGrantType, oauth.UnauthorizedClient}}

// securityRows: profile-level rules (RFC 9700 §2.4; FAPI 2.0 SP §5.3.2.1).
func securityRows() []check.Row {
	return []check.Row{
		{
			Check: check.Check{ID: "A-SEC-01", Level: check.MUST, Cite: cite("RFC9700-2.4", "FAPI2-5.3.2.1"), Defect: defect.AllowPasswordGrant,
				Title: "refuses the resource owner password grant from an authenticated client (FAPI2 must, others should)", KillIn: []check.Profile{check.FAPI2}},
			Send: withForm(func(e *check.Env, r *client.Request) {
				r.Form = r.Form.Set("grant_type", "password").Add("username", e.Cast.User).Add("password", "assay-not-a-password")
			}),
			// RFC 6749 §4.3 defines the grant; RFC 9700 §2.4 (a BCP) says it
			// MUST NOT be used, FAPI 2.0 §5.3.2.1 makes refusing it a rule.
			Want: func() map[check.Profile]check.Expectation {
				m := expect.Everywhere(expect.Advisory{Inner: refuseGrantType})
				m[check.FAPI2] = refuseGrantType
				return m
			}(),
		},
		{
			Check: check.Check{ID: "A-SEC-02", Level: check.MUST, Cite: cite("FAPI2-5.3.2.1"), Defect: defect.NoClientAuth,
				Title: "answers an unauthenticated client (auth method none) with invalid_client under FAPI 2.0"},
			Send: withForm(func(e *check.Env, r *client.Request) {
				r.Form = client.Form{{Name: "grant_type", Value: oauth.GrantClientCreds}, {Name: "client_id", Value: e.Cast.A.ID}}
			}),
			Want: expect.Only(expect.RejectClient, check.FAPI2),
		},
		{
			Check: check.Check{ID: "A-CA-10", Level: check.MUST, Cite: cite("BIS-4", "BIS-5"), Defect: defect.AcceptEndpointAudience,
				Title: "refuses another endpoint URL of the server (introspection) as audience"},
			Send: func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
				return e.Authenticate(ctx, e.Cast.A, assertion.Audience(e.Meta.IntrospectionEndpoint))
			},
			Want:  expect.Only(expect.RejectClientOrRequest, strictAud()...),
			Needs: needIntrospection,
		},
	}
}

func needIntrospection(e *check.Env) string {
	if e.Meta.IntrospectionEndpoint == "" {
		return "the metadata lists no introspection_endpoint, the other endpoint URL this row uses"
	}
	return ""
}
