// Package resource holds the resource-server checks (C-RS-*, see this
// package's README): the target is a verifier, a URL that takes JWTs (as
// "Authorization: Bearer" tokens, RFC 6750 §2.1, in a form field or in a
// JSON body), and assay plays the token issuer it trusts (IdP-V,
// mockidp/tokenissuer), minting RFC 9068 access tokens, ID Tokens or plain
// JWTs, valid and broken. A Bearer verifier must refuse with 401,
// WWW-Authenticate: Bearer and error="invalid_token" (RFC 6750 §3); any
// verifier's answers are judged by its allow and deny rules.
//
// https://datatracker.ietf.org/doc/html/rfc6750#section-3
package resource

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	v1 "github.com/assayhq/assay/reports/v1"
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

// applies is the N/A reason when there is no verifier to test, or when one
// of needs says the row does not apply to it; "" when it applies.
func applies(e *check.Env, needs ...func(e *check.Env) string) string {
	switch {
	case e.Verifier.URL == "":
		return "no verifier URL configured"
	case e.TokenIssuer == nil:
		return "no token issuer hosted by assay that the verifier trusts"
	}
	for _, n := range needs {
		if why := n(e); why != "" {
			return why
		}
	}
	return ""
}

// asymmetric: the issuer signs with published keys (rotation, kid and
// key-confusion rows).
func asymmetric(e *check.Env) string {
	if e.TokenIssuer.Symmetric() {
		return "the issuer signs with a shared secret (" + e.TokenIssuer.Alg() + "): no published keys"
	}
	return ""
}

// symmetric: the issuer signs with a shared secret.
func symmetric(e *check.Env) string {
	if !e.TokenIssuer.Symmetric() {
		return "the issuer signs with published keys (" + e.TokenIssuer.Alg() + "), not a shared secret"
	}
	return ""
}

// kind: the verifier takes tokens of kind k.
func kind(k string) func(e *check.Env) string {
	return func(e *check.Env) string {
		if got := e.Verifier.TokenKind(); got != k {
			return fmt.Sprintf("the verifier takes %s tokens, this row is about %s verifiers", got, k)
		}
		return ""
	}
}

// bearer: the token goes in Authorization: Bearer, where RFC 6750 §3's
// challenge applies.
func bearer(e *check.Env) string {
	if !e.Verifier.Bearer() {
		return "the token is sent in " + e.Verifier.Where() + ", not as a Bearer token: RFC 6750 §3's challenge does not apply"
	}
	return ""
}

// claims: the verifier requires claims with values.
func claims(e *check.Env) string {
	if len(e.Verifier.Claims) == 0 {
		return "the config names no claim the verifier requires (verifier.claims)"
	}
	return ""
}

// scoped: the resource requires a scope.
func scoped(e *check.Env) string {
	if e.Verifier.Scope == "" {
		return "the config names no scope the resource requires (verifier.scope)"
	}
	return ""
}

// nonce: the relying party checks a nonce.
func nonce(e *check.Env) string {
	if e.Verifier.Nonce == "" {
		return "the config names no nonce the relying party checks (verifier.nonce)"
	}
	return ""
}

// draft is the valid token the verifier must accept, unsigned: the
// issuer's default access token, shaped for the verifier's kind (an ID
// Token for a relying party, a plain JWT), with its audience, required
// claims and scope.
func draft(e *check.Env) (*assertion.Draft, error) {
	jti, err := assertion.NewJTI(e.Rand)
	if err != nil {
		return nil, err
	}
	d, err := e.TokenIssuer.Draft(e.Clock(), jti, 5*time.Minute)
	if err != nil {
		return nil, err
	}
	v := e.Verifier
	if v.Audience != "" {
		d.Claims = d.Claims.Set("aud", v.Audience)
	}
	switch v.TokenKind() {
	case check.IDTokens:
		// OIDC Core §2: an ID Token names no client_id or scope; the
		// relying party's client_id is its aud.
		d.Claims = d.Claims.Remove("client_id").Remove("scope").Set("auth_time", d.Now.Unix())
		if v.Nonce != "" {
			d.Claims = d.Claims.Set("nonce", v.Nonce)
		}
	case check.PlainJWTs:
		d.Claims = d.Claims.Remove("client_id")
		if v.Scope == "" {
			d.Claims = d.Claims.Remove("scope")
		}
	}
	if v.Scope != "" {
		d.Claims = d.Claims.Set("scope", v.Scope)
	}
	for _, n := range claimNames(v) {
		d.Claims = d.Claims.Set(n, v.Claims[n])
	}
	return d, nil
}

