package suites_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/client"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

// tracker records which fake checks run at the same time.
type tracker struct {
	mu       sync.Mutex
	running  map[string]bool
	order    []string
	overlaps []string // "serial X ran beside Y" and the like
	peak     int
	entered  int // parallel checks started so far
}

func (tr *tracker) enter(key string, serial bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for other := range tr.running {
		if serial {
			tr.overlaps = append(tr.overlaps, fmt.Sprintf("serial %s started while %s ran", key, other))
		}
	}
	if tr.running == nil {
		tr.running = map[string]bool{}
	}
	tr.running[key] = serial
	if !serial {
		tr.entered++
	}
	tr.order = append(tr.order, key)
	if n := len(tr.running); n > tr.peak {
		tr.peak = n
	}
	for other, s := range tr.running {
		if s && other != key {
			tr.overlaps = append(tr.overlaps, fmt.Sprintf("%s started while serial %s ran", key, other))
		}
	}
}

func (tr *tracker) leave(key string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	delete(tr.running, key)
}

func (tr *tracker) started() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.entered
}

// fakeEnv is an Env that sends nothing: the fake checks only need its
// clock and stopwatch.
func fakeEnv() *check.Env {
	return &check.Env{Profile: check.BASE, Clock: time.Now, HTTP: &client.Client{Now: time.Now, Since: time.Since}}
}

// fakeChecks is a list of checks: the serial ones at the given indices.
// With group above one, each parallel check waits until every parallel
// check of its group (group of them in a row) has started, or the test's
// patience ends: a pool that does not run them together fails instead of
// passing by luck.
func fakeChecks(t *testing.T, tr *tracker, n, group int, serial map[int]bool) []check.Check {
	var cs []check.Check
	par := 0 // parallel checks before this one
	for i := range n {
		upTo := (par/max(group, 1) + 1) * group // parallel checks started once this one's group has
		if !serial[i] {
			par++
		}
		c := check.Check{ID: fmt.Sprintf("T-%02d", i), Title: "fake", Suite: "fake"}
		if serial[i] {
			c.Serial = "test"
		}
		c.Run = func(ctx context.Context, e *check.Env) check.Result {
			tr.enter(c.ID, c.Serial != "")
			defer tr.leave(c.ID)
			if c.Serial == "" && group > 1 {
				patience := time.After(10 * time.Second)
				for tr.started() < upTo {
					select {
					case <-patience:
						t.Errorf("%s: never ran beside %d others", c.ID, group-1)
						return check.Error("alone")
					case <-time.After(time.Millisecond):
					}
				}
			}
			return check.Result{Outcome: v1.Pass, Reason: c.ID}
		}
		cs = append(cs, c)
	}
	return cs
}

// TestBatchSerialRunsAlone: parallel checks share the pool up to its size,
// a Serial check never runs beside another, and every result comes back
// at its own index.
func TestBatchSerialRunsAlone(t *testing.T) {
	tr := &tracker{}
	// Serial at 0, 4 and 8: two groups of three parallel checks between.
	cs := fakeChecks(t, tr, 9, 3, map[int]bool{0: true, 4: true, 8: true})
	b := suites.NewBatch(context.Background(), fakeEnv(), cs, 3, time.Minute)
	defer b.Stop()
	for i, c := range cs {
		o, ok := b.Wait(context.Background(), i)
		if !ok || o.Result.Outcome != v1.Pass || o.Result.Reason != c.ID {
			t.Errorf("result %d: %v %+v, want PASS from %s", i, ok, o.Result, c.ID)
		}
	}
	for _, x := range tr.overlaps {
		t.Error(x)
	}
	if tr.peak != 3 {
		t.Errorf("at most %d checks ran at once, want the pool size 3", tr.peak)
	}
}

// TestBatchOneWorkerIsSequential: with one worker the checks run one at a
// time, in list order.
func TestBatchOneWorkerIsSequential(t *testing.T) {
	tr := &tracker{}
	cs := fakeChecks(t, tr, 8, 1, map[int]bool{3: true})
	b := suites.NewBatch(context.Background(), fakeEnv(), cs, 1, 0)
	defer b.Stop()
	for i := range cs {
		if _, ok := b.Wait(context.Background(), i); !ok {
			t.Fatalf("result %d never came", i)
		}
	}
	if tr.peak != 1 {
		t.Errorf("%d checks ran at once, want 1", tr.peak)
	}
	for i, key := range tr.order {
		if key != cs[i].ID {
			t.Fatalf("run order %v, want the list order", tr.order)
		}
	}
}

// TestBatchStop: Stop cancels running checks and waits for them; checks
// not yet started report the interrupt without running.
func TestBatchStop(t *testing.T) {
	started := make(chan struct{})
	ran := map[string]bool{}
	var mu sync.Mutex
	cs := []check.Check{
		{ID: "T-BLOCK", Suite: "fake", Run: func(ctx context.Context, e *check.Env) check.Result {
			close(started)
			<-ctx.Done()
			return check.Error("cancelled: " + ctx.Err().Error())
		}},
		{ID: "T-LATER", Suite: "fake", Serial: "test", Run: func(ctx context.Context, e *check.Env) check.Result {
			mu.Lock()
			ran["T-LATER"] = true
			mu.Unlock()
			return check.Pass()
		}},
	}
	b := suites.NewBatch(context.Background(), fakeEnv(), cs, 2, 0)
	b.Start()
	<-started
	b.Stop()
	for i := range cs {
		o, ok := b.Wait(context.Background(), i)
		if !ok || o.Result.Outcome != v1.Error {
			t.Errorf("%s after Stop: %v %+v, want ERROR", cs[i].ID, ok, o.Result)
		}
	}
	if ran["T-LATER"] {
		t.Error("a check started after Stop")
	}
	// Stop of a batch never started returns at once, and it stays unstarted.
	unstarted := suites.NewBatch(context.Background(), fakeEnv(), cs, 2, 0)
	unstarted.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, ok := unstarted.Wait(ctx, 0); ok {
		t.Error("a stopped batch ran a check")
	}
}

