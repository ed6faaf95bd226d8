package tokenstate

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites/check"
)

// introspectionChecks are the RFC 7662 rows: the endpoint wants
// authentication (§2.1), and answers active with the token's claims for a
// live token and active:false for an expired, unknown or tampered one
// (§2.2).
func introspectionChecks() []check.Check {
	return []check.Check{
		{ID: "C-INT-01", Cite: []string{"RFC7662-2.1", "RFC7662-4"}, Defect: defect.IntrospectWithoutAuth, Verdicts: verdicts("refused"),
			Title: "refuses introspection by a caller that did not authenticate", Run: unauthenticated},
		{ID: "C-INT-02", Cite: []string{"RFC7662-2.2"}, Defect: defect.IntrospectActiveString, Verdicts: verdicts("active"),
			Title: "answers active (a JSON boolean) with the token's own claims for a token it just issued", Run: active},
		{ID: "C-INT-03", Cite: []string{"RFC7662-2.2", "RFC7662-4"}, Defect: defect.IntrospectIgnoreExpiry, Verdicts: verdicts("inactive"),
			Title: "answers active:false for a token once it has expired", Run: expired},
		{ID: "C-INT-04", Cite: []string{"RFC7662-2.2"}, Defect: defect.IntrospectUnknownError, Verdicts: verdicts("inactive"),
			Title: "answers a token it never issued with an introspection response, active:false", Run: inactive(unknownToken)},
		{ID: "C-INT-05", Cite: []string{"RFC7662-2.2", "RFC7662-4"}, Defect: defect.IntrospectNoSignature, Verdicts: verdicts("inactive"),
			Title: "answers active:false for an issued token with one claim altered", Run: inactive(tampered)},
	}
}

// unauthenticated introspects a live token without client authentication:
// RFC 7662 §2.1 requires authorization "to prevent token scanning attacks".
func unauthenticated(ctx context.Context, e *check.Env) check.Result {
	if why := needs(e, true, false); why != "" {
		return check.NA(why)
	}
	t, b := gated(ctx, e, gateIntrospection)
	if b != nil {
		return *b
	}
	tr, err := introspect(ctx, e, t.token, true)
	if err != nil {
		return harness(err, tr)
	}
	switch {
	case granted(tr):
		m, _ := tr.JSON()
		return check.Broken(check.MUST, fmt.Sprintf("HTTP %d to a caller without credentials (active: %s): anyone can scan tokens", tr.Status, jsonText(m["active"])), tr)
	case tr.Status >= 500:
		return check.Broken(check.MUST, fmt.Sprintf("server error HTTP %d instead of refusing the unauthenticated caller", tr.Status), tr)
	}
	return check.Pass(tr)
}

// active introspects a token the target just issued: active must be the
// JSON boolean true, and the claims the answer carries must be the token's
// (RFC 7662 §2.2: the members describe "the token", and a resource server
// acts on them).
func active(ctx context.Context, e *check.Env) check.Result {
	if why := needs(e, true, false); why != "" {
		return check.NA(why)
	}
	if b := e.GateRequired(ctx, introspectControl(e)); b != nil {
		return *b
	}
	t, err := obtain(ctx, e)
	if err != nil {
		return check.Error("could not obtain a token to introspect: "+err.Error(), exchanges(t.trOrNil())...)
	}
	tr, err := introspect(ctx, e, t.token, false)
	if err != nil {
		return harness(err, exchanges(t.tr, tr)...)
	}
	trs := exchanges(t.tr, tr)
	if why, refused := callerRefused(e, tr); refused {
		return check.Error(why, trs...)
	}
	body, on, problem := answer(tr)
	if problem == "" && !on {
		problem = "a token the target just issued introspects active:false"
	}
	if problem == "" {
		problem = strings.Join(mismatches(e, t, body), "; ")
	}
	if problem != "" {
		return check.Broken(check.MUST, problem, trs...)
	}
	if mt := tr.MediaType(); mt != "application/json" {
		return check.Broken(check.MUST, fmt.Sprintf("Content-Type %q, want application/json (RFC 7662 §2.2)", mt), trs...)
	}
	return check.Pass(trs...)
}

// trOrNil lets a failed obtain (nil issued) be passed to exchanges.
func (t *issued) trOrNil() *client.Transcript {
	if t == nil {
		return nil
	}
	return t.tr
}

// mismatches compares the claims of an active introspection answer with
// what assay knows of the token: its JWT claims, the client it was issued
// to, and the time.
func mismatches(e *check.Env, t *issued, body map[string]any) []string {
	var out []string
	for _, n := range []string{"iss", "sub", "client_id", "jti", "exp", "scope"} {
		got, ok := body[n]
		if !ok {
			continue
		}
		if want, ok := t.claims[n]; ok && !sameClaim(n, got, want) {
			out = append(out, fmt.Sprintf("%s is %s, but the token says %s", n, jsonText(got), jsonText(want)))
		}
	}
	if got, ok := body["client_id"].(string); ok && t.principal != "" && got != t.principal {
		out = append(out, fmt.Sprintf("client_id is %q, but the token was issued to %q", got, t.principal))
	}
	if exp, ok := number(body["exp"]); ok && !time.Unix(exp, 0).After(e.Clock().Add(-time.Minute)) {
		out = append(out, fmt.Sprintf("exp %d is in the past for a token said to be active", exp))
	}
	return out
}

