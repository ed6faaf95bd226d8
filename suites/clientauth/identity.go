package clientauth

import (
	"context"
	"strings"
	"unicode"

	"github.com/assayhq/assay/mockidp"
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
			Send: signedWithKeyOf(castA, castB),
			Want: expect.Everywhere(expect.RejectClient),
		},
		{
			Check: check.Check{ID: "A-AU-08", Level: check.MUST, Cite: cite("RFC7521-4.2"), Defect: defect.IgnoreClientIDParam,
				Title: "rejects a client_id parameter that names another client than the assertion"},
			Send: withClientIDOf(castB),
			Want: expect.Everywhere(expect.RejectClient),
		},
		{
			Check: check.Check{ID: "A-AU-09", Level: check.MUST, Cite: cite("RFC7521-4.2"), Defect: defect.RequireClientIDParam,
				Title: "accepts an assertion without a client_id parameter"},
			Send: check.Mutate(),
			Want: expect.Everywhere(issuedToA()),
			// The control sends no client_id either: this is its request.
			Contrast: withClientIDOf(castA),
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
			Send: signedWithKeyOf(castB, castA),
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

// castA and castB pick client A or B from the run's cast, for a Sender
// declared before the run.
func castA(c mockidp.Cast) mockidp.Party { return c.A }
func castB(c mockidp.Cast) mockidp.Party { return c.B }

// withClientIDOf sends client A's default assertion with a client_id
// parameter naming the client who picks (RFC 7521 §4.2): client A itself
// is A-AU-09's contrast, client B is A-AU-08's mismatch.
func withClientIDOf(who func(mockidp.Cast) mockidp.Party) check.Sender {
	return func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
		jwt, err := e.ClientAssertion(e.Cast.A)
		if err != nil {
			return nil, err
		}
		return e.Post(ctx, check.ClientAuthForm(jwt).Add("client_id", who(e.Cast).ID), nil)
	}
}

// signedWithKeyOf sends the assertion of the client signer picks, signed
// with the key of the client owner picks for the algorithm the signer
// signs with: only the key is wrong (RFC 8725 §3.8).
func signedWithKeyOf(signer, owner func(mockidp.Cast) mockidp.Party) check.Sender {
	return func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
		s := signer(e.Cast)
		k, err := check.KeyFor(owner(e.Cast), check.DefaultAlg(s))
		if err != nil {
			return nil, err
		}
		return e.Authenticate(ctx, s, assertion.SignWith(k))
	}
}
