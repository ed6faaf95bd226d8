package resource_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/reference"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/resource"
	"github.com/assayhq/assay/suites/rotation"
)

func env(t *testing.T, withVerifier bool) *check.Env {
	t.Helper()
	cast, err := mockidp.FixtureCast()
	if err != nil {
		t.Fatal(err)
	}
	in, err := reference.Start(reference.Options{Profile: string(check.BASE), Clock: time.Now, Rand: rand.Reader, Cast: cast})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	tlsCfg, err := reference.ClientTLS()
	if err != nil {
		t.Fatal(err)
	}
	o := suites.Options{Issuer: in.Issuer, Profile: check.BASE, Cast: cast, IdP: in.IdP, Clock: time.Now, Since: time.Since,
		Rand: rand.Reader, TLS: tlsCfg, Rotation: rotation.FastReference()}
	if withVerifier {
		o.Verifier, o.TokenIssuer = check.VerifierTarget{URL: in.VerifierURL, Audience: reference.VerifierAudience}, in.TokenIssuer
	}
	e, err := suites.NewEnv(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestRealTime runs the resource suite in real time (the self-test uses a
// skewed clock) against the reference verifier: every check passes.
func TestRealTime(t *testing.T) {
	e := env(t, true)
	for _, c := range resource.Checks() {
		if r := suites.Run(context.Background(), e, c); r.Outcome != v1.Pass {
			t.Errorf("%s: %s: %s", c.ID, r.Outcome, r.Reason)
		}
	}
}

// TestNoVerifier: without a verifier URL every check is N/A and says why.
func TestNoVerifier(t *testing.T) {
	e := env(t, false)
	for _, c := range resource.Checks() {
		if r := suites.Run(context.Background(), e, c); r.Outcome != v1.NA || !strings.Contains(r.Reason, "no verifier URL configured") {
			t.Errorf("%s: %s: %s, want N/A (no verifier URL configured)", c.ID, r.Outcome, r.Reason)
		}
	}
}
