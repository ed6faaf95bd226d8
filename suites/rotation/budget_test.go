package rotation_test

import (
	"testing"
	"time"

	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/rotation"
)

func TestBudget(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    check.Rotation
		want time.Duration
	}{
		// Defaults: 5 min TTL exceeds the 20 s MaxWait, so only the 1 s refetch waits and the 6 s stalls count.
		{"defaults", check.Rotation{}, 6*time.Second + 3*time.Second + 2*time.Second + 3*time.Second + 12*time.Second + 3*time.Second + 12*time.Second},
		// The fast reference: every TTL wait (500 ms) fits in 5 s.
		{"fast reference", check.KnownKeyCache(400*time.Millisecond, 100*time.Millisecond, 300*time.Millisecond), 6*600*time.Millisecond + 300*time.Millisecond + 2*1100*time.Millisecond + 3*600*time.Millisecond + 1200*time.Millisecond + 300*time.Millisecond + 1200*time.Millisecond},
	} {
		if got := rotation.Budget(tc.r); got != tc.want {
			t.Errorf("%s: Budget = %s, want %s", tc.name, got, tc.want)
		}
	}
}
