package negative

import (
	"context"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/suites/check"
)

// loneSurrogate puts the escape \ud800, a lone high surrogate, into an
// unknown claim.
func loneSurrogate(_ *assertion.Draft, c string) string { return `{"x_bad":"\ud800",` + c[1:] }

// Observations returns the informational attack rows: inputs the cited
// texts let a server accept, reported without a verdict.
func Observations() []check.Observation {
	return []check.Observation{
		// RFC 7523 §3 item 7: the server MAY track a grant assertion's jti;
		// B-CLM-12.2 judges it where the profile asks for single use.
		{ID: "B-CLM-12.3", Cite: cite("RFC7523-3", "RFC7521-8.2"),
			Title: "whether a grant assertion (with jti) replayed by the same client is accepted",
			Observe: func(ctx context.Context, e *check.Env) (string, error) {
				if why := check.GrantUnavailable(e); why != "" {
					return "not observed: " + why, nil
				}
				tr, err := grantTwice(ctx, e)
				if err != nil {
					return "", err
				}
				return "the replay: " + check.Answer(tr), nil
			}},
		// RFC 8259 §8.2 admits an escaped lone surrogate ("the behavior of
		// software that receives JSON texts containing such values is
		// unpredictable") and RFC 7519 §4 has a claim the server does not
		// understand ignored; only I-JSON (RFC 7493 §2.1) forbids it, and
		// neither RFC 7519 nor RFC 7523 requires I-JSON. Nothing makes
		// accepting it a failure.
		{ID: "B-FMT-05.4", Cite: cite("RFC8259-8.2", "RFC7493-2.1", "RFC7519-4"),
			Title: "whether a lone surrogate escape \\ud800 in an unknown claim is accepted",
			Observe: func(ctx context.Context, e *check.Env) (string, error) {
				tr, err := e.Authenticate(ctx, e.Cast.A, assertion.EditClaims(loneSurrogate))
				if err != nil {
					return "", err
				}
				return check.Answer(tr), nil
			}},
	}
}
