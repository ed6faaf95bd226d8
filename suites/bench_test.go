package suites_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/oracle"
	"github.com/assayhq/assay/mockidp/reference"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/rotation"
)

// counting is a RoundTripper that counts the harness's HTTP exchanges and
// the real time they take.
type counting struct {
	next     http.RoundTripper
	n, nanos atomic.Int64
}

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := c.next.RoundTrip(r)
	c.nanos.Add(int64(time.Since(start)))
	c.n.Add(1)
	return resp, err
}

// count makes e's HTTP client count its exchanges.
func count(e *check.Env) *counting {
	c := &counting{next: e.HTTP.HTTP.Transport}
	e.HTTP.HTTP.Transport = c
	return c
}

// runAll runs every check of suites.All() as `assay run` does, on a
// batch of the given number of workers, and fails b on any outcome but
// PASS and N/A. It returns the number of checks that apply under the
// Env's profile and the wall time during which at least one rotation
// scenario was running.
func runAll(b *testing.B, e *check.Env, workers int) (ran int, rot time.Duration) {
	ctx := context.Background()
	var mu sync.Mutex
	var spans [][2]time.Time
	checks := suites.All()
	for i, c := range checks {
		if c.Suite != rotation.Suite {
			continue
		}
		run := c.Run
		checks[i].Run = func(ctx context.Context, e *check.Env) check.Result {
			start := time.Now()
			r := run(ctx, e)
			mu.Lock()
			spans = append(spans, [2]time.Time{start, time.Now()})
			mu.Unlock()
			return r
		}
	}
	batch := suites.NewBatch(ctx, e, checks, workers, 0)
	defer batch.Stop()
	for i, c := range checks {
		o, _ := batch.Wait(ctx, i)
		if !c.AppliesTo(e.Profile) {
			continue
		}
		ran++
		if r := o.Result; r.Outcome != v1.Pass && r.Outcome != v1.NA {
			b.Errorf("%s under %s: %s: %s", c.Key(), e.Profile, r.Outcome, r.Reason)
		}
	}
	return ran, covered(spans)
}

// covered is the length of the union of spans.
func covered(spans [][2]time.Time) time.Duration {
	sort.Slice(spans, func(i, j int) bool { return spans[i][0].Before(spans[j][0]) })
	var total time.Duration
	var end time.Time
	for _, s := range spans {
		if s[0].After(end) {
			end = s[0]
		}
		if s[1].After(end) {
			total += s[1].Sub(end)
			end = s[1]
		}
	}
	return total
}

// BenchmarkFullSuite runs every check of suites.All() under BASE against
// the in-process reference, which shares a virtual clock with the Env as
// in `assay run` (waits cost no wall time), one check at a time and on
// assay run's default four workers, and sets the wall time of one
// suite run against its floor: the exchanges it makes times the round trip
// of one loopback exchange, a positive control with an ES256 client
// assertion over TLS, measured in the same run. It reports:
//
//	ms/suite        wall time of one full suite run
//	checks/suite    checks run
//	exchanges/suite HTTP exchanges the harness made
//	rtt-µs          one positive control, the loopback round trip
//	floor-ms        exchanges/suite × rtt-µs
//	x-floor         ms/suite ÷ floor-ms
//	exchange-ms     real time spent inside those exchanges (summed over
//	                workers)
//	µs/check        sequential only: (ms/suite − exchange-ms) ÷
//	                checks/suite, the harness's own work per check outside
//	                HTTP (signing, judging)
func BenchmarkFullSuite(b *testing.B) {
	for _, mode := range []struct {
		name    string
		workers int
	}{{"sequential", 1}, {"parallel4", 4}} { // assay run --parallel 1, and its default
		b.Run(mode.name, func(b *testing.B) {
			e := startReference(b, check.BASE)
			ex := count(e)
			ctx := context.Background()
			runAll(b, e, mode.workers) // warm connections and the reference's key caches
			ex.n.Store(0)
			ex.nanos.Store(0)
			ran := 0
			for b.Loop() {
				n, _ := runAll(b, e, mode.workers)
				ran += n
			}
			wall := b.Elapsed()
			exchanges, inExchanges := ex.n.Load(), float64(ex.nanos.Load())
			// The round trip, measured right after on the same machine.
			const controls = 200
			start := time.Now()
			for range controls {
				if _, ok, err := e.Control(ctx, check.Client); err != nil || !ok {
					b.Fatalf("positive control: issued %v, %v", ok, err)
				}
			}
			rtt := time.Since(start) / controls
			n := float64(b.N)
			perSuite := float64(wall.Nanoseconds()) / n
			floor := float64(exchanges) / n * float64(rtt.Nanoseconds())
			b.ReportMetric(perSuite/1e6, "ms/suite")
			b.ReportMetric(float64(ran)/n, "checks/suite")
			b.ReportMetric(float64(exchanges)/n, "exchanges/suite")
			b.ReportMetric(float64(rtt.Nanoseconds())/1e3, "rtt-µs")
			b.ReportMetric(floor/1e6, "floor-ms")
			b.ReportMetric(perSuite/floor, "x-floor")
			b.ReportMetric(inExchanges/n/1e6, "exchange-ms")
			if ran > 0 && mode.workers == 1 { // concurrent exchanges overlap: no sum to subtract
				b.ReportMetric((perSuite-inExchanges/n)/1e3/(float64(ran)/n), "µs/check")
			}
			b.ReportMetric(0, "ns/op") // ms/suite says it
		})
	}
}

