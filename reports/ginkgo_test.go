package reports

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	v1 "github.com/assayhq/assay/reports/v1"
)

// audLabels are the labels suites derive from a check (design R5).
var audLabels = []string{"id:A-CA-04", "level:MUST", "spec:RFC7523-3", "spec:RFC7521-5.2", "profile:ALL", "carrier:client", "suite:clientauth"}

const audText = "A-CA-04 rejects an aud that names another server [RFC 7523 §3]"

// audMeta is what audLabels and audText say about the check.
func audMeta() v1.Result {
	return v1.Result{
		ID: "A-CA-04", Title: "rejects an aud that names another server", Level: "MUST",
		Cite: []string{"RFC7523-3", "RFC7521-5.2"}, Profiles: []string{"ALL"}, Carrier: "client", Suite: "clientauth",
	}
}

// with returns m with outcome and reason set.
func with(m v1.Result, o v1.Outcome, reason string) v1.Result {
	m.Outcome, m.Reason = o, reason
	return m
}

func spec(text string, labels []string, state types.SpecState, entries ...types.ReportEntry) types.SpecReport {
	return types.SpecReport{
		LeafNodeType:   types.NodeTypeIt,
		LeafNodeText:   text,
		LeafNodeLabels: labels,
		State:          state,
		ReportEntries:  entries,
	}
}

func failed(sr types.SpecReport, msg string) types.SpecReport {
	sr.Failure = types.Failure{Message: msg}
	return sr
}

func timed(sr types.SpecReport, d time.Duration) types.SpecReport {
	sr.RunTime = d
	return sr
}

// entry is a report entry as Ginkgo holds it in process.
func entry(v any) types.ReportEntry {
	return types.ReportEntry{Name: v1.ResultEntry, Value: types.WrapEntryValue(v)}
}

// jsonEntry is a report entry as it arrives from a JSON report or another
// parallel process: the raw value is a decoded map, AsJSON holds the JSON.
func jsonEntry(t *testing.T, v any) types.ReportEntry {
	t.Helper()
	data, err := json.Marshal(entry(v))
	if err != nil {
		t.Fatalf("encode entry: %v", err)
	}
	var e types.ReportEntry
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatalf("decode entry: %v", err)
	}
	if _, isMap := e.GetRawValue().(map[string]any); !isMap || e.Value.AsJSON == "" {
		t.Fatalf("entry did not round-trip through JSON: %#v", e.Value)
	}
	return e
}

