package suites_test

import (
	"context"
	"strings"
	"testing"

	"github.com/assayhq/assay/mockidp/defect"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

// TestErrorCodeInvariant: a replay answered 400 {"error":"jti_known"} (the
// reference under defect.ReplayCustomCode) fails every replay row on both
// carriers, FAIL on a MUST row and WARN on a SHOULD one, and the reason
// names the server's code (semantics.md §5).
func TestErrorCodeInvariant(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want v1.Outcome
	}{
		{"A-CA-19", v1.Fail},          // client assertion, MUST
		{"B-CLM-12", v1.Fail},         // client assertion, MUST
		{"B-CLM-14.1", v1.Warn},       // client assertion, SHOULD
		{"B-CLM-12.2/grant", v1.Warn}, // grant assertion, SHOULD
	} {
		t.Run(tc.key, func(t *testing.T) {
			t.Parallel()
			e := startReference(t, check.OIDC, defect.ReplayCustomCode)
			r := suites.Run(context.Background(), e, checkByKey(t, tc.key))
			if r.Outcome != tc.want || !strings.Contains(r.Reason, `"jti_known"`) {
				t.Errorf("%s against replays answered jti_known: %s (%s), want %s naming the code", tc.key, r.Outcome, r.Reason, tc.want)
			}
		})
	}
}
