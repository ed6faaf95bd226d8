package clientauth

import (
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/profile"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// lifetimeRows: exp, nbf and iat (RFC 7523 §3 items 4-6; FAPI 2.0 SP
// §5.3.2.1 item 13).
func lifetimeRows() []check.Row {
	rej := expect.RejectClientOrRequest
	return []check.Row{
		{
			Check: check.Check{ID: "A-CA-11", Level: check.MUST, Cite: cite("RFC7523-3", "OIDC-Core-9"), Defect: defect.AllowMissingExp,
				Title: "rejects an assertion without exp"},
			Send: check.Mutate(assertion.DropClaim("exp")),
			Want: expect.Everywhere(rej),
		},
		{
			Check: check.Check{ID: "A-CA-12", Level: check.MUST, Cite: cite("RFC7523-3", "RFC7521-5.2"), Defect: defect.IgnoreExpiry,
				Title: "rejects an assertion that expired 5 minutes ago"},
			Send: check.MutateWith(expired),
			Want: expect.Everywhere(rej),
		},
		// RFC 7523 §3 item 4 only lets a server refuse a far exp (MAY):
		// the row judges the bound the target declares
		// (timeouts.maxAssertionLifetime), under BCP, the profile that asks
		// for bounded lifetimes (catalog "REJ-C under the declared policy").
		{
			Check: check.Check{ID: "A-CA-13", Level: check.MUST, Cite: cite("RFC7523-3"), Defect: defect.UnboundedLifetime,
				Title: "rejects an exp 5 minutes past the declared maximum lifetime (timeouts.maxAssertionLifetime)"},
			Send:  check.MutateWith(pastDeclaredLifetime),
			Want:  expect.Only(rej, where(func(r profile.Rules) bool { return r.BoundedLifetime })...),
			Needs: check.NeedsLifetimeBound,
		},
		{
			Check: check.Check{ID: "A-CA-14", Level: check.MUST, Cite: cite("RFC7523-3", "RFC7519-4.1.5"), Defect: defect.IgnoreNotBefore,
				Title: "rejects an assertion before its nbf (now+10 min)"},
			// Past the common 5-minute leeway (RFC 7519 §4.1.5 allows "a few
			// minutes"; .NET's default clock skew is 300 s).
			Send: check.MutateWith(func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
				nbf := e.BeyondSkew(10 * time.Minute)
				return []assertion.Mutation{assertion.NotBefore(nbf), assertion.Expires(nbf + time.Minute)}, nil
			}),
			Want: expect.Everywhere(rej),
		},
		{
			Check: check.Check{ID: "A-CA-15", Level: check.MUST, Cite: cite("FAPI2-5.3.2.1"), Defect: defect.NoClockSkew,
				Title: "accepts iat and nbf 8 seconds in the future (clock skew)"},
			Send: check.Mutate(assertion.IssuedAt(8*time.Second), assertion.NotBefore(8*time.Second)),
			Want: expect.Only(issuedToA(), where(func(r profile.Rules) bool { return r.ClockWindow })...),
		},
		{
			Check: check.Check{ID: "A-CA-16", Level: check.MUST, Cite: cite("FAPI2-5.3.2.1"), Defect: defect.AcceptFutureIat,
				Title: "rejects iat 62 seconds in the future"},
			Send: check.Mutate(assertion.IssuedAt(62*time.Second), assertion.Expires(122*time.Second)),
			Want: expect.Only(rej, where(func(r profile.Rules) bool { return r.ClockWindow })...),
		},
		{
			Check: check.Check{ID: "A-CA-18", Level: check.MUST, Cite: cite("OIDC-Core-9"), Defect: defect.AllowMissingJTI,
				Title: "rejects an assertion without jti"},
			Send: check.Mutate(assertion.DropClaim("jti")),
			Want: expect.Only(expect.RejectClient, where(func(r profile.Rules) bool { return r.RequireJTI })...),
		},
		{
			Check: check.Check{ID: "A-CA-20", Level: check.MUST, Cite: cite("OIDC-Core-9", "RFC7523-3"), Defect: defect.RejectUnknownClaims,
				Title: "ignores claims it does not understand"},
			Send: check.Mutate(assertion.Claim("x_extra", map[string]any{"a": []int{1}})),
			Want: expect.Everywhere(issuedToA()),
		},
	}
}

// pastDeclaredLifetime sets exp five minutes past the target's declared
// maximum lifetime: more than the clock-skew leeway a server may add.
func pastDeclaredLifetime(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
	return []assertion.Mutation{assertion.Expires(e.MaxAssertionLifetime + 5*time.Minute)}, nil
}

// expired dates an assertion 5 minutes past its exp, or further when the
// target declares a longer clock skew (timeouts.clockSkew).
func expired(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
	past := e.BeyondSkew(5 * time.Minute)
	return []assertion.Mutation{assertion.IssuedAt(-past - time.Minute), assertion.Expires(-past)}, nil
}
