package suites_test

import (
	"context"
	"testing"

	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/negative"
)

// BenchmarkAttackSuite runs every catalog B row once, in order, against one
// clean in-process reference (profile BCP, the security reviewer's), as a
// run of the CLI would. The budget is well under 3 s per op.
func BenchmarkAttackSuite(b *testing.B) {
	e := startReference(b, check.BCP)
	cs := negative.Checks()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, c := range cs {
			if !c.AppliesTo(e.Profile) {
				continue
			}
			if r := suites.Run(context.Background(), e, c); r.Outcome != v1.Pass && r.Outcome != v1.NA {
				b.Fatalf("%s: %s: %s", c.Key(), r.Outcome, r.Reason)
			}
		}
	}
	b.ReportMetric(float64(len(cs)), "checks")
}