// sameClaim compares a claim of the introspection answer with the token's:
// scope as a set of space-separated tokens (RFC 6749 §3.3: order does not
// matter), anything else as JSON.
func sameClaim(name string, got, want any) bool {
	if name == "scope" {
		g, gok := got.(string)
		w, wok := want.(string)
		if gok && wok {
			gs, ws := strings.Fields(g), strings.Fields(w)
			slices.Sort(gs)
			slices.Sort(ws)
			return slices.Equal(gs, ws)
		}
	}
	return jsonText(got) == jsonText(want)
}

// expired introspects a live token, waits until it has expired, and
// introspects it again.
func expired(ctx context.Context, e *check.Env) check.Result {
	if why := needs(e, true, false); why != "" {
		return check.NA(why)
	}
	if b := e.Gate(ctx, introspectControl(e)); b != nil {
		return *b
	}
	t, body, trs, err := control(ctx, e)
	if err != nil {
		return again("a fresh token did not introspect active", err, trs...)
	}
	exp, ok := t.exp(body)
	if !ok {
		return check.NA("the token's lifetime is unknown: no exp in the introspection answer or the token, no expires_in")
	}
	// A second past exp, plus the leeway a server may allow (RFC 7519
	// §4.1.4 "some small leeway").
	wait := exp.Sub(e.Clock()) + time.Second + leeway
	if wait < 0 {
		wait = 0
	}
	if !fits(ctx, e, wait) {
		return check.NA(fmt.Sprintf("needs %s of waiting for the token to expire, more than tokenState.maxWait %s (or the check timeout): shorten the target's token lifetime, or raise maxWait and timeouts.check",
			wait.Round(time.Second), e.TokenState.MaxWait))
	}
	if err := e.Wait(ctx, wait); err != nil {
		return harness(err, trs...)
	}
	r := inactiveNow(ctx, e, t.token, trs, "after expiry: %s",
		fmt.Sprintf("the token expired at %s and still introspects active", exp.UTC().Format(time.RFC3339)))
	if r.Outcome == v1.Pass {
		r.Notes = append(r.Notes, fmt.Sprintf("waited %s past issue", wait.Round(time.Second)))
	}
	return r
}

// leeway is the clock skew allowed to the target on exp.
const leeway = 10 * time.Second

// fits reports whether d of waiting is allowed: at most TokenState.MaxWait
// and before ctx's deadline with a few seconds to spare.
func fits(ctx context.Context, e *check.Env, d time.Duration) bool {
	return d <= e.TokenState.MaxWait && e.Leaves(ctx, d)
}

// inactive introspects a token derived from a live one (mk) and wants an
// introspection response with active:false (RFC 7662 §2.2: "does not exist
// on this server" or otherwise not active).
func inactive(mk func(e *check.Env, t *issued) (string, error)) func(context.Context, *check.Env) check.Result {
	return func(ctx context.Context, e *check.Env) check.Result {
		if why := needs(e, true, false); why != "" {
			return check.NA(why)
		}
		t, b := gated(ctx, e, gateIntrospection)
		if b != nil {
			return *b
		}
		bad, err := mk(e, t)
		if err != nil {
			return harness(fmt.Errorf("harness: %w", err))
		}
		return inactiveNow(ctx, e, bad, nil, "%s (RFC 7662 §2.2: an inactive or unknown token gets an introspection response with active false)",
			"introspects active")
	}
}

// inactiveNow introspects tok, after the exchanges trs that should have
// ended it, and wants an introspection response with active false (RFC
// 7662 §2.2). Otherwise the row is broken (MUST): badAnswer, a format with
// one %s, says what was wrong with the answer; stillActive is the reason
// when the token introspects active.
func inactiveNow(ctx context.Context, e *check.Env, tok string, trs []*client.Transcript, badAnswer, stillActive string) check.Result {
	tr, err := introspect(ctx, e, tok, false)
	if err != nil {
		return harness(err, append(trs, tr)...)
	}
	trs = append(trs, tr)
	_, on, problem := answer(tr)
	switch {
	case problem != "":
		return check.Broken(check.MUST, fmt.Sprintf(badAnswer, problem), trs...)
	case on:
		return check.Broken(check.MUST, stillActive, trs...)
	}
	return check.Pass(trs...)
}

// unknownToken is a random string the target never issued, shaped like an
// opaque token.
func unknownToken(e *check.Env, _ *issued) (string, error) {
	id, err := assertion.NewJTI(e.Rand)
	if err != nil {
		return "", err
	}
	return "assay-unknown-" + id, nil
}

// tampered is the live token with one claim added to its JWT payload (the
// signature kept), or, for an opaque token, one character changed.
func tampered(_ *check.Env, t *issued) (string, error) {
	if t.claims == nil {
		b := []byte(t.token)
		i := len(b) / 2
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b), nil
	}
	claims := map[string]any{}
	for k, v := range t.claims {
		claims[k] = v
	}
	claims["assay_tampered"] = true
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(claims); err != nil {
		return "", err
	}
	parts := strings.Split(t.token, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString(bytes.TrimSpace(buf.Bytes()))
	return strings.Join(parts, "."), nil
}
