package resource_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/reference"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/resource"
)

func env(t *testing.T, withVerifier bool, defects ...defect.Name) *check.Env {
	t.Helper()
	cast, err := mockidp.FixtureCast()
	if err != nil {
		t.Fatal(err)
	}
	in, err := reference.Start(reference.Options{Profile: check.BASE, Clock: time.Now, Rand: rand.Reader, Cast: cast, Defects: defect.Of(defects...)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	tlsCfg, err := reference.ClientTLS()
	if err != nil {
		t.Fatal(err)
	}
	o := suites.Options{Issuer: in.Issuer, Profile: check.BASE, Cast: cast, IdP: in.IdP, Clock: time.Now, Since: time.Since,
		Rand: rand.Reader, TLS: tlsCfg, Rotation: check.KnownKeyCache(in.Server.KeyCache())}
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
// skewed clock) against the reference verifier: every check passes, or is
// N/A with a reason (rows of other verifier kinds).
func TestRealTime(t *testing.T) {
	e := env(t, true)
	for _, c := range resource.Checks() {
		if r := suites.Run(context.Background(), e, c); r.Outcome != v1.Pass && (r.Outcome != v1.NA || r.Reason == "") {
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

// TestGate: against a verifier that refuses every token, C-RS-01 fails and
// every other row is ERROR "blocked: C-RS-01 failed", never PASS (a refusal
// proves nothing when valid tokens are refused too; semantics.md §2).
func TestGate(t *testing.T) {
	e := env(t, true, defect.VerifierRejectAll)
	for _, c := range resource.Checks() {
		r := suites.Run(context.Background(), e, c)
		switch {
		case c.ID == "C-RS-01":
			if r.Outcome != v1.Fail {
				t.Errorf("%s: %s: %s, want FAIL", c.ID, r.Outcome, r.Reason)
			}
		case r.Outcome == v1.NA:
		case r.Outcome != v1.Error || !strings.HasPrefix(r.Reason, "blocked: C-RS-01 failed: ") || r.BlockedBy != "C-RS-01":
			t.Errorf("%s: %s: %s, want ERROR blocked by C-RS-01", c.ID, r.Outcome, r.Reason)
		}
	}
}
