package check

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/oauth"
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

// Sender sends a row's request with the JWT under test on carrier c (the
// row's Carrier, so that one row can run on both carriers).
type Sender func(ctx context.Context, e *Env, c Carrier) (*client.Transcript, error)

// Row declares a check that is one request and one judged answer: the
// check, the request that carries its mutation, and the expected answer per
// profile (design.md R6). A profile missing from Want means the row does
// not apply under it. A check that is not one request and one answer (a
// scenario over several exchanges, a document probe) is declared as a
// Check with Run instead. Suite.Rows builds rows into checks.
type Row struct {
	Check
	Send Sender
	Want map[Profile]Expectation
	// Needs, when set, returns why the row does not apply to this target
	// (a capability the metadata or config lacks), or "" when it does.
	// Rows on the grant carrier need the grant enabled without saying so.
	Needs func(e *Env) string
	// AlsoGrant runs the row a second time with the jwt-bearer grant's
	// assertion as the carrier (catalog.md's [G] rows): one more check,
	// keyed ID/grant, with the same defect and Want. Where the carriers
	// differ in defect or expectation, declare one row per carrier.
	AlsoGrant bool
	// Once marks a request that cannot be sent twice (it replays a jti or
	// races one): nothing may retry it, and it runs alone in a parallel
	// run (Check.Serial).
	Once bool
	// Ungated marks a row whose request is its carrier's positive control
	// (A-JG-01/grant), or coincides with it where no contrast exists (the
	// issuer as the sole aud under the profiles that allow only that): its
	// refusal is the cause itself, so it runs even when the control
	// failed. It is still gated by the controls its carrier's control
	// requires. Every other row, positive or negative, is ERROR "blocked"
	// when its carrier's control fails (semantics.md §2), except as
	// Contrast says.
	Ungated bool
	// Contrast, on a positive row, sends the row's request without what
	// the row tests (the other typing, another advertised algorithm, a
	// client_id added): when the carrier's control failed, the row is
	// still sent; it passes if it is issued a token, it fails if it is
	// refused while Contrast is issued one (the refusal is then about the
	// row's change), and it is blocked otherwise. A row whose request the
	// control may coincide with needs one, or it could never fail where
	// its own defect breaks the control.
	Contrast Sender
}

// Mutate is a Sender that carries the mutations on the row's carrier.
func Mutate(ms ...assertion.Mutation) Sender {
	return func(ctx context.Context, e *Env, c Carrier) (*client.Transcript, error) {
		return e.Send(ctx, c, ms...)
	}
}

// MutateWith is a Sender whose mutations need the Env or the carrier (a
// key of the cast, a URL of the target): mk builds them per run.
func MutateWith(mk func(e *Env, c Carrier) ([]assertion.Mutation, error)) Sender {
	return func(ctx context.Context, e *Env, c Carrier) (*client.Transcript, error) {
		ms, err := mk(e, c)
		if err != nil {
			return nil, err
		}
		return e.Send(ctx, c, ms...)
	}
}

// As is a Sender that authenticates party p (chosen from the cast) with
// mutations, whatever the carrier.
func As(p func(mockidp.Cast) mockidp.Party, ms ...assertion.Mutation) Sender {
	return func(ctx context.Context, e *Env, _ Carrier) (*client.Transcript, error) {
		return e.Authenticate(ctx, p(e.Cast), ms...)
	}
}

// build turns the row into a runnable check: its Verdicts and Profiles
// from Want, its Run from run.
func (r Row) build() Check {
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
	if r.Once && c.Serial == "" {
		c.Serial = OnceSerial
	}
	c.Run = r.run
	return c
}

// OnceSerial is the Serial of a row marked Once.
const OnceSerial = "sends a request that cannot be repeated (a replay or a race)"

// run sends the row, judges it, and confirms a failure with a positive
// control so that a target that stopped answering yields ERROR, not FAIL
// (semantics.md §2).
func (r Row) run(ctx context.Context, e *Env) Result {
	want, ok := r.Want[e.Profile]
	if !ok {
		return NA("does not apply under profile " + string(e.Profile))
	}
	if r.Carrier == Grant {
		if why := GrantUnavailable(e); why != "" {
			return NA(why)
		}
	} else if r.Carrier == Client {
		if why := ClientUnavailable(e); why != "" {
			return NA(why)
		}
	}
	if r.Needs != nil {
		if why := r.Needs(e); why != "" {
			return NA(why)
		}
	}
	ctl := e.CarrierControl(r.Carrier)
	if b := e.GateRequired(ctx, ctl); b != nil {
		return *b
	}
	// blocked is set when the carrier's control failed. A row is then not
	// sent, unless it is Ungated, or a positive row with a Contrast that
	// can tell its own refusal from the control's.
	var blocked *Result
	if !r.Ungated {
		blocked = e.Gate(ctx, ctl)
	}
	if blocked != nil && (r.Contrast == nil || !want.Accepting()) {
		return *blocked
	}
	tr, err := r.Send(ctx, e, r.Carrier)
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
	if blocked != nil {
		// The control failed too: the refusal is this row's own only when
		// the same request without the row's change is issued a token.
		ctr, err := r.Contrast(ctx, e, r.Carrier)
		if err != nil || ctr == nil || ctr.Status != 200 || ctr.AccessToken() == "" {
			return *blocked
		}
		res.Exchanges = append(res.Exchanges, ctr)
		v.Notes = append(v.Notes, "the same request without this row's change was issued a token, so the refusal is about the change")
	}
	if !want.Accepting() {
		ctr, issued, err := e.Control(ctx, r.Carrier)
		if err != nil || !issued {
			out := Error("target stopped issuing tokens after this row (the positive control then got "+ControlAnswer(ctr, err)+"); the row itself saw: "+reason, tr)
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

// GrantUnavailable is why no check on the grant carrier applies to this
// target, or "" when the config enables the jwt-bearer grant and gives
// assay what it needs to send one: the one gate every grant row and grant
// check goes through. The config decides, not the metadata: a server whose
// grant_types_supported omits a grant it takes still has every grant row
// run, and the omission is reported once, by its own metadata row.
func GrantUnavailable(e *Env) string {
	if !e.Grant.Enabled {
		return "the target config disables the jwt-bearer grant"
	}
	if urn := cmp.Or(e.Grant.URN, oauth.GrantJWTBearer); !e.Grant.Asked && len(e.Meta.GrantTypesSupported) > 0 && !slices.Contains(e.Meta.GrantTypesSupported, urn) {
		return "the metadata's grant_types_supported does not list " + urn + ", so the target does not offer the grant (grant.enabled: true runs the grant rows anyway)"
	}
	is := e.GrantIssuer()
	switch {
	case e.Grant.TrustModel == TrustSelfSigned && e.Grant.Client != "" && is.ID == "":
		return "grant.client names client " + e.Grant.Client + ", which is not configured"
	case len(is.Keys) == 0 && is.Secret == "":
		return "the grant issuer has no signing key (grant.key or grant.secretEnv)"
	}
	switch m := e.GrantMethod(); m {
	case oauth.AuthClientSecretJWT:
		if e.Cast.H.ID == "" || e.Cast.H.Secret == "" {
			return "grant requests authenticate as client H (client_secret_jwt), which is not configured"
		}
	case oauth.AuthClientSecretBasic, oauth.AuthClientSecretPost:
		if e.Cast.S.ID == "" || e.Cast.S.Secret == "" {
			return "grant requests authenticate as client S (" + m + "), which is not configured"
		}
	}
	return ""
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
