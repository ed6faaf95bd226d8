package clientauth

import (
	"context"

	"github.com/assayhq/assay/mockidp/defect"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites/check"
)

// controlChecks: the client carrier's positive control as a check of its
// own (A-JG-14, RFC 7521 §6.2: a client acting for itself uses
// client_credentials with assertion authentication). Every client row that
// its refusal blocks names it ("blocked: A-JG-14 failed: ..."), so the
// cause is one row of the same report. Its level is the catalog's SHOULD:
// a server need not offer client_credentials at all; where the refusal
// breaks a MUST (an advertised algorithm, A-MD-12), that row says so.
func controlChecks() []check.Check {
	return []check.Check{
		{ID: "A-JG-14", Level: check.SHOULD, Cite: cite("RFC7521-6.2"), Defect: defect.RejectClientCredentials,
			Title: "issues a token to client A authenticating with its assertion for client_credentials (the client rows' positive control)",
			Run: func(ctx context.Context, e *check.Env) check.Result {
				r := e.ControlResult(ctx, e.CarrierControl(check.Client))
				if r.Outcome == v1.Fail {
					return check.Broken(check.SHOULD, r.Reason, r.Exchanges...)
				}
				return r
			}},
	}
}
