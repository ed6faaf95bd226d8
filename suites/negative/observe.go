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