func TestFromGinkgo(t *testing.T) {
	start := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	recorded := v1.Result{
		ID: "A-CA-04", Title: "rejects an aud that names another server", Level: "MUST",
		Cite: []string{"RFC7523-3"}, Profiles: []string{"ALL"}, Carrier: "client", Suite: "clientauth",
		Outcome: v1.Fail, Reason: "token issued", Duration: 5 * time.Millisecond,
		Exchanges: []v1.Exchange{{Request: v1.Request{Method: "POST", URL: "https://as.test/token"}, Response: &v1.Response{Status: 200}}},
	}
	interrupted := func(r *types.Report) {
		r.SpecialSuiteFailureReasons = []string{"Interrupted by User"}
	}
	tests := []struct {
		name   string
		specs  []types.SpecReport
		report func(*types.Report)
		checks []v1.Result
		want   []v1.Result
	}{
		{
			name:  "entry value in process is the result",
			specs: []types.SpecReport{spec(audText, audLabels, types.SpecStateFailed, entry(recorded))},
			want:  []v1.Result{recorded},
		},
		{
			name:  "entry from a JSON report is decoded from AsJSON",
			specs: []types.SpecReport{spec(audText, audLabels, types.SpecStateFailed, jsonEntry(t, recorded))},
			want:  []v1.Result{recorded},
		},
		{
			name:  "entry holding a pointer",
			specs: []types.SpecReport{spec(audText, audLabels, types.SpecStatePassed, entry(&v1.Result{ID: "A-CA-04", Carrier: "client", Outcome: v1.Pass}))},
			want:  []v1.Result{with(audMeta(), v1.Pass, "")},
		},
		{
			name: "empty entry fields come from labels, duration from the spec",
			specs: []types.SpecReport{timed(spec(audText, audLabels, types.SpecStatePassed,
				entry(v1.Result{Outcome: v1.Pass})), 7*time.Millisecond)},
			want: []v1.Result{func() v1.Result { r := with(audMeta(), v1.Pass, ""); r.Duration = 7 * time.Millisecond; return r }()},
		},
		{
			name:  "N/A entry without a reason gets one, so the report validates",
			specs: []types.SpecReport{spec(audText, audLabels, types.SpecStateSkipped, entry(v1.Result{Outcome: v1.NA}))},
			want:  []v1.Result{with(audMeta(), v1.NA, "no reason recorded")},
		},
		{
			name:  "entry with an unknown outcome is ERROR",
			specs: []types.SpecReport{spec(audText, audLabels, types.SpecStatePassed, entry(v1.Result{Outcome: "MAYBE"}))},
			want:  []v1.Result{with(audMeta(), v1.Error, `assay.result entry has unknown outcome "MAYBE"`)},
		},
		{
			name: "PASS entry on a spec that then failed is ERROR",
			specs: []types.SpecReport{failed(spec(audText, audLabels, types.SpecStateFailed,
				entry(v1.Result{Outcome: v1.Pass})), "persistence control refused a valid request")},
			want: []v1.Result{func() v1.Result {
				r := with(audMeta(), v1.Error, "persistence control refused a valid request")
				r.Notes = []string{"the check recorded PASS before the spec failed"}
				return r
			}()},
		},
		{
			name: "an undecodable entry is ERROR with label metadata",
			specs: []types.SpecReport{spec(audText, audLabels, types.SpecStatePassed,
				types.ReportEntry{Name: v1.ResultEntry, Value: types.ReportEntryValue{AsJSON: `{"id": 42}`}})},
			want: []v1.Result{with(audMeta(), v1.Error, "decode assay.result entry: decode result: json: cannot unmarshal number into Go struct field Result.id of type string")},
		},
		{
			name: "other report entries are ignored",
			specs: []types.SpecReport{spec(audText, audLabels, types.SpecStatePassed,
				types.ReportEntry{Name: "exchange", Value: types.WrapEntryValue("x")}, entry(v1.Result{Outcome: v1.Pass}))},
			want: []v1.Result{with(audMeta(), v1.Pass, "")},
		},
		{
			name:  "filtered-out spec is SKIP built from labels",
			specs: []types.SpecReport{spec(audText, audLabels, types.SpecStateSkipped)},
			want:  []v1.Result{with(audMeta(), v1.Skip, "filtered out")},
		},
		{
			name:  "failed spec without entry is ERROR with the failure message",
			specs: []types.SpecReport{failed(spec(audText, audLabels, types.SpecStateFailed), "mock IdP listener: address in use")},
			want:  []v1.Result{with(audMeta(), v1.Error, "mock IdP listener: address in use")},
		},
		{
			name: "panicked spec without entry is ERROR with the panic",
			specs: []types.SpecReport{func() types.SpecReport {
				sr := spec(audText, audLabels, types.SpecStatePanicked)
				sr.Failure = types.Failure{Message: "Test Panicked", ForwardedPanic: "nil map"}
				return sr
			}()},
			want: []v1.Result{with(audMeta(), v1.Error, "Test Panicked: nil map")},
		},
		{
			name:   "interrupted spec without entry is ERROR",
			specs:  []types.SpecReport{failed(spec(audText, audLabels, types.SpecStateInterrupted), "interrupted by user")},
			report: interrupted,
			want:   []v1.Result{with(audMeta(), v1.Error, "interrupted by user")},
		},
		{
			name:  "timed-out spec without message is ERROR naming the state",
			specs: []types.SpecReport{spec(audText, audLabels, types.SpecStateTimedout)},
			want:  []v1.Result{with(audMeta(), v1.Error, "spec timedout")},
		},
		{
			name: "spec skipped after an ordered container failed is ERROR",
			specs: []types.SpecReport{failed(spec(audText, audLabels, types.SpecStateSkipped),
				"Spec skipped because an earlier spec in an ordered container failed")},
			want: []v1.Result{with(audMeta(), v1.Error, "not run: Spec skipped because an earlier spec in an ordered container failed")},
		},
		{
			name:   "selected spec not run because the run was interrupted is ERROR",
			specs:  []types.SpecReport{spec(audText, audLabels, types.SpecStateSkipped)},
			report: interrupted,
			want:   []v1.Result{with(audMeta(), v1.Error, "not run: Interrupted by User")},
		},
		{
			name:  "in an interrupted run, a spec the label filter excludes is still SKIP",
			specs: []types.SpecReport{spec(audText, audLabels, types.SpecStateSkipped)},
			report: func(r *types.Report) {
				interrupted(r)
				r.SuiteConfig.LabelFilter = "level: containsAny SHOULD"
			},
			want: []v1.Result{with(audMeta(), v1.Skip, "filtered out")},
		},
		{
			name:  "in an interrupted run, a spec the focus excludes is still SKIP",
			specs: []types.SpecReport{spec(audText, audLabels, types.SpecStateSkipped)},
			report: func(r *types.Report) {
				interrupted(r)
				r.SuiteConfig.FocusStrings = []string{"B-ALG"}
			},
			want: []v1.Result{with(audMeta(), v1.Skip, "filtered out")},
		},
		{
			name:  "with fail-fast, selected specs after a failure are ERROR",
			specs: []types.SpecReport{failed(spec("A-MD-01 x", []string{"id:A-MD-01", "level:MUST"}, types.SpecStateFailed), "boom"), spec(audText, audLabels, types.SpecStateSkipped)},
			report: func(r *types.Report) {
				r.SuiteConfig.FailFast = true
			},
			want: []v1.Result{
				with(audMeta(), v1.Error, "not run: fail-fast stopped the run after a failure"),
				{ID: "A-MD-01", Title: "x", Level: "MUST", Outcome: v1.Error, Reason: "boom"},
			},
		},
		{
			name:  "pending spec is SKIP",
			specs: []types.SpecReport{spec(audText, audLabels, types.SpecStatePending)},
			want:  []v1.Result{with(audMeta(), v1.Skip, "pending in the suite")},
		},
		{
			name:  "passed spec without entry is ERROR: the check forgot its verdict",
			specs: []types.SpecReport{spec(audText, audLabels, types.SpecStatePassed)},
			want:  []v1.Result{with(audMeta(), v1.Error, "spec passed without recording an assay.result entry")},
		},
		{
			name:   "dry run is SKIP",
			specs:  []types.SpecReport{spec(audText, audLabels, types.SpecStatePassed)},
			report: func(r *types.Report) { r.SuiteConfig.DryRun = true },
			want:   []v1.Result{with(audMeta(), v1.Skip, "dry run: not executed")},
		},
		{
			name: "specs that are not assay checks and non-It nodes are left out",
			specs: []types.SpecReport{
				spec("a vendor's own spec", []string{"smoke"}, types.SpecStateFailed),
				{LeafNodeType: types.NodeTypeAfterSuite, State: types.SpecStateFailed},
				{LeafNodeType: types.NodeTypeReportAfterSuite, State: types.SpecStatePassed},
			},
			want: []v1.Result{},
		},
		{
			name: "results are sorted by ID (numerically), then carrier; a repeated key keeps the last",
			specs: []types.SpecReport{
				spec("", nil, types.SpecStatePassed, entry(v1.Result{ID: "B-ALG-10", Level: "MUST", Outcome: v1.Pass})),
				spec("", nil, types.SpecStatePassed, entry(v1.Result{ID: "B-ALG-6", Carrier: "grant", Level: "MUST", Outcome: v1.Pass}),
					entry(v1.Result{ID: "B-ALG-6", Carrier: "client", Level: "MUST", Outcome: v1.Pass})),
				spec("", nil, types.SpecStatePassed, entry(v1.Result{ID: "B-ALG-10", Level: "MUST", Outcome: v1.Warn, Reason: "again"})),
			},
			want: []v1.Result{
				{ID: "B-ALG-6", Carrier: "client", Level: "MUST", Outcome: v1.Pass},
				{ID: "B-ALG-6", Carrier: "grant", Level: "MUST", Outcome: v1.Pass},
				{ID: "B-ALG-10", Level: "MUST", Outcome: v1.Warn, Reason: "again"},
			},
		},
		{
			name:  "known checks absent from the report are SKIP",
			specs: []types.SpecReport{spec(audText, audLabels, types.SpecStatePassed, entry(v1.Result{Outcome: v1.Pass}))},
			checks: []v1.Result{
				audMeta(), // present
				func() v1.Result { m := audMeta(); m.Carrier = "grant"; return m }(),
				{ID: "A-MD-01", Title: "serves metadata", Level: "MUST", Outcome: v1.Pass, Reason: "stale", Notes: []string{"stale"}},
			},
			want: []v1.Result{
				with(audMeta(), v1.Pass, ""),
				func() v1.Result { m := audMeta(); m.Carrier = "grant"; return with(m, v1.Skip, "filtered out") }(),
				{ID: "A-MD-01", Title: "serves metadata", Level: "MUST", Outcome: v1.Skip, Reason: "filtered out"},
			},
		},
		{
			name: "when BeforeSuite failed, known checks are ERROR",
			specs: []types.SpecReport{{LeafNodeType: types.NodeTypeSynchronizedBeforeSuite, State: types.SpecStateFailed,
				Failure: types.Failure{Message: "discovery: connection refused"}}},
			checks: []v1.Result{audMeta()},
			want:   []v1.Result{with(audMeta(), v1.Error, "not run: SynchronizedBeforeSuite failed: discovery: connection refused")},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gr := types.Report{
				SuiteDescription: "assay",
				StartTime:        start,
				EndTime:          start.Add(time.Second),
				SpecReports:      tc.specs,
			}
			if tc.report != nil {
				tc.report(&gr)
			}
			meta := Meta{
				Tool:    v1.Tool{Name: "assay", Version: "test"},
				Target:  v1.Target{Name: "ref", Profile: "BASE"},
				Command: "assay run",
				Checks:  tc.checks,
			}
			got := FromGinkgo(gr, meta)
			if !reflect.DeepEqual(got.Results, tc.want) {
				t.Errorf("results differ\n got: %s\nwant: %s", mustJSON(t, got.Results), mustJSON(t, tc.want))
			}
			if got.Schema != v1.Schema || got.Tool != meta.Tool || got.Target != meta.Target || got.Command != meta.Command ||
				!got.Started.Equal(start) || !got.Finished.Equal(start.Add(time.Second)) {
				t.Errorf("report header: got %+v", got)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("report does not validate: %v", err)
			}
		})
	}
}

