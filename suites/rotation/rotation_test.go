package rotation_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/reference"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/rotation"
)

// TestRealTime runs the rotation suite once in real time against the
// reference with reference.FastKeyCache, the way an external target with a
// short key cache is run (the built-in run and the self-test share a
// virtual clock with the reference, package mockidp/clock, and never wait):
// every check passes with real waits, a real stall and a real fetch
// timeout, and the suite stays within its 10 s budget.
func TestRealTime(t *testing.T) {
	cast, err := mockidp.FixtureCast()
	if err != nil {
		t.Fatal(err)
	}
	in, err := reference.Start(reference.FastKeyCache(reference.Options{Profile: check.BASE, Clock: time.Now, Rand: rand.Reader, Cast: cast}))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	tlsCfg, err := reference.ClientTLS()
	if err != nil {
		t.Fatal(err)
	}
	e, err := suites.NewEnv(context.Background(), suites.Options{
		Issuer: in.Issuer, Profile: check.BASE, Cast: cast, IdP: in.IdP, Clock: time.Now, Since: time.Since, Rand: rand.Reader, TLS: tlsCfg,
		Rotation: check.KnownKeyCache(in.Server.KeyCache()),
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for _, c := range rotation.Checks() {
		cs := time.Now()
		r := suites.Run(context.Background(), e, c)
		t.Logf("%-10s %-5s %6s %v", c.ID, r.Outcome, time.Since(cs).Round(time.Millisecond), r.Notes)
		if r.Outcome != v1.Pass {
			t.Errorf("%s: %s: %s", c.ID, r.Outcome, r.Reason)
		}
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("rotation suite took %s against the fast reference, budget 10s", d)
	} else {
		t.Logf("rotation suite: %s", d.Round(time.Millisecond))
	}
}
