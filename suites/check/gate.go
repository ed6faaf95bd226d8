package check

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/oauth"
	v1 "github.com/assayhq/assay/reports/v1"
)

// Control is a positive control: a valid request that must succeed before
// the rows that depend on it can prove anything (design.md R8). Against a
// target that refuses it, a rejection proves nothing and an acceptance
// proves nothing either, so every dependent row is ERROR "blocked: <ID>
// failed: <cause>", and only the check that is the control reports the
// cause (semantics.md §2, "one cause, one finding").
//
// A suite that needs a control of its own (a resource server's valid
// token, an introspection endpoint's known token) declares one and calls
// Env.Gate before sending; the carriers' controls come from
// Env.CarrierControl.
type Control struct {
	// ID names the control in reasons and as a result's blockedBy: the key
	// of the check whose request the control is (A-JG-14 for client
	// assertions, A-JG-01/grant for the grant), so that a reader finds the
	// cause by its ID in the same report.
	ID string
	// Title says what the control sends, for people.
	Title string
	// Requires are the controls this one's request depends on (a grant
	// request that carries client A's assertion needs the client
	// control). When one of them fails, this control is not run, and its
	// rows are blocked by that one: the cause is named once, where it is.
	Requires []Control
	// Run sends the valid request. PASS means the control holds; any other
	// outcome means it failed, and the Reason says why, in the target's
	// own words where it gave any (see Refusal).
	Run func(ctx context.Context, e *Env) Result
}

// Gates remembers each control's result for one run, so that a control
// runs once however many rows depend on it (semantics.md §2: "once per
// group before it starts"). The zero value is ready to use. An Env whose
// Gates is nil gates nothing: every row sends its request.
type Gates struct {
	mu   sync.Mutex
	done map[string]Result
}

// ControlResult runs ctl once per Gates and returns its result: PASS, or
// the failure with its reason and exchanges. Without Gates it runs ctl
// every time.
func (e *Env) ControlResult(ctx context.Context, ctl Control) Result {
	if e.Gates == nil {
		return runControl(ctx, e, ctl)
	}
	g := e.Gates
	g.mu.Lock()
	defer g.mu.Unlock()
	if r, ok := g.done[ctl.ID]; ok {
		return r
	}
	r := runControl(ctx, e, ctl)
	if ctx.Err() != nil && r.Outcome != v1.Pass {
		// A control cut short by the row's deadline or an interrupt says
		// nothing about the target: the next row asks again.
		return r
	}
	if g.done == nil {
		g.done = map[string]Result{}
	}
	g.done[ctl.ID] = r
	return r
}

func runControl(ctx context.Context, e *Env, ctl Control) Result {
	if ctl.Run == nil {
		return Error("harness: control " + ctl.ID + " has no Run")
	}
	r := ctl.Run(ctx, e)
	if r.Outcome == "" {
		return Error("harness: control " + ctl.ID + " returned no outcome")
	}
	return r
}

// Gate returns nil when ctl and every control it requires hold, and
// otherwise the result of a row that depends on ctl: ERROR, blocked by the
// first control that failed (a required control before ctl itself). Rows
// call it before sending anything; nothing is sent for a blocked row.
func (e *Env) Gate(ctx context.Context, ctl Control) *Result {
	if e.base != nil {
		// A check on a spare client (OnSpare) is gated on the run's
		// controls, which client A answers.
		return e.base.Gate(ctx, ctl)
	}
	if e.Gates == nil {
		return nil
	}
	for _, req := range ctl.Requires {
		if b := e.Gate(ctx, req); b != nil {
			return b
		}
	}
	r := e.ControlResult(ctx, ctl)
	if r.Outcome == v1.Pass {
		return nil
	}
	b := Blocked(ctl, r)
	return &b
}

// GateRequired is Gate for the controls ctl requires, not ctl itself: for
// a check whose own request is ctl (or a variant of it), whose failure is
// the cause rather than a consequence.
func (e *Env) GateRequired(ctx context.Context, ctl Control) *Result {
	for _, req := range ctl.Requires {
		if b := e.Gate(ctx, req); b != nil {
			return b
		}
	}
	return nil
}

// Blocked is the result of a row that could not be judged because ctl
// failed with cause: ERROR "blocked: <ID> failed: <cause's reason>", with
// BlockedBy and Cause set. It carries no exchange: the row sent nothing,
// and the control's exchange is in the control's own row (one copy, not
// one per blocked row).
func Blocked(ctl Control, cause Result) Result {
	why := cause.Reason
	if cause.BlockedBy != "" {
		// The control was itself blocked: name the first cause only.
		return Result{Outcome: v1.Error, Reason: cause.Reason, BlockedBy: cause.BlockedBy, Cause: cause.Cause}
	}
	if why == "" {
		why = string(cause.Outcome)
	}
	return Result{
		Outcome:   v1.Error,
		Reason:    "blocked: " + ctl.ID + " failed: " + why,
		BlockedBy: ctl.ID,
		Cause:     why,
	}
}

