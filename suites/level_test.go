package suites_test

import (
	"context"
	"testing"

	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

// TestShouldNeverFails: whatever a SHOULD check's Run returns, Run reports
// WARN, never FAIL (semantics.md §2, "SHOULD rows give WARN in every
// suite"); a MUST check's FAIL and every other outcome pass through.
func TestShouldNeverFails(t *testing.T) {
	ret := func(o v1.Outcome) func(context.Context, *check.Env) check.Result {
		return func(context.Context, *check.Env) check.Result { return check.Result{Outcome: o, Reason: "r"} }
	}
	e := &check.Env{}
	for _, tt := range []struct {
		level     check.Level
		got, want v1.Outcome
	}{
		{check.SHOULD, v1.Fail, v1.Warn},
		{check.SHOULD, v1.Warn, v1.Warn},
		{check.SHOULD, v1.Error, v1.Error},
		{check.SHOULD, v1.Pass, v1.Pass},
		{check.MUST, v1.Fail, v1.Fail},
		{check.MUST, v1.Warn, v1.Warn},
	} {
		c := check.Check{ID: "X-01", Level: tt.level, Run: ret(tt.got)}
		if r := suites.Run(context.Background(), e, c); r.Outcome != tt.want || r.Reason != "r" {
			t.Errorf("%s check returning %s: got %s (%s), want %s", tt.level, tt.got, r.Outcome, r.Reason, tt.want)
		}
	}
}
