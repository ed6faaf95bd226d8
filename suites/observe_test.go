package suites_test

import (
	"context"
	"strings"
	"testing"

	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

// TestObservations runs every observation against the clean reference
// under every profile. Observations have no outcome to kill, so the test
// only proves that each one observes something: a "not observed" text is
// a harness defect.
func TestObservations(t *testing.T) {
	for _, p := range check.Profiles() {
		p := p
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			e := startReference(t, p)
			for _, o := range suites.Observations() {
				got := suites.Observe(context.Background(), e, o)
				if got.ID != o.ID || strings.Contains(got.Text, "not observed") || !strings.HasPrefix(got.Text, o.Title+": ") {
					t.Errorf("%s under %s: %q", o.ID, p, got.Text)
				}
			}
		})
	}
}
