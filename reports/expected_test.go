package reports

import (
	"reflect"
	"testing"

	v1 "github.com/assayhq/assay/reports/v1"
)

func TestApplyExpected(t *testing.T) {
	r := v1.Report{Results: []v1.Result{
		{ID: "A-CA-04", Carrier: "client", Outcome: v1.Fail},
		{ID: "A-CA-04", Carrier: "grant", Outcome: v1.Pass},
		{ID: "A-CA-09", Outcome: v1.Fail},
		{ID: "A-CA-10", Outcome: v1.Pass},
		{ID: "A-JG-03", Outcome: v1.Error, Reason: "unreachable"},
		{ID: "A-MD-04", Outcome: v1.Fail},
	}}
	r.Summary.FixedExpected = []string{"stale"}
	ApplyExpected(&r, map[string]string{
		"A-CA-04":        "aud not checked (all carriers)",
		"A-CA-04/client": "ticket 12 (client only)",
		"A-CA-10":        "fixed in 2.4",
		"A-JG-03":        "flaky",
		"Z-NONE":         "matches nothing",
	})
	type flags struct {
		Expected bool
		By       string
	}
	want := []flags{
		{true, "ticket 12 (client only)"}, // the specific key wins
		{false, ""},                       // PASS: fixed, not marked
		{false, ""},                       // not listed
		{false, ""},
		{false, ""}, // ERROR stays an ERROR
		{false, ""},
	}
	for i, res := range r.Results {
		if got := (flags{res.Expected, res.ExpectedBy}); got != want[i] {
			t.Errorf("%s: got %+v, want %+v", resultKey(res), got, want[i])
		}
	}
	if want := []string{"A-CA-04/grant", "A-CA-10"}; !reflect.DeepEqual(r.Summary.FixedExpected, want) {
		t.Errorf("fixed expected: got %v, want %v", r.Summary.FixedExpected, want)
	}
	if r.Summary.ExpectedFailures != 1 || r.Summary.Counts[v1.Fail] != 3 || r.Summary.Total != 6 {
		t.Errorf("summary not recomputed: %+v", r.Summary)
	}
	if got := Judge(r); got != VerdictError {
		t.Errorf("verdict: got %s, want ERROR", got)
	}
}

func TestApplyExpectedMakesFailingRunPass(t *testing.T) {
	r := v1.Report{Results: []v1.Result{{ID: "A", Outcome: v1.Fail}, {ID: "B", Outcome: v1.Pass}}}
	if got := Judge(r); got != VerdictFail {
		t.Fatalf("before: got %s, want FAIL", got)
	}
	ApplyExpected(&r, map[string]string{"A": "known"})
	if got := Judge(r); got != VerdictPass {
		t.Errorf("after: got %s, want PASS", got)
	}
	if r.Summary.FixedExpected != nil {
		t.Errorf("fixed expected: got %v, want none", r.Summary.FixedExpected)
	}
}
