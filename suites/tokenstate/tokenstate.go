// Package tokenstate holds the checks of a target's token state service
// (C-INT-*, C-REV-*): RFC 7662 token introspection, RFC 7009 token
// revocation, and a protected resource that consults introspection so that
// a revoked token stops working. The tokens come from the target itself
// (client_credentials, the jwt-bearer grant, or a hook command), and the
// client the config names authenticates to both endpoints.
//
// https://datatracker.ietf.org/doc/html/rfc7662
// https://datatracker.ietf.org/doc/html/rfc7009
package tokenstate

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/oauth"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites/check"
)

// Suite is the label value of these checks.
const Suite = "tokenstate"

// Checks returns every token state check.
func Checks() []check.Check {
	// Nothing here depends on the profile: one profile proves each kill.
	// A revocation may reach every token of the client (RFC 7009 §2.1), and
	// the introspection rows wait for a token to expire: each runs alone.
	s := check.Suite{Name: Suite, KillIn: []check.Profile{check.BASE},
		Serial: "revokes tokens or waits for one to expire"}
	return s.Checks(introspectionChecks(), revocationChecks())
}

// The keys of the positive checks the other rows depend on, for the
// "blocked" reasons (semantics.md §2).
const (
	controlIntrospect = "C-INT-02"
	controlRevoke     = "C-REV-01"
)

// needs is the N/A reason when the suite or an endpoint is missing, or "".
func needs(e *check.Env, introspection, revocation bool) string {
	ts := e.TokenState
	switch {
	case !ts.Enabled:
		return "tokenState.enabled is false"
	case introspection && ts.Introspection == "":
		return "the target offers no introspection endpoint (no introspection_endpoint in the metadata, no target.introspectionEndpoint)"
	case revocation && ts.Revocation == "":
		return "the target offers no revocation endpoint (no revocation_endpoint in the metadata, no target.revocationEndpoint)"
	}
	return ""
}

// issued is a token obtained from the target, with what is known of it.
type issued struct {
	token     string
	expiresIn time.Duration      // from the token response; 0 when unknown
	at        time.Time          // when it was obtained
	tr        *client.Transcript // the token response; nil for a command
	claims    map[string]any     // the JWT payload; nil for an opaque token
	principal string             // the client it was issued to, when assay knows
}

// obtain gets a fresh token from the target as TokenState.From says. An
// error means no token: the check cannot run (ERROR).
func obtain(ctx context.Context, e *check.Env) (*issued, error) {
	ts := e.TokenState
	t := &issued{at: e.Clock()}
	switch ts.From {
	case check.TokenFromCommand:
		if ts.Command == nil {
			return nil, errors.New("tokenState.tokenFrom is command but no tokenCommand is set")
		}
		tok, err := ts.Command(ctx)
		if err != nil {
			return nil, fmt.Errorf("token command: %w", err)
		}
		if t.token = strings.TrimSpace(tok); t.token == "" {
			return nil, errors.New("token command printed no token")
		}
	case check.TokenFromGrant:
		tr, err := e.BearerGrant(ctx)
		if err != nil {
			return nil, fmt.Errorf("jwt-bearer grant: %w", err)
		}
		if err := t.fromResponse(tr); err != nil {
			return nil, err
		}
	default:
		form := client.Form{{Name: "grant_type", Value: oauth.GrantClientCreds}}
		if e.Scope != "" {
			form = form.Add("scope", e.Scope)
		}
		form, h, err := authenticate(e, form)
		if err != nil {
			return nil, err
		}
		tr, err := e.Post(ctx, form, h)
		if err != nil {
			return nil, fmt.Errorf("client_credentials: %w", err)
		}
		if err := t.fromResponse(tr); err != nil {
			return nil, err
		}
		t.principal = ts.Client.ID
	}
	t.claims = payload(t.token)
	return t, nil
}

func (t *issued) fromResponse(tr *client.Transcript) error {
	t.tr = tr
	if tr.Status != http.StatusOK || tr.AccessToken() == "" {
		return fmt.Errorf("the token request was refused: HTTP %d: %s", tr.Status, clip(tr.Body))
	}
	t.token = tr.AccessToken()
	if m, err := tr.JSON(); err == nil {
		if n, ok := m["expires_in"].(json.Number); ok {
			if s, err := n.Int64(); err == nil && s > 0 {
				t.expiresIn = time.Duration(s) * time.Second
			}
		}
	}
	return nil
}

// exp is when the token expires: the introspection's exp, else the JWT's,
// else obtained + expires_in; ok is false when nothing says.
func (t *issued) exp(intro map[string]any) (time.Time, bool) {
	for _, m := range []map[string]any{intro, t.claims} {
		if n, ok := number(m["exp"]); ok {
			return time.Unix(n, 0), true
		}
	}
	if t.expiresIn > 0 {
		return t.at.Add(t.expiresIn), true
	}
	return time.Time{}, false
}

// payload decodes the claims of a compact JWS, or nil.
func payload(tok string) map[string]any {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if dec.Decode(&m) != nil {
		return nil
	}
	return m
}

