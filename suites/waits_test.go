package suites_test

import (
	"context"
	"strings"
	"testing"
	"time"

	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

// TestNADecidedBeforeWaiting: under FAPI2 the rows that publish a key in
// client B's set for an algorithm the profile refuses (HS256, RS256) are
// N/A, since a target that refuses the algorithm never looks the key up.
// They say so after the first refusal, without waiting the refetch
// interval or the key-cache expiry for a fetch that cannot come.
func TestNADecidedBeforeWaiting(t *testing.T) {
	e := startReference(t, check.FAPI2)
	var waited []time.Duration
	sleep := e.Sleep
	e.Sleep = func(ctx context.Context, d time.Duration) error {
		waited = append(waited, d)
		return sleep(ctx, d)
	}
	want := map[string]bool{"B-KEY-10": true, "B-KEY-11": true, "B-KEYQ-02": true, "B-DOS-07": true}
	for _, c := range suites.All() {
		if !want[c.Key()] {
			continue
		}
		delete(want, c.Key())
		waited = nil
		r := suites.Run(context.Background(), e, c)
		if r.Outcome != v1.NA || !strings.Contains(r.Reason, "does not allow") {
			t.Errorf("%s under FAPI2: %s (%s), want N/A because the profile does not allow the algorithm", c.Key(), r.Outcome, r.Reason)
		}
		if len(waited) > 0 {
			t.Errorf("%s under FAPI2 waited %v before deciding N/A", c.Key(), waited)
		}
	}
	for id := range want {
		t.Errorf("no check %s", id)
	}
}
