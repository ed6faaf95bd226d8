package clientauth

import (
	"context"
	"fmt"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/profile"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// sendTwice sends one client assertion twice and returns the second answer;
// the first must be a token, or the row cannot say anything (ERROR).
func sendTwice(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
	jwt, err := e.ClientAssertion(e.Cast.A)
	if err != nil {
		return nil, err
	}
	first, err := e.Post(ctx, check.ClientAuthForm(jwt), nil)
	if err != nil {
		return first, err
	}
	if first.Status != 200 {
		return first, fmt.Errorf("first use of the assertion was refused (HTTP %d), so replay cannot be tested", first.Status)
	}
	return e.Post(ctx, check.ClientAuthForm(jwt), nil)
}

// replays is the Serial of the rows that send one assertion twice.
const replays = "replays a client assertion"

// replayRows: OIDC Core §9 ("MUST only be used once"); RFC 7523 §3 item 7.
func replayRows() []check.Row {
	return []check.Row{
		{
			Check: check.Check{ID: "A-CA-19", Level: check.MUST, Cite: cite("OIDC-Core-9", "RFC7523-3", "RFC7521-8.2"), Defect: defect.IgnoreReplay,
				Serial: replays,
				Title:  "rejects the same client assertion sent a second time"},
			Send: sendTwice,
			Want: expect.Only(expect.RejectClient, where(func(r profile.Rules) bool { return r.RequireJTI })...),
		},
		// Where single use is not required, a replay may be accepted; where
		// it is refused, the refusal carries a registered code like any other.
		{
			Check: check.Check{ID: "A-TR-05.2", Level: check.MUST, Cite: cite("RFC6749-5.2"), Defect: defect.ReplayCustomCode, Serial: replays,
				Title: "answers a replayed client assertion, when it refuses it, with invalid_client (not a code of its own)"},
			Send: sendTwice,
			Want: expect.Everywhere(expect.RejectOrIssue{Reject: expect.RejectClient,
				Why: "this profile does not require single use of a client assertion (A-CA-19 judges it where it does)"}),
		},
	}
}