func number(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, true
		}
		if f, err := n.Float64(); err == nil {
			return int64(f), true
		}
	case float64:
		return int64(n), true
	}
	return 0, false
}

// authenticate adds TokenState.Client's authentication to form: a client
// assertion (RFC 7523 §2.2) or HTTP Basic (RFC 6749 §2.3.1, the id and
// secret form-urlencoded first).
func authenticate(e *check.Env, form client.Form) (client.Form, http.Header, error) {
	p := e.TokenState.Client
	h := http.Header{}
	switch p.AuthMethod {
	case oauth.AuthClientSecretBasic:
		cred := url.QueryEscape(p.ID) + ":" + url.QueryEscape(p.Secret)
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
		return form, h, nil
	case oauth.AuthClientSecretPost:
		return form.Add("client_id", p.ID).Add("client_secret", p.Secret), h, nil
	}
	ca, err := e.ClientAssertion(p)
	if err != nil {
		return nil, nil, fmt.Errorf("harness: client %s: %w", p.Name, err)
	}
	return form.Add("client_assertion_type", oauth.AssertionTypeJWT).Add("client_assertion", ca), h, nil
}

// introspect asks the introspection endpoint about tok (RFC 7662 §2.1),
// authenticated as TokenState.Client unless anonymous.
func introspect(ctx context.Context, e *check.Env, tok string, anonymous bool) (*client.Transcript, error) {
	form := client.Form{{Name: "token", Value: tok}, {Name: "token_type_hint", Value: "access_token"}}
	h := http.Header{}
	if !anonymous {
		var err error
		if form, h, err = authenticate(e, form); err != nil {
			return nil, err
		}
	}
	return e.HTTP.Do(ctx, client.Request{URL: e.TokenState.Introspection, Form: form, Header: h})
}

// revoke asks the revocation endpoint to revoke tok (RFC 7009 §2.1).
func revoke(ctx context.Context, e *check.Env, tok string) (*client.Transcript, error) {
	form := client.Form{{Name: "token", Value: tok}, {Name: "token_type_hint", Value: "access_token"}}
	form, h, err := authenticate(e, form)
	if err != nil {
		return nil, err
	}
	return e.HTTP.Do(ctx, client.Request{URL: e.TokenState.Revocation, Form: form, Header: h})
}

// present sends tok to the resource that consults introspection.
func present(ctx context.Context, e *check.Env, tok string) (*client.Transcript, error) {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+tok)
	return e.HTTP.Do(ctx, client.Request{Method: http.MethodGet, URL: e.TokenState.Resource, Header: h})
}

// answer reads an introspection response (RFC 7662 §2.2): HTTP 200, a JSON
// object with the boolean "active". problem says what is wrong, or "".
func answer(tr *client.Transcript) (body map[string]any, active bool, problem string) {
	if tr.Status != http.StatusOK {
		return nil, false, fmt.Sprintf("HTTP %d, not an introspection response: %s", tr.Status, clip(tr.Body))
	}
	m, err := tr.JSON()
	if err != nil {
		return nil, false, fmt.Sprintf("the body is not a JSON object: %s", clip(tr.Body))
	}
	a, ok := m["active"].(bool)
	if !ok {
		return m, false, fmt.Sprintf(`"active" is %s, not a JSON boolean (RFC 7662 §2.2)`, jsonText(m["active"]))
	}
	return m, a, ""
}

// callerRefused reports whether introspection refused the caller itself
// (401, 403, invalid_client, unauthorized_client), and says so. RFC 7662
// §2.1 leaves to the server which clients may introspect, so this is a
// configuration matter (ERROR), not a broken rule.
func callerRefused(e *check.Env, tr *client.Transcript) (string, bool) {
	code := tr.ErrorCode()
	if tr.Status != http.StatusUnauthorized && tr.Status != http.StatusForbidden && code != "invalid_client" && code != "unauthorized_client" {
		return "", false
	}
	return fmt.Sprintf("introspection refused client %s (%s): a server may choose which clients introspect (RFC 7662 §2.1); name one it allows in tokenState.client, or set tokenState.enabled false",
		e.TokenState.Client.ID, check.Refusal(tr)), true
}

// control obtains a fresh token and has it introspect active. An error
// says why not.
func control(ctx context.Context, e *check.Env) (*issued, map[string]any, []*client.Transcript, error) {
	t, err := obtain(ctx, e)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("could not obtain a token: %w", err)
	}
	trs := exchanges(t.tr)
	tr, err := introspect(ctx, e, t.token, false)
	if err != nil {
		return t, nil, trs, fmt.Errorf("introspection: %w", err)
	}
	trs = append(trs, tr)
	if why, refused := callerRefused(e, tr); refused {
		return t, nil, trs, errCaller{why}
	}
	body, active, problem := answer(tr)
	switch {
	case problem != "":
		return t, body, trs, errors.New(problem)
	case !active:
		return t, body, trs, errors.New("a token the target just issued introspects active:false")
	}
	return t, body, trs, nil
}

