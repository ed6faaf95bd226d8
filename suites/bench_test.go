package suites_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

// BenchmarkFullSuite runs every check of suites.All() against the
// in-process reference, as TestSelf's clean pass does, and reports the wall
// time of one suite run and the harness's own overhead per check: wall
// time minus the time spent waiting on HTTP exchanges (semantics.md §9:
// speed budgets count the harness's work, not the target's).
func BenchmarkFullSuite(b *testing.B) {
	for _, p := range []check.Profile{check.BASE, check.BIS} {
		b.Run(string(p), func(b *testing.B) {
			e := startReference(b, p)
			var wait atomic.Int64 // nanoseconds spent in exchanges
			since := e.HTTP.Since // the Env's stopwatch: its clock may be skewed by rotation waits
			e.HTTP.Since = func(t time.Time) time.Duration {
				d := since(t)
				wait.Add(int64(d))
				return d
			}
			checks := suites.All()
			ctx := context.Background()
			run := func() int {
				ran := 0
				for _, c := range checks {
					if !c.AppliesTo(p) {
						continue
					}
					ran++
					if r := suites.Run(ctx, e, c); r.Outcome != v1.Pass && r.Outcome != v1.NA {
						b.Fatalf("%s under %s: %s: %s", c.Key(), p, r.Outcome, r.Reason)
					}
				}
				return ran
			}
			run() // warm connections and the reference's key caches
			wait.Store(0)
			ran := 0
			b.ResetTimer()
			for b.Loop() {
				ran += run()
			}
			wall := b.Elapsed()
			n := float64(b.N)
			b.ReportMetric(float64(wall.Milliseconds())/n, "ms/suite")
			b.ReportMetric(float64(ran)/n, "checks/suite")
			b.ReportMetric(float64(time.Duration(wait.Load()).Milliseconds())/n, "wait-ms/suite")
			if ran > 0 {
				b.ReportMetric(float64((wall-time.Duration(wait.Load())).Microseconds())/float64(ran), "µs/check")
			}
		})
	}
}