func TestFromGinkgoIsPure(t *testing.T) {
	sr := spec(audText, audLabels, types.SpecStateSkipped)
	gr := types.Report{SpecReports: []types.SpecReport{sr}}
	checks := []v1.Result{{ID: "A-MD-01", Level: "MUST", Notes: []string{"n"}}}
	a := FromGinkgo(gr, Meta{Checks: checks})
	b := FromGinkgo(gr, Meta{Checks: checks})
	if !reflect.DeepEqual(a, b) {
		t.Errorf("two calls differ:\n%s\n%s", mustJSON(t, a), mustJSON(t, b))
	}
	if len(checks[0].Notes) != 1 || checks[0].Outcome != "" {
		t.Errorf("FromGinkgo changed meta.Checks: %+v", checks[0])
	}
}

func TestFromGinkgoMissingEndTime(t *testing.T) {
	start := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	got := FromGinkgo(types.Report{StartTime: start, RunTime: 2 * time.Second}, Meta{})
	if want := start.Add(2 * time.Second); !got.Finished.Equal(want) {
		t.Errorf("finished: got %v, want %v", got.Finished, want)
	}
	if got.Results == nil {
		t.Error("results: nil, want empty")
	}
}

func TestTitleFrom(t *testing.T) {
	tests := []struct{ leaf, id, want string }{
		{"A-CA-04 rejects an aud [RFC 7523 §3]", "A-CA-04", "rejects an aud"},
		{"A-CA-04 rejects an aud", "A-CA-04", "rejects an aud"},
		{"A-CA-04", "A-CA-04", ""},
		{"rejects [x] in the middle", "A-CA-04", "rejects [x] in the middle"},
		{"A-CA-04.2 variant [RFC 7523 §3, RFC 7521 §5.2]", "A-CA-04.2", "variant"},
		{"A-CA-040 other check", "A-CA-04", "A-CA-040 other check"},
	}
	for _, tc := range tests {
		if got := titleFrom(tc.leaf, tc.id); got != tc.want {
			t.Errorf("titleFrom(%q, %q) = %q, want %q", tc.leaf, tc.id, got, tc.want)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return string(b)
}