// source is the control of the request the tokens come from, when it is a
// carrier's (client A's client_credentials, or the jwt-bearer grant): a
// target that issues no tokens blocks these rows there, where the cause is.
func source(e *check.Env) []check.Control {
	switch {
	case e.TokenState.From == check.TokenFromGrant:
		return []check.Control{e.CarrierControl(check.Grant)}
	case e.TokenState.From == check.TokenFromClient && e.TokenState.Client.ID == e.Cast.A.ID && e.TokenState.Client.AuthMethod == e.Cast.A.AuthMethod:
		return []check.Control{e.CarrierControl(check.Client)}
	}
	return nil
}

// introspectControl is the positive control of the introspection rows
// (semantics.md §2): a token the target just issued introspects active.
// It is C-INT-02's request; while it fails, the rows that judge inactive
// answers prove nothing and are blocked.
func introspectControl(e *check.Env) check.Control {
	return check.Control{ID: controlIntrospect, Title: "a token the target just issued introspects active", Requires: source(e),
		Run: func(ctx context.Context, e *check.Env) check.Result {
			t, _, trs, err := control(ctx, e)
			var caller errCaller
			switch {
			case t == nil:
				return check.Error(err.Error())
			case errors.As(err, &caller):
				return check.Error(caller.why, trs...)
			case err != nil:
				return check.Result{Outcome: v1.Fail, Reason: err.Error(), Exchanges: trs}
			}
			return check.Pass(trs...)
		}}
}

// revokeControl is the positive control of the rows that need a revoked
// token: the token's own client revokes a token it was just issued
// (C-REV-01's request).
func revokeControl(e *check.Env) check.Control {
	return check.Control{ID: controlRevoke, Title: "the client revokes an access token it was just issued", Requires: source(e),
		Run: func(ctx context.Context, e *check.Env) check.Result {
			t, err := obtain(ctx, e)
			if err != nil {
				return check.Error("could not obtain a token: " + err.Error())
			}
			tr, err := revoke(ctx, e, t.token)
			trs := exchanges(t.tr, tr)
			switch {
			case err != nil:
				return check.Error(err.Error(), trs...)
			case tr.Status != http.StatusOK:
				return check.Result{Outcome: v1.Fail, Reason: check.Refusal(tr), Exchanges: trs}
			}
			return check.Pass(trs...)
		}}
}

// gateRevocation gates a row on revokeControl; a target that does not
// revoke access tokens at all (RFC 7009 §2.2.1 unsupported_token_type,
// allowed: §2 says SHOULD) makes the row N/A rather than blocked.
func gateRevocation(ctx context.Context, e *check.Env) *check.Result {
	b := e.Gate(ctx, revokeControl(e))
	if b != nil && b.BlockedBy == controlRevoke && strings.Contains(b.Cause, "unsupported_token_type") {
		r := check.NA(fmt.Sprintf("the target does not revoke access tokens (%s: unsupported_token_type)", controlRevoke))
		return &r
	}
	return b
}

// gated opens a row that stands behind positive controls: each gate in
// turn, then a fresh token from the target. The first gate that blocks the
// row, or the ERROR of a token the target would not issue this time
// though its control passed, is the row's result.
func gated(ctx context.Context, e *check.Env, gates ...func(context.Context, *check.Env) *check.Result) (*issued, *check.Result) {
	for _, gate := range gates {
		if b := gate(ctx, e); b != nil {
			return nil, b
		}
	}
	t, err := obtain(ctx, e)
	if err != nil {
		r := again("could not obtain a token", err, exchanges(t.trOrNil())...)
		return nil, &r
	}
	return t, nil
}

// gateIntrospection gates a row on introspectControl.
func gateIntrospection(ctx context.Context, e *check.Env) *check.Result {
	return e.Gate(ctx, introspectControl(e))
}

// again is the ERROR of a row whose own token failed a step the control
// passed: the target changed its answer, nothing is judged.
func again(what string, err error, trs ...*client.Transcript) check.Result {
	return check.Error(fmt.Sprintf("%s this time, though the control passed: %v", what, err), trs...)
}

// harness turns a send error into ERROR.
func harness(err error, trs ...*client.Transcript) check.Result {
	return check.Error(err.Error(), trs...)
}

func exchanges(trs ...*client.Transcript) []*client.Transcript {
	var out []*client.Transcript
	for _, tr := range trs {
		if tr != nil {
			out = append(out, tr)
		}
	}
	return out
}

func granted(tr *client.Transcript) bool { return tr.Status >= 200 && tr.Status < 300 }

// clip is the start of a body for a reason: 200 characters, whole runes.
func clip(b []byte) string {
	r := []rune(strings.TrimSpace(string(b)))
	if len(r) > 200 {
		return string(r[:200]) + "…"
	}
	return string(r)
}

func jsonText(v any) string {
	if v == nil {
		return "missing"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// verdicts is the same catalog verdict under every profile.
func verdicts(x string) map[check.Profile]string {
	m := map[check.Profile]string{}
	for _, p := range check.Profiles() {
		m[p] = x
	}
	return m
}

// errCaller is control's error when introspection refused the caller.
type errCaller struct{ why string }

func (e errCaller) Error() string { return e.why }
