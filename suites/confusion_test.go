package suites_test

import (
	"context"
	"strings"
	"testing"

	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

// TestConfusionVariantsDistinct: each B-ALG-06 variant is killed only by
// the defect of its own encoding, so each sends a secret the others do
// not (catalog B-ALG-06 (a)-(g)); the kill matrix shows the diagonal.
func TestConfusionVariantsDistinct(t *testing.T) {
	var rows []check.Check
	for _, c := range suites.All() {
		if strings.HasPrefix(c.ID, "B-ALG-06.") {
			rows = append(rows, c)
		}
	}
	if len(rows) != 7 {
		t.Fatalf("%d B-ALG-06 variants, want 7 (one per encoding)", len(rows))
	}
	for _, d := range rows {
		d := d
		t.Run(string(d.Defect), func(t *testing.T) {
			t.Parallel()
			e := startReference(t, check.BASE, d.Defect)
			for _, c := range rows {
				want := v1.Pass
				if c.Defect == d.Defect {
					want = v1.Fail
				}
				if r := suites.Run(context.Background(), e, c); r.Outcome != want {
					t.Errorf("%s with %s: %s (%s), want %s", c.ID, d.Defect, r.Outcome, r.Reason, want)
				}
			}
		})
	}
}
