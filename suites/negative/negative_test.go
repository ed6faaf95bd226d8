package negative_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/client"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/negative"
)

// acceptAll is a broken target: it issues a token to the first n requests
// and answers 503 afterwards.
func acceptAll(n int64) http.Handler {
	var seen atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if seen.Add(1) > n {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":"temporarily_unavailable"}`))
			return
		}
		_, _ = w.Write([]byte(`{"access_token":"opaque","token_type":"Bearer"}`))
	})
}

func env(t *testing.T, h http.Handler) *check.Env {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cast, err := mockidp.FixtureCast()
	if err != nil {
		t.Fatal(err)
	}
	return &check.Env{
		Target:   check.Target{Issuer: srv.URL, TokenEndpoint: srv.URL + "/token"},
		Profile:  check.BASE,
		Cast:     cast,
		Clock:    time.Now,
		Rand:     rand.Reader,
		HTTP:     &client.Client{HTTP: srv.Client(), Now: time.Now, Since: time.Since},
		Baseline: &check.Baseline{},
	}
}

func byKey(t *testing.T, key string) check.Check {
	t.Helper()
	for _, c := range negative.Checks() {
		if c.Key() == key {
			return c
		}
	}
	t.Fatalf("no check %s", key)
	return check.Check{}
}

// TestPersistence is U8: an accepted attack is FAIL only while the target
// still issues tokens; when the confirming control fails too, the row is
// ERROR (semantics.md §2), because the target, not the check, broke.
func TestPersistence(t *testing.T) {
	c := byKey(t, "B-ALG-01")
	// Three baseline controls, the attack, then the confirming control.
	if r := c.Run(context.Background(), env(t, acceptAll(5))); r.Outcome != v1.Fail {
		t.Errorf("target still issuing: got %s (%s), want FAIL", r.Outcome, r.Reason)
	}
	if r := c.Run(context.Background(), env(t, acceptAll(4))); r.Outcome != v1.Error {
		t.Errorf("target stopped issuing after the row: got %s (%s), want ERROR", r.Outcome, r.Reason)
	}
}

// TestCount keeps catalog B from shrinking unnoticed: at least 90 attack
// rows (IDs, before carriers).
func TestCount(t *testing.T) {
	ids := map[string]bool{}
	for _, c := range negative.Checks() {
		ids[c.ID] = true
	}
	if len(ids) < 90 {
		t.Errorf("catalog B has %d rows, want at least 90", len(ids))
	}
	t.Logf("%d catalog B rows, %d checks with carriers", len(ids), len(negative.Checks()))
}
