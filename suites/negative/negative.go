// Package negative holds catalog B: the attack rows (catalog.md §3). Each
// row sends one crafted assertion, built from raw bytes where the recipe
// needs it, and expects the error class of its carrier: REJ-C for the
// client assertion (RFC 7523 §3.2), REJ-G for the jwt-bearer grant
// (RFC 7523 §3.1). Rows marked [G] in the catalog run on both carriers.
// On top of the class and U1-U5 (suites/expect), every row here checks U6
// (no request reached the harness's SSRF listener) and U7 (no slowdown
// beyond the control median plus one second); U8 is the confirming control
// of check.Row.
package negative

import (
	"context"
	"fmt"
	"strings"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/profile"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// Suite is the suite name of every row here.
const Suite = "negative"

// Checks returns every catalog B check.
func Checks() []check.Check {
	s := check.Suite{Name: Suite, Carrier: check.Client, Wrap: attack}
	return s.Rows(algorithmAttacks(), signatureAttacks(), keyAttacks(), weakKeyAttacks(), headerAttacks(),
		formatAttacks(), claimAttacks(), replayAttacks(), dosAttacks(), errorAttacks())
}

// attack adds what every row here shares to a row on its carrier: the
// carrier's error class where the row names no Want, and U6 and U7 around
// its exchange and its judgement.
func attack(r check.Row) check.Row {
	want := r.Want
	if want == nil {
		want = expect.Everywhere(classFor(r.Carrier))
	}
	r.Want = map[check.Profile]check.Expectation{}
	for p, w := range want {
		r.Want[p] = guard{inner: w, carrier: r.Carrier}
	}
	r.Send = watched(r.ID, r.Send, r.Once)
	return r
}

// classFor is the catalog's error class for an attack on carrier c.
func classFor(c check.Carrier) expect.Reject {
	if c == check.Grant {
		return expect.RejectGrant
	}
	return expect.RejectClient
}

// watched wraps a row's exchange with the U6 and U7 bookkeeping: the SSRF
// listener's hits for row id (and strays) are read after the exchange, and
// a slow answer is retried
// once after fresh controls (unless the request cannot be sent twice) so
// that a loaded CI box does not produce a latency warning on its own.
func watched(id string, send check.Sender, once bool) check.Sender {
	return func(ctx context.Context, e *check.Env, c check.Carrier) (*client.Transcript, error) {
		if err := warmBaseline(ctx, e, c); err != nil {
			return nil, err
		}
		if e.Oracle != nil {
			// Strays from before the row are nobody's; another row's late
			// hits stay for the run's end, which charges them to it.
			e.Oracle.TakeStray()
		}
		tr, err := send(ctx, e, c)
		if err != nil {
			return tr, err
		}
		if e.Baseline != nil && !once {
			if _, slow := e.Baseline.TooSlow(c, tr.Duration); slow {
				// Slow once may be the machine: measure the controls afresh,
				// then ask again.
				for i := 0; i < 3; i++ {
					if _, _, err := e.Control(ctx, c); err != nil {
						return tr, err
					}
				}
				again, err := send(ctx, e, c)
				if err == nil {
					again.Related = append(again.Related, tr)
					tr = again
				}
			}
		}
		if e.Oracle != nil {
			if hits := e.Oracle.TakeRow(id, string(c)); len(hits) > 0 {
				paths := make([]string, len(hits))
				for i, h := range hits {
					paths[i] = h.Method + " " + h.Path
				}
				tr.Findings = append(tr.Findings, fmt.Sprintf("the target requested %s from the harness's SSRF listener: it dereferences attacker-supplied URLs (U6, RFC 8725 §3.10)", strings.Join(paths, ", ")))
			}
		}
		return tr, nil
	}
}

// warmBaseline makes sure the U7 median rests on three controls.
func warmBaseline(ctx context.Context, e *check.Env, c check.Carrier) error {
	if e.Baseline == nil {
		return nil
	}
	for i := 0; e.Baseline.Count(c) < 3 && i < 3; i++ {
		if _, _, err := e.Control(ctx, c); err != nil {
			return fmt.Errorf("measure control latency: %w", err)
		}
	}
	return nil
}

// guard adds U7 to an expectation: a rejection slower than the control
// median plus check.Slack is a warning (catalog.md §0.3).
type guard struct {
	inner   check.Expectation
	carrier check.Carrier
}

func (g guard) Accepting() bool { return g.inner.Accepting() }
func (g guard) String() string  { return g.inner.String() }

func (g guard) Judge(tr *client.Transcript, e *check.Env) check.Verdict {
	v := g.inner.Judge(tr, e)
	if e.Baseline == nil || g.inner.Accepting() {
		return v
	}
	if limit, slow := e.Baseline.TooSlow(g.carrier, tr.Duration); slow {
		v.Warn = append(v.Warn, fmt.Sprintf("answered in %s, over the control median + %s = %s: the input slows the target (U7)",
			tr.Duration.Round(1e6), check.Slack, limit.Round(1e6)))
	}
	return v
}

// issuedTo wants a token issued to the named party (the principal oracle).
func issuedTo(id func(e *check.Env) string) expect.Issued { return expect.Issued{Principal: id} }

func clientA(e *check.Env) string { return e.Cast.A.ID }
func user(e *check.Env) string    { return e.GrantSubject() }
func clientB(e *check.Env) string { return e.Cast.B.ID }

// nonFAPI lists the profiles where HS256 and RS256 reach the verifier: FAPI
// 2.0 SP §5.4.1 refuses them up front, so no key-handling defect shows there.
func nonFAPI() []check.Profile {
	return profile.Where(func(r profile.Rules) bool { return r.AllowsAlg("HS256") && r.AllowsAlg("RS256") })
}

// replayProfiles are those where single use of jti is a MUST (OIDC Core §9).
func replayProfiles() []check.Profile {
	return profile.Where(func(r profile.Rules) bool { return r.RequireJTI })
}

// issuerAudience are the profiles where the issuer is the sole audience
// (7523bis §4; OIDC Core §9 errata 3; FAPI 2.0 SP §5.3.2.1 item 8; BCP).
func issuerAudience() []check.Profile {
	return profile.Where(func(r profile.Rules) bool { return r.IssuerAudience })
}

func cite(c ...string) []string { return c }
