package suites_test

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/assayhq/assay/mockidp/defect"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

// burn keeps n goroutines spinning until the returned stop is called: a
// loaded machine, where a replay race that waits for a quiet scheduler
// would miss the reference's check-then-insert window.
func burn(n int) (stop func()) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := uint64(1)
			for {
				select {
				case <-quit:
					return
				default:
				}
				for range 1 << 12 {
					x = x*6364136223846793005 + 1442695040888963407
				}
			}
		}()
	}
	return func() { close(quit); wg.Wait() }
}

// TestReplayRaceUnderLoad runs B-CLM-13.1's kill-matrix cell while
// goroutines burn every CPU: the race must still find the reference's
// 15 ms window between the jti check and its insert
// (defect.NonAtomicReplay), and must still pass the atomic store.
func TestReplayRaceUnderLoad(t *testing.T) {
	var c check.Check
	for _, x := range suites.All() {
		if x.Key() == "B-CLM-13.1" {
			c = x
		}
	}
	if c.Defect != defect.NonAtomicReplay {
		t.Fatalf("B-CLM-13.1 names defect %q, want %q", c.Defect, defect.NonAtomicReplay)
	}
	stop := burn(2 * runtime.GOMAXPROCS(0))
	defer stop()
	for _, tc := range []struct {
		name    string
		defects []defect.Name
		want    v1.Outcome
	}{
		{"defect", []defect.Name{defect.NonAtomicReplay}, v1.Fail},
		{"clean", nil, v1.Pass},
	} {
		e := startReference(t, check.OIDC, tc.defects...)
		r := suites.Run(context.Background(), e, c)
		t.Logf("%s: %s: %s %v", tc.name, r.Outcome, r.Reason, r.Notes)
		if r.Outcome != tc.want {
			t.Errorf("%s reference under load: B-CLM-13.1 %s (%s), want %s", tc.name, r.Outcome, r.Reason, tc.want)
		}
	}
}
