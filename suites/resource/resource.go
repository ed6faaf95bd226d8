// Package resource holds the resource-server checks (C-RS-*, see this
// package's README): the target is a verifier, a URL that takes
// "Authorization: Bearer" tokens (RFC 6750 §2.1), and assay plays the token
// issuer it trusts (IdP-V, mockidp/tokenissuer), minting RFC 9068 access
// tokens, valid and broken. A refused token must get 401 with
// WWW-Authenticate: Bearer and error="invalid_token" (RFC 6750 §3).
//
// https://datatracker.ietf.org/doc/html/rfc6750#section-3
package resource

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/suites/check"
)

// Suite is the label value of these checks.
const Suite = "resource"

// Checks returns every resource-server check.
func Checks() []check.Check {
	// The verifier has no profile: one profile proves each kill.
	s := check.Suite{Name: Suite, KillIn: []check.Profile{check.BASE}}
	return s.Checks(tokenChecks(), keyChecks())
}

// applies is the N/A reason when there is no verifier to test, or "".
func applies(e *check.Env) string {
	switch {
	case e.Verifier.URL == "":
		return "no verifier URL configured"
	case e.TokenIssuer == nil:
		return "no token issuer hosted by assay that the verifier trusts"
	}
	return ""
}

// mint signs an access token from the issuer's default (valid) draft with
// mutations applied.
func mint(e *check.Env, ms ...assertion.Mutation) (string, error) {
	jti, err := assertion.NewJTI(e.Rand)
	if err != nil {
		return "", err
	}
	d, err := e.TokenIssuer.Draft(e.Clock(), jti, 5*time.Minute)
	if err != nil {
		return "", err
	}
	if e.Verifier.Audience != "" {
		d.Claims = d.Claims.Set("aud", e.Verifier.Audience)
	}
	return d.Apply(ms...).Sign(e.Rand)
}

// present sends tok to the verifier as a Bearer token ("" sends none).
func present(ctx context.Context, e *check.Env, tok string) (*client.Transcript, error) {
	h := http.Header{}
	if tok != "" {
		h.Set("Authorization", "Bearer "+tok)
	}
	return e.HTTP.Do(ctx, client.Request{Method: http.MethodGet, URL: e.Verifier.URL, Header: h})
}

// harness turns a mint or send error into ERROR.
func harness(err error, tr *client.Transcript) check.Result {
	if errors.Is(err, client.ErrTransport) {
		return check.Error(err.Error(), tr)
	}
	return check.Error("harness: " + err.Error())
}

func granted(tr *client.Transcript) bool { return tr.Status >= 200 && tr.Status < 300 }

// challenge judges a refusal (RFC 6750 §3, §3.1): no 2xx and no 5xx, a
// WWW-Authenticate header with the Bearer scheme (MUST), status 401 and
// error="invalid_token" when a token was sent (SHOULD).
func challenge(tr *client.Transcript, sentToken bool) check.Verdict {
	var v check.Verdict
	switch {
	case granted(tr):
		v.Fail = append(v.Fail, fmt.Sprintf("the token was accepted: HTTP %d", tr.Status))
		return v
	case tr.Status >= 500:
		v.Fail = append(v.Fail, fmt.Sprintf("server error HTTP %d on a bad token", tr.Status))
		return v
	}
	params, ok := bearerChallenge(tr.Header.Values("WWW-Authenticate"))
	if !ok {
		v.Fail = append(v.Fail, fmt.Sprintf("HTTP %d without a WWW-Authenticate: Bearer challenge (RFC 6750 §3)", tr.Status))
	}
	if tr.Status != http.StatusUnauthorized {
		v.Warn = append(v.Warn, fmt.Sprintf("HTTP %d, want 401 (RFC 6750 §3.1)", tr.Status))
	}
	if ok && sentToken && params["error"] != "invalid_token" {
		v.Warn = append(v.Warn, fmt.Sprintf("challenge error=%q, want \"invalid_token\" (RFC 6750 §3.1)", params["error"]))
	}
	return v
}

// bearerChallenge finds the Bearer challenge among WWW-Authenticate values
// and returns its auth-params (RFC 6750 §3; RFC 9110 §11.6.1).
func bearerChallenge(values []string) (map[string]string, bool) {
	for _, v := range values {
		scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
		if !strings.EqualFold(scheme, "Bearer") {
			continue
		}
		params := map[string]string{}
		for _, p := range splitParams(rest) {
			name, val, found := strings.Cut(p, "=")
			if !found {
				continue
			}
			params[strings.ToLower(strings.TrimSpace(name))] = strings.Trim(strings.TrimSpace(val), `"`)
		}
		return params, true
	}
	return nil, false
}

// splitParams splits auth-params on commas outside quoted strings.
func splitParams(s string) []string {
	var out []string
	var b strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ',' && !quoted:
			out = append(out, b.String())
			b.Reset()
			continue
		}
		b.WriteRune(r)
	}
	return append(out, b.String())
}

// gate is the positive control every refusal row runs before it sends its
// own token (semantics.md §2, one cause, one finding): a valid token must
// be accepted, else the row is ERROR "blocked: C-RS-01 failed: …", never
// PASS. A verifier that refuses everything (an HS256 verifier handed ES256
// tokens, a wrong audience in the config) would otherwise pass every
// refusal row. The control runs per row, not once per run, so a verifier
// that stops accepting in the middle of the run still blocks the rows
// after it.
func gate(ctx context.Context, e *check.Env) (check.Result, bool) {
	tok, err := mint(e)
	if err != nil {
		return harness(err, nil), false
	}
	tr, err := present(ctx, e, tok)
	if err != nil {
		return harness(err, tr), false
	}
	if !granted(tr) {
		return check.Error(blocked(tr), tr), false
	}
	return check.Result{}, true
}

// blocked is the reason of a row whose valid-token control was refused.
func blocked(tr *client.Transcript) string {
	why := fmt.Sprintf("a valid access token was refused: HTTP %d", tr.Status)
	if c := tr.Header.Get("WWW-Authenticate"); c != "" {
		why += " " + c
	}
	return "blocked: C-RS-01 failed: " + why
}

// refused turns a judged refusal into a result; a wrong answer is confirmed
// with a valid token, so that a verifier that stopped accepting yields
// ERROR, not FAIL (semantics.md §2).
func refused(ctx context.Context, e *check.Env, lvl check.Level, tr *client.Transcript, v check.Verdict) check.Result {
	switch {
	case len(v.Fail) == 0 && len(v.Warn) == 0:
		return check.Pass(tr)
	case len(v.Fail) == 0:
		return check.Broken(check.SHOULD, strings.Join(v.Warn, "; "), tr)
	}
	tok, err := mint(e)
	if err != nil {
		return harness(err, nil)
	}
	ctr, err := present(ctx, e, tok)
	if err != nil || !granted(ctr) {
		r := check.Error("the verifier stopped accepting valid tokens after this row (positive control failed); the row itself saw: "+strings.Join(v.Fail, "; "), tr)
		if ctr != nil {
			r.Exchanges = append(r.Exchanges, ctr)
		}
		return r
	}
	return check.Broken(lvl, strings.Join(append(v.Fail, v.Warn...), "; "), tr)
}

// verdicts is the same catalog verdict under every profile.
func verdicts(x string) map[check.Profile]string {
	m := map[check.Profile]string{}
	for _, p := range check.Profiles() {
		m[p] = x
	}
	return m
}