// CarrierControl is the positive control of carrier c: client A's
// unmodified client assertion with grant_type=client_credentials (A-JG-14,
// RFC 7521 §6.2) for the client carrier, the unmodified jwt-bearer grant
// from the trusted issuer (A-JG-01, RFC 7523 §2.1) for the grant carrier.
// The grant's control requires the client control when grant requests
// carry client A's assertion (grant.clientAuthMethod private_key_jwt); a
// grant authenticated otherwise, or not at all, stands on its own.
func (e *Env) CarrierControl(c Carrier) Control {
	if c == Grant {
		ctl := Control{ID: "A-JG-01/grant", Title: "a valid jwt-bearer grant from the trusted issuer",
			Run: func(ctx context.Context, e *Env) Result { return sendControl(ctx, e, Grant) }}
		if e.GrantMethod() == oauth.AuthPrivateKeyJWT {
			ctl.Requires = []Control{e.CarrierControl(Client)}
		}
		return ctl
	}
	return Control{ID: "A-JG-14", Title: "client A's valid client assertion (client_credentials)",
		Run: func(ctx context.Context, e *Env) Result { return sendControl(ctx, e, Client) }}
}

// sendControl sends carrier c's unmodified request: PASS with the exchange
// when a token is issued, FAIL with the target's refusal otherwise, ERROR
// when the request could not be built or sent.
func sendControl(ctx context.Context, e *Env, c Carrier) Result {
	tr, issued, err := e.Control(ctx, c)
	if err != nil {
		r := harnessOrTarget(err, tr)
		r.Reason = "could not send the valid request: " + r.Reason
		return r
	}
	if issued {
		return Pass(tr)
	}
	return Result{Outcome: v1.Fail, Reason: Refusal(tr), Exchanges: []*client.Transcript{tr}}
}

// MaxCauseBody bounds how much of a non-JSON refusal body a reason quotes.
// A JSON error's error and error_description are quoted whole: the
// description is where a server says why, and it is often past any short
// cut.
const MaxCauseBody = 300

// Refusal says, in the target's own words, why it did not issue a token:
// "HTTP 401 invalid_client: <error_description>" for an OAuth error
// response (RFC 6749 §5.2), the status and the start of the body
// otherwise, and what was missing from a 200 that carried no token.
func Refusal(tr *client.Transcript) string {
	if tr == nil {
		return "no response"
	}
	if tr.Status == http.StatusOK {
		why := "got HTTP 200 without an access_token in a JSON object"
		if tr.Truncated {
			why = fmt.Sprintf("got HTTP 200 with a body over %d bytes (cut there, so no token could be read)", client.MaxBody)
		}
		if body := quoteBody(tr.Body); body != "" {
			why += ": " + body
		}
		return why
	}
	out := fmt.Sprintf("HTTP %d", tr.Status)
	if m, err := tr.JSON(); err == nil {
		code, _ := m["error"].(string)
		desc, _ := m["error_description"].(string)
		if code != "" {
			out += " " + oneLine(code)
			if desc != "" {
				out += ": " + oneLine(desc)
			}
			return out
		}
	}
	if ch := tr.Header.Values("WWW-Authenticate"); len(ch) > 0 {
		// A resource server's refusal says why in its challenge (RFC 6750 §3).
		return out + ": " + oneLine(strings.Join(ch, ", "))
	}
	if body := quoteBody(tr.Body); body != "" {
		out += ": " + body
	}
	return out
}

func quoteBody(b []byte) string {
	s := oneLine(string(b))
	if r := []rune(s); len(r) > MaxCauseBody {
		s = string(r[:MaxCauseBody]) + "…"
	}
	return s
}

// oneLine folds whitespace runs, newlines included, into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Token sends carrier c's control afresh for a check that judges the token
// response or the token itself (A-TR, A-AT): it returns the exchange when
// a token was issued, and otherwise the result the check returns: blocked
// when the carrier's control failed for the run, ERROR with the target's
// refusal when only this request was refused; N/A where the carrier's rows
// do not apply.
func (e *Env) Token(ctx context.Context, c Carrier) (*client.Transcript, *Result) {
	// The same N/A as the carrier's rows: a grant check is not ERROR where
	// its sibling rows do not apply.
	why := ClientUnavailable(e)
	if c == Grant {
		why = GrantUnavailable(e)
	}
	if why != "" {
		r := NA(why)
		return nil, &r
	}
	if b := e.Gate(ctx, e.CarrierControl(c)); b != nil {
		return nil, b
	}
	tr, issued, err := e.Control(ctx, c)
	if err != nil {
		r := harnessOrTarget(err, tr)
		return tr, &r
	}
	if !issued {
		r := Error("the positive control did not issue a token this time: "+Refusal(tr), tr)
		return tr, &r
	}
	return tr, nil
}

// ControlAnswer says what a confirming positive control got, for the
// reason of a row that is ERROR because the target stopped issuing tokens
// after it: the target's refusal in its own words, or the send error.
func ControlAnswer(ctr *client.Transcript, err error) string {
	if err != nil {
		return "could not send it: " + err.Error()
	}
	return Refusal(ctr)
}
