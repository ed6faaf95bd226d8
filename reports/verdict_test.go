package reports

import (
	"testing"

	v1 "github.com/assayhq/assay/reports/v1"
)

func TestJudge(t *testing.T) {
	res := func(o v1.Outcome, expected bool) v1.Result { return v1.Result{Outcome: o, Expected: expected} }
	tests := []struct {
		name    string
		results []v1.Result
		want    Verdict
		exit    int
	}{
		{"empty", nil, VerdictPass, 0},
		{"pass, warn and n/a", []v1.Result{res(v1.Pass, false), res(v1.Warn, false), res(v1.NA, false)}, VerdictPass, 0},
		{"skip makes it partial", []v1.Result{res(v1.Pass, false), res(v1.Skip, false)}, VerdictPartial, 0},
		{"fail beats skip", []v1.Result{res(v1.Skip, false), res(v1.Fail, false)}, VerdictFail, 1},
		{"expected fail does not count", []v1.Result{res(v1.Pass, false), res(v1.Fail, true)}, VerdictPass, 0},
		{"error beats fail", []v1.Result{res(v1.Fail, false), res(v1.Error, false)}, VerdictError, 3},
	}
	for _, tc := range tests {
		got := Judge(v1.Report{Results: tc.results})
		if got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
		if got.ExitCode() != tc.exit {
			t.Errorf("%s: exit code %d, want %d", tc.name, got.ExitCode(), tc.exit)
		}
	}
}

func TestPartialLine(t *testing.T) {
	r := v1.Report{Results: []v1.Result{{Outcome: v1.Skip}, {Outcome: v1.Skip}, {Outcome: v1.Pass}}}
	if got, want := PartialLine(r), "partial run: 2 checks skipped; not a conformance claim"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := PartialLine(v1.Report{}); got != "" {
		t.Errorf("no skips: got %q, want empty", got)
	}
}

func TestTargetName(t *testing.T) {
	tests := []struct {
		t    v1.Target
		want string
	}{
		{v1.Target{Name: "staging", Product: "X", Version: "1"}, "staging (X 1)"},
		{v1.Target{Product: "X"}, "X"},
		{v1.Target{Issuer: "https://as"}, "https://as"},
		{v1.Target{TokenEndpoint: "https://as/token"}, "https://as/token"},
		{v1.Target{}, "unnamed target"},
	}
	for _, tc := range tests {
		if got := targetName(tc.t); got != tc.want {
			t.Errorf("targetName(%+v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}
