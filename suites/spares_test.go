package suites_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

// spareChecks are n checks marked Serial and Spare for client as ("A" or
// "B") that record the client each ran as there, and, with together, wait
// until all n are running at once (or the test's patience ends).
func spareChecks(t *testing.T, n int, together bool, as string) ([]check.Check, func() []string) {
	var mu sync.Mutex
	var clients []string
	running, peak := 0, 0
	cs := make([]check.Check, n)
	for i := range cs {
		id := fmt.Sprintf("T-%02d", i)
		cs[i] = check.Check{ID: id, Title: "fake", Suite: "fake", Serial: "changes a client's key set", Spare: as,
			Run: func(ctx context.Context, e *check.Env) check.Result {
				mu.Lock()
				clients = append(clients, map[string]string{"A": e.Cast.A.Name, "B": e.Cast.B.Name}[as])
				running++
				peak = max(peak, running)
				mu.Unlock()
				defer func() { mu.Lock(); running--; mu.Unlock() }()
				if together {
					patience := time.After(10 * time.Second)
					for {
						mu.Lock()
						p := peak
						mu.Unlock()
						if p == n {
							break
						}
						select {
						case <-patience:
							t.Errorf("%s: the spare checks never ran side by side (at most %d at once)", id, p)
							return check.Error("alone")
						case <-time.After(time.Millisecond):
						}
					}
				}
				return check.Pass()
			}}
	}
	return cs, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), clients...) }
}

func sparesEnv(n int) *check.Env {
	e := fakeEnv()
	e.Cast.A = mockidp.Party{Name: "A", ID: "client-a", SigningAlg: "ES256"}
	e.Cast.B = mockidp.Party{Name: "B", ID: "client-b", SigningAlg: "ES256"}
	e.Spares = check.NewSpares(e.Cast.WithSpares(n).Spares...)
	return e
}

// TestBatchSpareChecksRunSideBySide: checks marked Spare, each given a
// spare client of its own as client A, run beside each other although
// they are Serial, more of them than the pool has workers; every spare is
// given back.
func TestBatchSpareChecksRunSideBySide(t *testing.T) {
	const n = 6
	cs, clients := spareChecks(t, n/2, true, "A")
	bs, bClients := spareChecks(t, n/2, true, "B")
	cs = append(cs, bs...)
	e := sparesEnv(n)
	b := suites.NewBatch(context.Background(), e, cs, 2, time.Minute)
	for i := range cs {
		if o, ok := b.Wait(context.Background(), i); !ok || o.Result.Outcome != v1.Pass {
			t.Errorf("result %d: %v %+v, want PASS", i, ok, o.Result)
		}
	}
	b.Stop()
	seen := map[string]bool{}
	for _, c := range append(clients(), bClients()...) {
		if c == "A" || c == "B" || seen[c] {
			t.Errorf("a spare check ran as client %s; want a spare of its own (all: %v %v)", c, clients(), bClients())
		}
		seen[c] = true
	}
	if got := e.Spares.Len(); got != n {
		t.Errorf("%d spares free after the run, want all %d back", got, n)
	}
}

// TestBatchSpareChecksSerialWithout: without a free spare, on one worker,
// on a virtual clock, or standing in for a B that signs otherwise than the
// spares (modelled on A), a Spare check stays Serial and runs as its
// client.
func TestBatchSpareChecksSerialWithout(t *testing.T) {
	for _, tc := range []struct {
		name    string
		spares  int
		workers int
		virtual bool
		as      string
		bAlg    string
	}{
		{"no spares", 0, 4, false, "A", "ES256"},
		{"one worker", 3, 1, false, "A", "ES256"},
		{"virtual clock", 3, 4, true, "A", "ES256"},
		{"B signs otherwise", 3, 4, false, "B", "RS256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, clients := spareChecks(t, 3, false, tc.as)
			e := sparesEnv(tc.spares)
			e.VirtualTime = tc.virtual
			e.Cast.B.SigningAlg = tc.bAlg
			b := suites.NewBatch(context.Background(), e, cs, tc.workers, time.Minute)
			for i := range cs {
				if o, ok := b.Wait(context.Background(), i); !ok || o.Result.Outcome != v1.Pass {
					t.Errorf("result %d: %v %+v, want PASS", i, ok, o.Result)
				}
			}
			b.Stop()
			for _, c := range clients() {
				if c != tc.as {
					t.Errorf("ran as client %s, want %s (all: %v)", c, tc.as, clients())
				}
			}
		})
	}
}
