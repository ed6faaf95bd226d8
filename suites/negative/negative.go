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

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// Suite is the suite name of every row here.
const Suite = "negative"

// sendFunc sends one attack on carrier c.
type sendFunc func(ctx context.Context, e *check.Env, c check.Carrier) (*client.Transcript, error)

// attack is one catalog B row before it becomes a check.Row per carrier.
type attack struct {
	id    string
	title string // names the attack; CVEs in parentheses
	level check.Level
	cite  []string
	d     defect.Name // the reference defect for the client carrier
	dg    defect.Name // for the grant carrier, when it differs from d
	grant bool        // [G]: also run as the grant assertion
	only  check.Carrier

	ms   []assertion.Mutation                                              // static mutations
	mk   func(e *check.Env, c check.Carrier) ([]assertion.Mutation, error) // mutations that need the Env
	send sendFunc                                                          // a custom exchange

	want   map[check.Profile]check.Expectation // default: REJ-C / REJ-G everywhere
	wantG  map[check.Profile]check.Expectation // the grant carrier's, when it differs from want
	needs  func(e *check.Env) string
	killIn []check.Profile
	once   bool // the exchange cannot be repeated (replay rows): no U7 retry
}

// Checks returns every catalog B check.
func Checks() []check.Check {
	var as []attack
	for _, f := range []func() []attack{
		algorithmAttacks, signatureAttacks, keyAttacks, weakKeyAttacks, headerAttacks,
		formatAttacks, claimAttacks, replayAttacks, dosAttacks, errorAttacks,
	} {
		as = append(as, f()...)
	}
	var out []check.Check
	for _, a := range as {
		for _, r := range a.rows() {
			out = append(out, r.Build())
		}
	}
	return out
}

// rows expands an attack into one row per carrier.
func (a attack) rows() []check.Row {
	carriers := []check.Carrier{check.Client}
	switch {
	case a.only != check.None:
		carriers = []check.Carrier{a.only}
	case a.grant:
		carriers = append(carriers, check.Grant)
	}
	var rows []check.Row
	for _, c := range carriers {
		lvl := a.level
		if lvl == "" {
			lvl = check.MUST
		}
		d := a.d
		if c == check.Grant && a.dg != "" {
			d = a.dg
		}
		want := a.want
		if c == check.Grant && a.wantG != nil {
			want = a.wantG
		}
		if want == nil {
			want = expect.Everywhere(classFor(c))
		}
		guarded := map[check.Profile]check.Expectation{}
		for p, w := range want {
			guarded[p] = guard{inner: w, carrier: c}
		}
		needs := a.needs
		if c == check.Grant {
			needs = both(grantEnabled, a.needs)
		}
		rows = append(rows, check.Row{
			Check: check.Check{ID: a.id, Level: lvl, Cite: a.cite, Title: a.title, Carrier: c, Suite: Suite,
				Defect: d, KillIn: a.killIn},
			Send:  a.sender(c),
			Want:  guarded,
			Needs: needs,
		})
	}
	return rows
}

// classFor is the catalog's error class for an attack on carrier c.
func classFor(c check.Carrier) expect.Reject {
	if c == check.Grant {
		return expect.RejectGrant
	}
	return expect.RejectClient
}

// sender wraps the row's exchange with the U6 and U7 bookkeeping: the SSRF
// listener is drained before and read after, and a slow answer is retried
// once after fresh controls (when the exchange can be repeated) so that a
// loaded CI box does not produce a latency warning on its own.
func (a attack) sender(c check.Carrier) check.Sender {
	send := a.send
	if send == nil {
		send = func(ctx context.Context, e *check.Env, c check.Carrier) (*client.Transcript, error) {
			ms := append([]assertion.Mutation(nil), a.ms...)
			if a.mk != nil {
				more, err := a.mk(e, c)
				if err != nil {
					return nil, err
				}
				ms = append(ms, more...)
			}
			return e.Send(ctx, c, ms...)
		}
	}
	return func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
		if err := warmBaseline(ctx, e, c); err != nil {
			return nil, err
		}
		if e.Oracle != nil {
			e.Oracle.Take()
		}
		tr, err := send(ctx, e, c)
		if err != nil {
			return tr, err
		}
		if e.Baseline != nil && !a.once {
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
			if hits := e.Oracle.Take(); len(hits) > 0 {
				paths := make([]string, len(hits))
				for i, h := range hits {
					paths[i] = h.Method + " " + h.Path
				}
				tr.Findings = append(tr.Findings, fmt.Sprintf("the target requested %s from the harness's loopback listener: it dereferences attacker-supplied URLs (U6, RFC 8725 §3.10)", strings.Join(paths, ", ")))
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

// grantEnabled makes grant rows N/A when the target does not take the grant.
func grantEnabled(e *check.Env) string {
	if !e.Grant.Enabled {
		return "the target config disables the jwt-bearer grant"
	}
	if len(e.Meta.GrantTypesSupported) > 0 && !e.Meta.SupportsGrant(e.Grant.URN) {
		return "grant_types_supported does not list " + e.Grant.URN
	}
	return ""
}

// both joins two Needs.
func both(a, b func(e *check.Env) string) func(e *check.Env) string {
	return func(e *check.Env) string {
		for _, f := range []func(e *check.Env) string{a, b} {
			if f != nil {
				if why := f(e); why != "" {
					return why
				}
			}
		}
		return ""
	}
}

// issuedTo wants a token issued to the named party (the principal oracle).
func issuedTo(id func(e *check.Env) string) expect.Issued { return expect.Issued{Principal: id} }

func clientA(e *check.Env) string { return e.Cast.A.ID }
func user(e *check.Env) string    { return e.Cast.User }
func clientB(e *check.Env) string { return e.Cast.B.ID }

// nonFAPI lists the profiles where HS256 and RS256 reach the verifier: FAPI
// 2.0 SP §5.4.1 refuses them up front, so no key-handling defect shows there.
func nonFAPI() []check.Profile {
	return []check.Profile{check.BASE, check.OIDC, check.OIDCE3, check.BIS, check.BCP}
}

// replayProfiles are those where single use of jti is a MUST (OIDC Core §9).
func replayProfiles() []check.Profile { return []check.Profile{check.OIDC, check.OIDCE3, check.FAPI2} }

func cite(c ...string) []string { return c }