// claimNames are the required claims' names, sorted.
func claimNames(v check.VerifierTarget) []string {
	names := make([]string, 0, len(v.Claims))
	for n := range v.Claims {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// mint signs the valid token with mutations applied.
func mint(e *check.Env, ms ...assertion.Mutation) (string, error) {
	d, err := draft(e)
	if err != nil {
		return "", err
	}
	return d.Apply(ms...).Sign(e.Rand)
}

// offer makes a token (the row's own, or muts of the valid one) and
// presents it to the verifier. A failed step is the row's ERROR (harness),
// else failed is nil; tok is returned for a row that presents it again.
func offer(ctx context.Context, e *check.Env, token func(e *check.Env) (string, error)) (tok string, tr *client.Transcript, failed *check.Result) {
	tok, err := token(e)
	if err != nil {
		r := harness(err, nil)
		return "", nil, &r
	}
	tr, err = present(ctx, e, tok)
	if err != nil {
		r := harness(err, tr)
		return "", nil, &r
	}
	return tok, tr, nil
}

// present sends tok to the verifier as its request template says: as a
// Bearer token (RFC 6750 §2.1), in a form field, or in a JSON body; ""
// sends none.
func present(ctx context.Context, e *check.Env, tok string) (*client.Transcript, error) {
	v := e.Verifier
	h := v.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	req := client.Request{Method: v.Method, URL: v.URL, Header: h}
	switch v.Where() {
	case check.InBearer:
		if req.Method == "" {
			req.Method = http.MethodGet
		}
		if tok != "" {
			h.Set("Authorization", "Bearer "+tok)
		}
	case check.InForm:
		if tok != "" {
			req.Form = client.Form{{Name: v.Field, Value: tok}}
		}
	case check.InJSON:
		// A token is base64url and dots: nothing to escape in a JSON string.
		req.Body = []byte(strings.ReplaceAll(v.Body, check.TokenPlaceholder, tok))
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", "application/json")
		}
	}
	return e.HTTP.Do(ctx, req)
}

// harness turns a mint or send error into ERROR.
func harness(err error, tr *client.Transcript) check.Result {
	if errors.Is(err, client.ErrTransport) {
		return check.Error(err.Error(), tr)
	}
	return check.Error("harness: " + err.Error())
}

// granted says the verifier accepted: its answer matches the allow rule
// (any 2xx by default). The allow rule wins over the deny rule, so a deny
// rule can be as wide as "HTTP 200" next to an allow rule on the body.
func granted(e *check.Env, tr *client.Transcript) bool {
	return e.Verifier.Allow.Match(tr.Status, tr.Body)
}

// unjudged is why an answer cannot be judged: with a deny rule
// configured, an answer that matches neither rule; else "".
func unjudged(e *check.Env, tr *client.Transcript) string {
	v := e.Verifier
	if v.Deny == nil || v.Deny.Match(tr.Status, tr.Body) || v.Allow.Match(tr.Status, tr.Body) {
		return ""
	}
	return fmt.Sprintf("the verifier's answer (HTTP %d) matches neither the allow rule (%s) nor the deny rule (%s)", tr.Status, v.Allow, *v.Deny)
}

// challenge judges a refusal: not accepted and no 5xx; for a Bearer
// verifier (RFC 6750 §3, §3.1) also a WWW-Authenticate header with the
// Bearer scheme (MUST), status 401 and error="invalid_token" when a token
// was sent (SHOULD). A verifier that takes the token elsewhere (a policy
// decision point answering deny as 200) is judged by its deny rule alone.
func challenge(e *check.Env, tr *client.Transcript, sentToken bool) check.Verdict {
	var v check.Verdict
	switch {
	case granted(e, tr):
		v.Fail = append(v.Fail, fmt.Sprintf("the token was accepted: HTTP %d", tr.Status))
		return v
	case tr.Status >= 500:
		v.Fail = append(v.Fail, fmt.Sprintf("server error HTTP %d on a bad token", tr.Status))
		return v
	case !e.Verifier.Bearer():
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

// control is the resource suite's positive control: a valid token from the
// trusted issuer, accepted (C-RS-01's own request).
func control() check.Control {
	return check.Control{ID: "C-RS-01", Title: "a valid token from the trusted issuer", Run: validToken}
}

// gate is the positive control every refusal row runs before it sends its
// own token (semantics.md §2, one cause, one finding): a valid token must
// be accepted, else the row is ERROR "blocked: C-RS-01 failed: …", never
// PASS. A verifier that refuses everything (an HS256 verifier handed ES256
// tokens, a wrong audience in the config) would otherwise pass every
// refusal row. Env.Gate runs the control once per run; a fresh valid
// token is also presented per row, so that a verifier that stops
// accepting in the middle of the run (a relying party gone stale after
// the issuer rotated) blocks the rows after it instead of passing them.
func gate(ctx context.Context, e *check.Env) (check.Result, bool) {
	if b := e.Gate(ctx, control()); b != nil {
		return *b, false
	}
	r := validToken(ctx, e)
	if r.Outcome != v1.Pass {
		b := check.Blocked(control(), r)
		b.Exchanges = r.Exchanges
		return b, false
	}
	return check.Result{}, true
}

// refused turns a judged refusal into a result; a wrong refusal (a 5xx, a
// missing challenge) is confirmed with a valid token, so that a verifier
// that stopped accepting yields ERROR, not FAIL (semantics.md §2).
func refused(ctx context.Context, e *check.Env, lvl check.Level, tr *client.Transcript, v check.Verdict) check.Result {
	if why := unjudged(e, tr); why != "" {
		return check.Error(why, tr)
	}
	switch {
	case len(v.Fail) == 0 && len(v.Warn) == 0:
		return check.Pass(tr)
	case len(v.Fail) == 0:
		return check.Broken(check.SHOULD, strings.Join(v.Warn, "; "), tr)
	case granted(e, tr):
		// An accepted bad token is its own proof: a verifier that stopped
		// accepting cannot have accepted it. (After a key rotation a stale
		// verifier refuses the control, which would hide the finding.)
		return check.Broken(lvl, strings.Join(append(v.Fail, v.Warn...), "; "), tr)
	}
	tok, err := mint(e)
	if err != nil {
		return harness(err, nil)
	}
	ctr, err := present(ctx, e, tok)
	if err != nil || !granted(e, ctr) {
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
