package clientauth

import (
	"context"
	"strings"
	"unicode"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// identityRows: who the assertion speaks for (RFC 7523 §3 items 1-2;
// RFC 7521 §4.2; RFC 8725 §3.8).
func identityRows() []check.Row {
	rej := expect.RejectClientOrRequest
	return []check.Row{
		{
			Check: check.Check{ID: "A-CA-01", Level: check.MUST, Cite: cite("RFC7521-5.2", "OIDC-Core-9"), Defect: defect.IgnoreIssuer,
				Title: "rejects an assertion without iss"},
			Send: check.Mutate(assertion.DropClaim("iss")),
			Want: expect.Everywhere(rej),
		},
		{
			Check: check.Check{ID: "A-CA-01.2", Level: check.MUST, Cite: cite("RFC7521-5.2", "OIDC-Core-9"), Defect: defect.IgnoreIssuer,
				Title: "rejects iss naming client B while sub is client A"},
			Send: check.Mutate(assertion.Claim("iss", assertion.OtherClientID)),
			Want: expect.Everywhere(rej),
		},
		{
			Check: check.Check{ID: "A-CA-02", Level: check.MUST, Cite: cite("RFC7523-3", "OIDC-Core-9"), Defect: defect.IgnoreSubject,
				Title: "rejects an assertion without sub"},
			Send: check.Mutate(assertion.DropClaim("sub")),
			Want: expect.Everywhere(rej),
		},
		{
			Check: check.Check{ID: "A-CA-02.2", Level: check.MUST, Cite: cite("RFC7523-3", "OIDC-Core-9"), Defect: defect.IgnoreSubject,
				Title: "rejects sub naming client B while iss is client A"},
			Send: check.Mutate(assertion.Claim("sub", assertion.OtherClientID)),
			Want: expect.Everywhere(rej),
		},
		{
			Check: check.Check{ID: "A-CA-03", Level: check.MUST, Cite: cite("RFC7523-3"), Defect: defect.FoldCaseClientID,
				Title: "compares iss and sub by Simple String Comparison (client_id with its letters' case swapped)"},
			Send: check.Mutate(assertion.Claim("iss", swapCase(assertion.ClientID)), assertion.Claim("sub", swapCase(assertion.ClientID))),
			Want: expect.Everywhere(rej),
			Needs: func(e *check.Env) string {
				if !strings.ContainsFunc(e.Cast.A.ID, unicode.IsLetter) {
					return "client A's client_id has no letters, so no case variant of it exists"
				}
				return ""
			},
		},
		{
			Check: check.Check{ID: "A-CA-27", Level: check.MUST, Cite: cite("RFC8725-3.8", "RFC7523-3"), Defect: defect.AnyClientKey,
				Title: "rejects client A's assertion signed with client B's key"},
			Send: func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
				// B's key of the algorithm A signs with: only the key is wrong.
				k, err := check.KeyFor(e.Cast.B, check.DefaultAlg(e.Cast.A))
				if err != nil {
					return nil, err
				}
				return e.Authenticate(ctx, e.Cast.A, assertion.SignWith(k))
			},
			Want: expect.Everywhere(expect.RejectClient),
		},
		{
			Check: check.Check{ID: "A-AU-08", Level: check.MUST, Cite: cite("RFC7521-4.2"), Defect: defect.IgnoreClientIDParam,
				Title: "rejects a client_id parameter that names another client than the assertion"},
			Send: func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
				jwt, err := e.ClientAssertion(e.Cast.A)
				if err != nil {
					return nil, err
				}
				return e.Post(ctx, check.ClientAuthForm(jwt).Add("client_id", e.Cast.B.ID), nil)
			},
			Want: expect.Everywhere(expect.RejectClient),
		},
		{
			Check: check.Check{ID: "A-AU-09", Level: check.MUST, Cite: cite("RFC7521-4.2"), Defect: defect.RequireClientIDParam,
				Title: "accepts an assertion without a client_id parameter"},
			Send: check.Mutate(),
			Want: expect.Everywhere(issuedToA()),
			// The control sends no client_id either: this is its request.
			Contrast: withClientID,
		},
		{
			Check: check.Check{ID: "A-AU-12", Level: check.MUST, Cite: cite("RFC6749-5.2"), Defect: defect.UnknownClientInvalidGrant,
				Title: "answers an unknown client with invalid_client"},
			Send: check.Mutate(assertion.Claim("iss", "unregistered-xyz"), assertion.Claim("sub", "unregistered-xyz")),
			Want: expect.Everywhere(expect.RejectClient),
		},
		{
			Check: check.Check{ID: "B-KEY-09", Level: check.MUST, Cite: cite("RFC8725-3.8"), Defect: defect.AnyClientKey,
				Title: "rejects an assertion for client B signed with client A's key"},
			Send: func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
				// A's key of the algorithm B signs with: only the key is wrong.
				k, err := check.KeyFor(e.Cast.A, check.DefaultAlg(e.Cast.B))
				if err != nil {
					return nil, err
				}
				return e.Authenticate(ctx, e.Cast.B, assertion.SignWith(k))
			},
			Want: expect.Everywhere(expect.RejectClient),
		},
	}
}

// swapCase turns every letter of v to the other case, so the result
// differs from v whenever v has a letter (an all-upper-case client_id too).
func swapCase(v assertion.Value) assertion.Value {
	return func(d *assertion.Draft) any {
		s, _ := v(d).(string)
		return strings.Map(func(r rune) rune {
			if unicode.IsUpper(r) {
				return unicode.ToLower(r)
			}
			return unicode.ToUpper(r)
		}, s)
	}
}

// withClientID sends client A's default assertion with a client_id
// parameter too (RFC 7521 §4.2 allows it): A-AU-09's contrast.
func withClientID(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
	jwt, err := e.ClientAssertion(e.Cast.A)
	if err != nil {
		return nil, err
	}
	return e.Post(ctx, check.ClientAuthForm(jwt).Add("client_id", e.Cast.A.ID), nil)
}