// TestParallelMatchesSequential runs every check against the clean
// reference twice, one check at a time and on a pool of four, and wants
// the same outcome (and the same blocking control) for every check key.
// It also wants no check that may run beside others to wait (a wait can
// advance a clock the target shares, which would move time under the
// checks running beside it) or to change a key set the harness hosts.
func TestParallelMatchesSequential(t *testing.T) {
	for _, p := range []check.Profile{check.BASE, check.FAPI2} {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			seq := runBatch(t, p, 1)
			par := runBatch(t, p, 4)
			for _, c := range suites.All() {
				s, q := seq[c.Key()], par[c.Key()]
				if s.Outcome != q.Outcome || s.BlockedBy != q.BlockedBy {
					t.Errorf("%s: sequential %s (%s), parallel %s (%s)", c.Key(), s.Outcome, s.Reason, q.Outcome, q.Reason)
				}
			}
		})
	}
}

// runBatch runs every check against a fresh clean reference on workers
// workers and returns the results by check key.
func runBatch(t *testing.T, p check.Profile, workers int) map[string]check.Result {
	t.Helper()
	e := startReference(t, p)
	// beside counts the running checks that may run beside others; waited
	// the waits made while one ran.
	var beside, waited atomic.Int64
	sleep := e.Sleep
	e.Sleep = func(ctx context.Context, d time.Duration) error {
		if beside.Load() > 0 {
			waited.Add(1)
		}
		return sleep(ctx, d)
	}
	// A check that changes a hosted key set, or rotates the token
	// issuer's keys, changes what every check beside it sees.
	var changed sync.Map // check key -> true
	sets := func() (n uint64) {
		for _, p := range []mockidp.Party{e.Cast.A, e.Cast.B, e.Cast.P, e.Cast.H, e.Cast.S, e.Cast.IdPH, e.Cast.IdPK} {
			if h := e.IdP.JWKS(p.Name); p.Name != "" && h != nil {
				n += h.Changes()
			}
		}
		if e.TokenIssuer != nil {
			n += e.TokenIssuer.JWKS().Changes() + uint64(e.TokenIssuer.Generation())
		}
		return n
	}
	cs := suites.SpecOrder(suites.All()) // the order a run starts them in
	for i, c := range cs {
		if c.Serial != "" {
			continue
		}
		run := c.Run
		cs[i].Run = func(ctx context.Context, e *check.Env) check.Result {
			beside.Add(1)
			defer beside.Add(-1)
			before := sets()
			defer func() {
				if sets() != before {
					changed.Store(c.Key(), true)
				}
			}()
			return run(ctx, e)
		}
	}
	b := suites.NewBatch(context.Background(), e, cs, workers, time.Minute)
	defer b.Stop()
	out := map[string]check.Result{}
	for i, c := range cs {
		o, ok := b.Wait(context.Background(), i)
		if !ok {
			t.Fatalf("%s: no result", c.Key())
		}
		out[c.Key()] = o.Result
	}
	// Beside other checks, a change is charged to each check that ran
	// while it happened; one at a time, to the check that made it.
	changed.Range(func(k, _ any) bool {
		t.Errorf("workers %d: %s changed a hosted key set (or the token issuer's keys) but is not marked Serial", workers, k)
		return true
	})
	if n := waited.Load(); n > 0 {
		t.Errorf("workers %d: %d waits while a check not marked Serial ran: a check that waits must be Serial", workers, n)
	}
	return out
}

// slowTransport delays every exchange by d before sending it: a target
// across a network, whose round trips the pool overlaps.
type slowTransport struct {
	next http.RoundTripper
	d    time.Duration
}

func (s slowTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	select {
	case <-time.After(s.d):
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	return s.next.RoundTrip(r)
}

// BenchmarkParallel runs every check against the reference one at a time
// and on a pool of four, directly and behind 20 ms of added latency per
// exchange, and reports the wall time of one suite run.
func BenchmarkParallel(b *testing.B) {
	for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
		for _, workers := range []int{1, 4} {
			b.Run(fmt.Sprintf("latency=%s/workers=%d", latency, workers), func(b *testing.B) {
				e := startReference(b, check.BASE)
				if latency > 0 {
					e.HTTP.HTTP.Transport = slowTransport{next: e.HTTP.HTTP.Transport, d: latency}
				}
				for b.Loop() {
					cs := suites.SpecOrder(suites.All())
					batch := suites.NewBatch(context.Background(), e, cs, workers, time.Minute)
					for i, c := range cs {
						o, ok := batch.Wait(context.Background(), i)
						if !ok || (o.Result.Outcome != v1.Pass && o.Result.Outcome != v1.NA) {
							b.Fatalf("%s: %s: %s", c.Key(), o.Result.Outcome, o.Result.Reason)
						}
					}
					batch.Stop()
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/suite")
			})
		}
	}
}
