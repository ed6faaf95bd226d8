package tokenstate_test

import (
	"context"
	"crypto/rand"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/reference"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/tokenstate"
)

// clock is real time plus an offset that Sleep advances, shared by the
// reference and the Env, so that waiting for a token to expire is instant.
type clock struct{ off atomic.Int64 }

func (c *clock) Now() time.Time                  { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }
func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.off.Add(int64(d))
	return ctx.Err()
}

func env(t *testing.T, ts check.TokenState, ds ...defect.Name) *check.Env {
	t.Helper()
	cast, err := mockidp.FixtureCast()
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{}
	in, err := reference.Start(reference.Options{Profile: check.BASE, Defects: defect.Of(ds...), Clock: clk.Now, Rand: rand.Reader, Cast: cast})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	tlsCfg, err := reference.ClientTLS()
	if err != nil {
		t.Fatal(err)
	}
	if ts.Enabled {
		ts.Client, ts.Other, ts.Resource, ts.MaxWait = cast.A, cast.B, in.IntrospectedURL, time.Hour
	}
	e, err := suites.NewEnv(context.Background(), suites.Options{Issuer: in.Issuer, Profile: check.BASE, Cast: cast, IdP: in.IdP,
		Clock: clk.Now, Since: clk.Since, Sleep: clk.Sleep, Rand: rand.Reader, TLS: tlsCfg, TokenState: ts})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func run(e *check.Env, id string) check.Result {
	for _, c := range tokenstate.Checks() {
		if c.ID == id {
			return suites.Run(context.Background(), e, c)
		}
	}
	return check.Error("no check " + id)
}

// TestReference: against the reference every check passes, with the
// endpoints read from the metadata; each fails under its own defect.
func TestReference(t *testing.T) {
	on := check.TokenState{Enabled: true, From: check.TokenFromClient}
	e := env(t, on)
	for _, c := range tokenstate.Checks() {
		if r := suites.Run(context.Background(), e, c); r.Outcome != v1.Pass {
			t.Errorf("clean %s: %s: %s", c.ID, r.Outcome, r.Reason)
		}
	}
	for _, c := range tokenstate.Checks() {
		want := v1.Fail
		if c.Level == check.SHOULD {
			want = v1.Warn
		}
		if r := run(env(t, on, c.Defect), c.ID); r.Outcome != want {
			t.Errorf("%s under %s: %s (%s), want %s", c.ID, c.Defect, r.Outcome, r.Reason, want)
		}
	}
}

// TestTokenSources: the tokens may come from the jwt-bearer grant or from
// a command as well; the rows pass against the reference either way.
func TestTokenSources(t *testing.T) {
	grant := env(t, check.TokenState{Enabled: true, From: check.TokenFromGrant})
	grant.Grant.Enabled = true
	cmd := env(t, check.TokenState{Enabled: true, From: check.TokenFromCommand})
	calls := 0
	cmd.TokenState.Command = func(ctx context.Context) (string, error) {
		calls++
		tr, err := cmd.Authenticate(ctx, cmd.Cast.A)
		if err != nil {
			return "", err
		}
		return tr.AccessToken() + "\n", nil
	}
	for name, e := range map[string]*check.Env{"grant": grant, "command": cmd} {
		for _, c := range tokenstate.Checks() {
			if r := suites.Run(context.Background(), e, c); r.Outcome != v1.Pass {
				t.Errorf("%s: %s: %s: %s", name, c.ID, r.Outcome, r.Reason)
			}
		}
	}
	if calls == 0 {
		t.Error("the token command was never run")
	}
}

// TestGate: when a fresh token does not introspect active, the rows that
// depend on it are ERROR "blocked", never PASS.
func TestGate(t *testing.T) {
	e := env(t, check.TokenState{Enabled: true, From: check.TokenFromClient}, defect.IntrospectActiveString)
	for _, id := range []string{"C-INT-01", "C-INT-03", "C-INT-04", "C-INT-05", "C-REV-02"} {
		if r := run(e, id); r.Outcome != v1.Error || !strings.Contains(r.Reason, "blocked: C-INT-02 failed") {
			t.Errorf("%s: %s: %s, want ERROR blocked by C-INT-02", id, r.Outcome, r.Reason)
		}
	}
	// A server may refuse to let a client introspect (RFC 7662 §2.1): that
	// is a configuration to fix, ERROR with a hint, and blocks the rest.
	e = env(t, check.TokenState{Enabled: true, From: check.TokenFromCommand})
	e.TokenState.Command = func(ctx context.Context) (string, error) {
		tr, err := e.Authenticate(ctx, e.Cast.A)
		if err != nil {
			return "", err
		}
		return tr.AccessToken(), nil
	}
	e.TokenState.Client = mockidp.Party{Name: "S", ID: "client-unknown", AuthMethod: "client_secret_basic", Secret: "not-registered"}
	if r := run(e, "C-INT-02"); r.Outcome != v1.Error || !strings.Contains(r.Reason, "name one it allows in tokenState.client") {
		t.Errorf("C-INT-02 with a client the server refuses: %s: %s, want ERROR with a hint", r.Outcome, r.Reason)
	}
	if r := run(e, "C-INT-04"); r.Outcome != v1.Error || r.BlockedBy != "C-INT-02" {
		t.Errorf("C-INT-04 with a client the server refuses: %s: %s, want ERROR blocked by C-INT-02", r.Outcome, r.Reason)
	}
	// Client A's tokens are the source: when A gets none, the cause is
	// named where it is, at A's client_credentials control.
	e = env(t, check.TokenState{Enabled: true, From: check.TokenFromClient}, defect.RejectEC)
	for _, c := range tokenstate.Checks() {
		if r := suites.Run(context.Background(), e, c); r.Outcome != v1.Error || r.BlockedBy != "A-JG-14" {
			t.Errorf("%s: %s: %s, want ERROR blocked by A-JG-14", c.ID, r.Outcome, r.Reason)
		}
	}
	e = env(t, check.TokenState{Enabled: true, From: check.TokenFromClient}, defect.RevokeUnsupported)
	for _, id := range []string{"C-REV-02", "C-REV-03"} {
		if r := run(e, id); r.Outcome != v1.NA || !strings.Contains(r.Reason, "does not revoke access tokens") {
			t.Errorf("%s: %s: %s, want N/A (no access token revocation)", id, r.Outcome, r.Reason)
		}
	}
}

// TestNotOffered: disabled, or without endpoints, every row is N/A and
// says why.
func TestNotOffered(t *testing.T) {
	e := env(t, check.TokenState{})
	for _, c := range tokenstate.Checks() {
		if r := suites.Run(context.Background(), e, c); r.Outcome != v1.NA || !strings.Contains(r.Reason, "tokenState.enabled is false") {
			t.Errorf("%s: %s: %s, want N/A", c.ID, r.Outcome, r.Reason)
		}
	}
	e.TokenState = check.TokenState{Enabled: true, From: check.TokenFromClient}
	for _, c := range tokenstate.Checks() {
		if r := suites.Run(context.Background(), e, c); r.Outcome != v1.NA || !strings.Contains(r.Reason, "offers no") {
			t.Errorf("%s: %s: %s, want N/A (no endpoint)", c.ID, r.Outcome, r.Reason)
		}
	}
}
