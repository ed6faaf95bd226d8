package tokenendpoint

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/profile"
)

// TestReplayStoreRace: 64 goroutines released at once on one key; exactly
// one may win, in every round.
func TestReplayStoreRace(t *testing.T) {
	clk := &testClock{now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	r := newReplayStore(clk.Now)
	for round := range 20 {
		key := fmt.Sprintf("client\x00client-a\x00jti-%d", round)
		var wins atomic.Int32
		var start, done sync.WaitGroup
		start.Add(1)
		for range 64 {
			done.Add(1)
			go func() {
				defer done.Done()
				start.Wait()
				if r.use(key, clk.Now().Add(time.Minute)) {
					wins.Add(1)
				}
			}()
		}
		start.Done()
		done.Wait()
		if n := wins.Load(); n != 1 {
			t.Fatalf("round %d: %d of 64 concurrent uses of one jti won, want exactly 1", round, n)
		}
	}
}

func TestReplayStoreExpiry(t *testing.T) {
	clk := &testClock{now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	r := newReplayStore(clk.Now)
	start := clk.Now()
	steps := []struct {
		at, expires time.Duration // since start
		key         string
		want        bool
	}{
		{0, time.Minute, "a", true},
		{0, time.Minute, "a", false},
		{0, time.Minute, "b", true}, // keys are independent
		{59 * time.Second, time.Minute, "a", false},
		{time.Minute, 2 * time.Minute, "a", true},  // at expiry the jti is forgotten and may be used again
		{time.Minute, 2 * time.Minute, "a", false}, // ...and is remembered anew
	}
	for i, s := range steps {
		clk.now = start.Add(s.at)
		if got := r.use(s.key, start.Add(s.expires)); got != s.want {
			t.Errorf("step %d: use(%s) at +%v = %v, want %v", i, s.key, s.at, got, s.want)
		}
	}

	// Expired entries are swept every 1024 inserts: the map stays bounded.
	r = newReplayStore(clk.Now)
	for i := range 1023 {
		r.use(fmt.Sprint("old-", i), clk.Now().Add(time.Second))
	}
	clk.Add(2 * time.Second)
	r.use("new", clk.Now().Add(time.Minute))
	if n := len(r.seen); n != 1 {
		t.Errorf("%d entries after the sweep, want 1", n)
	}
}

// TestReplayWithinClockSkew: the server accepts an assertion up to
// ClockSkew past its exp, so it must remember the jti that long too.
// Remembering it only until exp let the same assertion be replayed in the
// window (exp, exp+skew].
func TestReplayWithinClockSkew(t *testing.T) {
	for _, carrier := range []string{"client", "grant"} {
		t.Run(carrier, func(t *testing.T) {
			clk := &testClock{now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
			s := newTestServer(t, clk.Now, profile.BASE)
			issued := clk.Now()
			body := clientForm(clientJWT(t, issued, "client-a.es256", "skew-jti"))
			if carrier == "grant" {
				body = grantForm(t, issued, "skew-jti")
			}
			clk.Add(59 * time.Second)
			if rec := post(s, body); rec.Code != http.StatusOK {
				t.Fatalf("first use: %d %s", rec.Code, rec.Body)
			}
			for _, after := range []time.Duration{time.Second, 5 * time.Second, 9 * time.Second} {
				clk.Add(after - (clk.Now().Sub(issued) - time.Minute))
				if rec := post(s, body); rec.Code == http.StatusOK {
					t.Errorf("replay %v after exp (inside the %v skew) was accepted", after, s.cfg.ClockSkew)
				}
			}
			clk.Add(5 * time.Second) // now past exp+skew: refused as expired
			if rec := post(s, body); rec.Code == http.StatusOK || !strings.Contains(rec.Body.String(), "expired") {
				t.Errorf("after exp+skew: %d %s", rec.Code, rec.Body)
			}
		})
	}
}

// grantForm is a jwt-bearer grant from IdP-H at now, without client
// authentication (the reference's default allows that).
func grantForm(t *testing.T, now time.Time, jti string) string {
	t.Helper()
	d := assertion.Grant(assertion.GrantParams{Target: testTarget, Now: now, Key: keys.MustFixture("idp-h.eddsa"), JTI: jti, Lifetime: time.Minute})
	tok, err := d.Sign(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + tok
}

// TestReplayStorePrunedWhileWaiting: a request validated before its
// assertion expired but reaching the store after the expiry (it waited for
// the lock on a loaded machine while another request pruned the jti) is
// refused, never accepted a second time.
func TestReplayStorePrunedWhileWaiting(t *testing.T) {
	clk := &testClock{now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	r := newReplayStore(clk.Now)
	exp := clk.Now().Add(time.Second)
	if !r.use("k", exp) {
		t.Fatal("first use refused")
	}
	clk.Add(2 * time.Second)
	for i := range 1024 { // enough inserts to prune "k"
		r.use(fmt.Sprint("filler-", i), clk.Now().Add(time.Minute))
	}
	if _, ok := r.seen["k"]; ok {
		t.Fatal("k was not pruned: the test proves nothing")
	}
	if r.use("k", exp) {
		t.Error("an expired jti was accepted again after it was pruned")
	}
}

// TestReplayStoreRacy: under defect.NonAtomicReplay two uses of one jti
// whose checks both fall inside the window between check and insert both
// win; a use after the insert loses.
func TestReplayStoreRacy(t *testing.T) {
	clk := &testClock{now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	r := newReplayStore(clk.Now)
	r.racy = true
	var checked sync.WaitGroup
	checked.Add(2)
	r.pause = func(d time.Duration) {
		if d != raceWindow {
			t.Errorf("paused %v, want the race window %v", d, raceWindow)
		}
		checked.Done()
		checked.Wait() // both checks done before either inserts
	}
	var wins atomic.Int32
	var done sync.WaitGroup
	for range 2 {
		done.Add(1)
		go func() {
			defer done.Done()
			if r.use("k", clk.Now().Add(time.Minute)) {
				wins.Add(1)
			}
		}()
	}
	done.Wait()
	if n := wins.Load(); n != 2 {
		t.Fatalf("%d of 2 uses inside the window won, want 2", n)
	}
	r.pause = func(time.Duration) {}
	if r.use("k", clk.Now().Add(time.Minute)) {
		t.Fatal("a use after the insert won")
	}
}
