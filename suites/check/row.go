package check

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
)

// Verdict is an expectation's judgement of one exchange.
type Verdict struct {
	Fail  []string // MUST-level problems
	Warn  []string // SHOULD-level problems (WARN, never FAIL)
	Notes []string // facts worth reporting that change nothing
}

// Expectation judges an exchange. Implementations live in suites/expect.
type Expectation interface {
	Judge(tr *client.Transcript, e *Env) Verdict
	// Accepting reports whether this expectation wants a token issued
	// (a positive row): no confirming control runs after it fails.
	Accepting() bool
	// String is the catalog shorthand: "REJ-C", "REJ-G", "OK", ...
	String() string
}

// Row is one table row: a check, the request that carries its mutation, and
// the expected answer per profile (design.md R6). A profile missing from
// Want means the row does not apply under it.
type Row struct {
	Check
	Send func(ctx context.Context, e *Env) (*client.Transcript, error)
	Want map[Profile]Expectation
	// Needs, when set, returns why the row does not apply to this target
	// (a capability the metadata or config lacks), or "" when it does.
	Needs func(e *Env) string
}

// Mutate is a Send that carries the mutations on carrier c.
func Mutate(c Carrier, ms ...assertion.Mutation) func(ctx context.Context, e *Env) (*client.Transcript, error) {
	return func(ctx context.Context, e *Env) (*client.Transcript, error) {
		return e.Send(ctx, c, ms...)
	}
}

// As is a Send that authenticates party p (chosen from the cast) with mutations.
func As(p func(mockidp.Cast) mockidp.Party, ms ...assertion.Mutation) func(ctx context.Context, e *Env) (*client.Transcript, error) {
	return func(ctx context.Context, e *Env) (*client.Transcript, error) {
		return e.Authenticate(ctx, p(e.Cast), ms...)
	}
}

// Build turns the row into a runnable check.
func (r Row) Build() Check {
	c := r.Check
	c.Verdicts = map[Profile]string{}
	for p, w := range r.Want {
		c.Verdicts[p] = w.String()
	}
	if len(c.Profiles) == 0 && len(r.Want) < len(Profiles()) {
		for _, p := range Profiles() {
			if _, ok := r.Want[p]; ok {
				c.Profiles = append(c.Profiles, p)
			}
		}
	}
	c.Run = r.run
	return c
}

// run sends the row, judges it, and confirms a failure with a positive
// control so that a target that stopped answering yields ERROR, not FAIL
// (semantics.md §2).
func (r Row) run(ctx context.Context, e *Env) Result {
	want, ok := r.Want[e.Profile]
	if !ok {
		return NA("does not apply under profile " + string(e.Profile))
	}
	if r.Needs != nil {
		if why := r.Needs(e); why != "" {
			return NA(why)
		}
	}
	if e.Precheck != nil && !want.Accepting() {
		if err := e.Precheck(ctx, r.Carrier); err != nil {
			return Error(err.Error())
		}
	}
	tr, err := r.Send(ctx, e)
	if err != nil {
		return harnessOrTarget(err, tr)
	}
	v := want.Judge(tr, e)
	v.Fail = append(v.Fail, tr.Findings...)
	v.Notes = append(v.Notes, tr.Remarks...)
	res := Result{Exchanges: append(append([]*client.Transcript(nil), tr.Related...), tr), Notes: v.Notes}
	switch {
	case len(v.Fail) == 0 && len(v.Warn) == 0:
		res.Outcome = Pass().Outcome
		return res
	case len(v.Fail) == 0:
		w := Broken(SHOULD, strings.Join(v.Warn, "; "), res.Exchanges...)
		w.Notes = v.Notes
		return w
	}
	reason := strings.Join(append(v.Fail, v.Warn...), "; ")
	if !want.Accepting() {
		ctr, issued, err := e.Control(ctx, r.Carrier)
		if err != nil || !issued {
			out := Error("target stopped issuing tokens after this row (positive control failed); the row itself saw: "+reason, tr)
			if ctr != nil {
				out.Exchanges = append(out.Exchanges, ctr)
			}
			return out
		}
	}
	b := Broken(r.Level, reason, res.Exchanges...)
	b.Notes = v.Notes
	return b
}

// Inapplicable is a Send's way to say the row cannot be judged against
// this target (it never loaded what the row published, say): N/A with the
// reason, never ERROR or FAIL.
type Inapplicable struct{ Reason string }

func (e *Inapplicable) Error() string { return e.Reason }

// harnessOrTarget classifies an error from building or sending a request:
// both are ERROR, with the cause.
func harnessOrTarget(err error, tr *client.Transcript) Result {
	var na *Inapplicable
	if errors.As(err, &na) {
		out := NA(na.Reason)
		if tr != nil {
			out.Exchanges = append(out.Exchanges, tr)
		}
		return out
	}
	if errors.Is(err, client.ErrTransport) {
		if tr != nil {
			return Error(err.Error(), tr)
		}
		return Error(err.Error())
	}
	return Error(fmt.Sprintf("harness: %v", err))
}