// BenchmarkKeyCache5s runs every BASE check once, on four workers, against
// an in-process target run the way an external one is: the reference in
// real time with a 5 s client key cache (1 s unknown-kid refetch interval,
// 1 s fetch timeout), declared to assay as a user would (margin 1 s, 2 s
// stall, waits up to 20 s). It reports the wall time of the run and the
// rotation suite's share of it (the time during which any of its scenarios
// ran): the cost a real target with that cache sets, with the rotation
// scenarios and the hosted-key rows one after another on clients A and B,
// and with each on a spare client of its own, side by side.
func BenchmarkKeyCache5s(b *testing.B) {
	b.Run("sequential-scenarios", func(b *testing.B) { keyCache5s(b, 0) })
	n := 0 // a spare client for every check that can take one
	for _, c := range suites.All() {
		if c.Spare != "" {
			n++
		}
	}
	b.Run("spare-clients", func(b *testing.B) { keyCache5s(b, n) })
}

// keyCache5s is BenchmarkKeyCache5s with spares spare clients registered
// at the target: with one per rotation scenario, the scenarios run side by
// side.
func keyCache5s(b *testing.B, spares int) {
	cast, err := fixtureCast()
	if err != nil {
		b.Fatal(err)
	}
	cast = cast.WithSpares(spares)
	in, err := reference.Start(reference.Options{Profile: check.BASE, Clock: time.Now, Rand: rand.Reader, Cast: cast,
		KeyCacheTTL: 5 * time.Second, KeyRefetchMin: time.Second, KeyFetchTimeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = in.Close() })
	tlsCfg, err := reference.ClientTLS()
	if err != nil {
		b.Fatal(err)
	}
	jwks, err := attackerJWKS()
	if err != nil {
		b.Fatal(err)
	}
	orc, err := oracle.Start(jwks)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = orc.Close() })
	e, err := suites.NewEnv(context.Background(), suites.Options{
		Oracle: orc, Issuer: in.Issuer, TokenEndpoint: in.TokenEndpoint(), Profile: check.BASE, Cast: cast, IdP: in.IdP,
		Grant: check.GrantOptions{Enabled: true, KnownSubjects: reference.KnownSubjects(cast)}, MaxAssertionLifetime: reference.MaxAssertionLifetime,
		MaxGrantLifetime: reference.MaxGrantLifetime, Clock: time.Now, Since: time.Since, Rand: rand.Reader, TLS: tlsCfg,
		Rotation: check.Rotation{KeyCacheTTL: 5 * time.Second, Margin: time.Second, RefetchMin: time.Second, Stall: 2 * time.Second, MaxWait: 20 * time.Second},
		Verifier: check.VerifierTarget{URL: in.VerifierURL, Audience: reference.VerifierAudience}, TokenIssuer: in.TokenIssuer,
		TokenState: check.TokenState{Enabled: true, Client: cast.A, Other: cast.B, From: check.TokenFromClient, Resource: in.IntrospectedURL, MaxWait: 20 * time.Second},
	})
	if err != nil {
		b.Fatal(err)
	}
	ex := count(e)
	var rot time.Duration
	for b.Loop() {
		_, r := runAll(b, e, 4)
		rot += r
	}
	n := float64(b.N)
	wall := b.Elapsed()
	b.ReportMetric(wall.Seconds()/n, "s/run")
	b.ReportMetric(rot.Seconds()/n, "rotation-s/run")
	b.ReportMetric(100*float64(rot)/float64(wall), "rotation-%")
	b.ReportMetric(float64(ex.n.Load())/n, "exchanges/run")
	b.ReportMetric(0, "ns/op") // s/run says it
}
