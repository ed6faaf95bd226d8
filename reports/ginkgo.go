package reports

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	v1 "github.com/assayhq/assay/reports/v1"
)

// Meta is what FromGinkgo needs besides Ginkgo's report.
type Meta struct {
	Tool    v1.Tool
	Target  v1.Target
	Command string // the assay command line, secrets redacted
	// Checks optionally lists every known check (ID, title, level, cites,
	// profiles, carrier, suite). A check absent from the Ginkgo report
	// becomes SKIP, so the report shows what a filtered run left out.
	Checks []v1.Result
}

// Reasons FromGinkgo gives for results it synthesizes.
const (
	reasonFiltered = "filtered out"
	reasonPending  = "pending in the suite"
	reasonDryRun   = "dry run: not executed"
)

// FromGinkgo converts a Ginkgo report into a v1.Report. It is pure: the same
// input gives the same output, and all times come from r.
//
// Each It spec contributes the v1.Result values of its "assay.result" report
// entries. A spec without one is judged from its Ginkgo state and labels
// (id:, level:, spec:, profile:, carrier:, suite:): filtered out is SKIP;
// failed, panicked, timed out or interrupted is ERROR with Ginkgo's message;
// not run because the run stopped early or an ordered container failed is
// ERROR. Specs without an id: label and without an entry are not assay checks
// and are left out. Results are sorted by ID, then carrier, and summarized.
func FromGinkgo(r types.Report, meta Meta) v1.Report {
	out := v1.Report{
		Schema:   v1.Schema,
		Tool:     meta.Tool,
		Target:   meta.Target,
		Command:  meta.Command,
		Started:  r.StartTime,
		Finished: r.EndTime,
		Results:  []v1.Result{},
	}
	if out.Finished.IsZero() {
		out.Finished = r.StartTime.Add(r.RunTime)
	}
	run := inspectRun(r)
	index := map[string]int{}
	add := func(res v1.Result) {
		// A key recorded twice (flake attempts, repeats) keeps the last result.
		k := resultKey(res)
		if i, ok := index[k]; ok {
			out.Results[i] = res
			return
		}
		index[k] = len(out.Results)
		out.Results = append(out.Results, res)
	}
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			continue
		}
		for _, res := range fromSpec(sr, run) {
			add(res)
		}
	}
	for _, c := range meta.Checks {
		if !present(out.Results, c) {
			add(missing(c, run))
		}
	}
	sortResults(out.Results)
	out.Summarize()
	return out
}

// runFacts is what FromGinkgo learns about the run as a whole.
type runFacts struct {
	dryRun bool
	// stopped says why the run ended before every selected spec ran
	// (interrupt, abort, suite timeout, fail-fast); empty if it did not.
	stopped string
	// setupFailed is the failure of BeforeSuite; then no spec ran at all.
	setupFailed string
	selected    func(types.SpecReport) bool
}

func inspectRun(r types.Report) runFacts {
	f := runFacts{dryRun: r.SuiteConfig.DryRun, selected: selector(r)}
	var failed, cut bool
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType.Is(types.NodeTypeBeforeSuite|types.NodeTypeSynchronizedBeforeSuite) &&
			sr.State.Is(types.SpecStateFailureStates) && f.setupFailed == "" {
			f.setupFailed = fmt.Sprintf("%s failed: %s", sr.LeafNodeType, failureText(sr))
		}
		if sr.LeafNodeType != types.NodeTypeIt {
			continue
		}
		failed = failed || sr.State.Is(types.SpecStateFailureStates)
		cut = cut || sr.State.Is(types.SpecStateInterrupted|types.SpecStateAborted)
	}
	switch {
	case len(r.SpecialSuiteFailureReasons) > 0:
		f.stopped = strings.Join(r.SpecialSuiteFailureReasons, "; ")
	case cut:
		f.stopped = "the run was interrupted or aborted"
	case failed && r.SuiteConfig.FailFast:
		f.stopped = "fail-fast stopped the run after a failure"
	}
	return f
}

// selector reports whether a spec matched the user's filters. It answers
// false whenever it cannot tell (programmatic focus, file or semver
// filters), so that doubt yields SKIP ("filtered out"), never a false ERROR.
func selector(r types.Report) func(types.SpecReport) bool {
	cfg := r.SuiteConfig
	if r.SuiteHasProgrammaticFocus || cfg.SemVerFilter != "" || len(cfg.FocusFiles) > 0 || len(cfg.SkipFiles) > 0 {
		return func(types.SpecReport) bool { return false }
	}
	labels := func([]string) bool { return true }
	if cfg.LabelFilter != "" {
		lf, err := types.ParseLabelFilter(cfg.LabelFilter)
		if err != nil {
			return func(types.SpecReport) bool { return false }
		}
		labels = lf
	}
	var focus, skip *regexp.Regexp
	var err error
	if len(cfg.FocusStrings) > 0 {
		if focus, err = regexp.Compile(strings.Join(cfg.FocusStrings, "|")); err != nil {
			return func(types.SpecReport) bool { return false }
		}
	}
	if len(cfg.SkipStrings) > 0 {
		if skip, err = regexp.Compile(strings.Join(cfg.SkipStrings, "|")); err != nil {
			return func(types.SpecReport) bool { return false }
		}
	}
	suiteLabels := r.SuiteLabels
	return func(sr types.SpecReport) bool {
		text := sr.FullText()
		return labels(append(append([]string{}, suiteLabels...), sr.Labels()...)) &&
			(focus == nil || focus.MatchString(text)) &&
			(skip == nil || !skip.MatchString(text))
	}
}

// fromSpec returns the results one It spec contributes.
func fromSpec(sr types.SpecReport, run runFacts) []v1.Result {
	meta := fromLabels(sr.Labels(), sr.LeafNodeText)
	var results []v1.Result
	for _, e := range sr.ReportEntries {
		if e.Name != v1.ResultEntry {
			continue
		}
		res, err := decodeEntry(e)
		if err != nil {
			res = meta
			res.Outcome = v1.Error
			res.Reason = fmt.Sprintf("decode %s entry: %v", v1.ResultEntry, err)
		}
		results = append(results, res)
	}
	if len(results) == 0 {
		if meta.ID == "" {
			return nil // not an assay check
		}
		meta.Outcome, meta.Reason = judgeBare(sr, run)
		meta.Duration = sr.RunTime
		return []v1.Result{meta}
	}
	for i := range results {
		results[i] = complete(results[i], meta, sr, len(results) == 1)
	}
	return results
}

// complete fills what an entry left empty from the spec's labels and
// reconciles the entry with the spec's Ginkgo state.
func complete(res, meta v1.Result, sr types.SpecReport, only bool) v1.Result {
	if res.ID == "" {
		res.ID = meta.ID
	}
	if res.Title == "" {
		res.Title = meta.Title
	}
	if res.Level == "" {
		res.Level = meta.Level
	}
	if len(res.Cite) == 0 {
		res.Cite = meta.Cite
	}
	if len(res.Profiles) == 0 {
		res.Profiles = meta.Profiles
	}
	if res.Carrier == "" {
		res.Carrier = meta.Carrier
	}
	if res.Suite == "" {
		res.Suite = meta.Suite
	}
	if res.Duration == 0 && only {
		res.Duration = sr.RunTime
	}
	switch {
	case !res.Outcome.Valid():
		res.Reason = fmt.Sprintf("%s entry has unknown outcome %q", v1.ResultEntry, res.Outcome)
		res.Outcome = v1.Error
	case sr.State.Is(types.SpecStateFailureStates) && res.Outcome != v1.Fail && res.Outcome != v1.Error:
		// The check recorded a verdict, but the spec then failed (an
		// AfterEach control, a panic in cleanup): the verdict cannot stand.
		res.Notes = append(res.Notes, fmt.Sprintf("the check recorded %s before the spec %s", res.Outcome, sr.State))
		res.Outcome = v1.Error
		res.Reason = failureText(sr)
	}
	if (res.Outcome == v1.NA || res.Outcome == v1.Error) && res.Reason == "" {
		res.Reason = "no reason recorded"
	}
	return res
}

// judgeBare decides the outcome of a check spec that recorded no entry.
func judgeBare(sr types.SpecReport, run runFacts) (v1.Outcome, string) {
	switch {
	case run.dryRun:
		return v1.Skip, reasonDryRun
	case sr.State.Is(types.SpecStatePending):
		return v1.Skip, reasonPending
	case sr.State.Is(types.SpecStateSkipped) && sr.Failure.Message != "":
		return v1.Error, "not run: " + sr.Failure.Message
	case sr.State.Is(types.SpecStateSkipped) && run.stopped != "" && run.selected(sr):
		return v1.Error, "not run: " + run.stopped
	case sr.State.Is(types.SpecStateSkipped):
		return v1.Skip, reasonFiltered
	case sr.State.Is(types.SpecStateFailureStates):
		return v1.Error, failureText(sr)
	case sr.State.Is(types.SpecStatePassed):
		return v1.Error, fmt.Sprintf("spec passed without recording an %s entry", v1.ResultEntry)
	default:
		return v1.Error, fmt.Sprintf("spec ended in state %s without an %s entry", sr.State, v1.ResultEntry)
	}
}

// failureText is the spec's failure message, with a forwarded panic value.
func failureText(sr types.SpecReport) string {
	msg := strings.TrimSpace(sr.Failure.Message)
	if p := strings.TrimSpace(sr.Failure.ForwardedPanic); p != "" {
		msg = strings.TrimSpace(msg + ": " + p)
	}
	if msg == "" {
		msg = "spec " + sr.State.String()
	}
	return msg
}

// decodeEntry extracts the v1.Result from a report entry: in process the raw
// value is the Result itself; from a JSON report or a parallel run it is
// decoded from the entry's JSON.
func decodeEntry(e types.ReportEntry) (v1.Result, error) {
	switch v := e.GetRawValue().(type) {
	case v1.Result:
		return v, nil
	case *v1.Result:
		if v != nil {
			return *v, nil
		}
	}
	data := []byte(e.Value.AsJSON)
	if len(data) == 0 {
		raw := e.GetRawValue()
		if raw == nil {
			return v1.Result{}, fmt.Errorf("entry has no value")
		}
		var err error
		if data, err = json.Marshal(raw); err != nil {
			return v1.Result{}, fmt.Errorf("encode entry value: %w", err)
		}
	}
	var res v1.Result
	if err := json.Unmarshal(data, &res); err != nil {
		return v1.Result{}, fmt.Errorf("decode result: %w", err)
	}
	return res, nil
}

// fromLabels builds a result's metadata from a spec's labels and leaf text.
func fromLabels(labels []string, leaf string) v1.Result {
	var res v1.Result
	for _, l := range labels {
		key, value, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		key, value = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value)
		switch key {
		case "id":
			if res.ID == "" {
				res.ID = value
			}
		case "level":
			if res.Level == "" {
				res.Level = strings.ToUpper(value)
			}
		case "spec":
			res.Cite = appendNew(res.Cite, value)
		case "profile":
			res.Profiles = appendNew(res.Profiles, value)
		case "carrier":
			if res.Carrier == "" {
				res.Carrier = value
			}
		case "suite":
			if res.Suite == "" {
				res.Suite = value
			}
		}
	}
	res.Title = titleFrom(leaf, res.ID)
	return res
}

// titleFrom strips the leading "<ID> " and a trailing " [citations]" from a
// spec's leaf text: "A-CA-04 rejects x [RFC 7523 §3]" gives "rejects x".
func titleFrom(leaf, id string) string {
	t := strings.TrimSpace(leaf)
	if id != "" {
		if rest, ok := strings.CutPrefix(t, id+" "); ok {
			t = rest
		} else if t == id {
			t = ""
		}
	}
	if strings.HasSuffix(t, "]") {
		if i := strings.LastIndex(t, " ["); i >= 0 {
			t = t[:i]
		}
	}
	return strings.TrimSpace(t)
}

func appendNew(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// present reports whether a known check has a result: same ID and the same
// carrier, or no carrier on either side.
func present(results []v1.Result, c v1.Result) bool {
	for _, r := range results {
		if r.ID == c.ID && (r.Carrier == c.Carrier || r.Carrier == "" || c.Carrier == "") {
			return true
		}
	}
	return false
}

// missing is the result of a known check that Ginkgo never saw.
func missing(c v1.Result, run runFacts) v1.Result {
	c.Exchanges, c.Repro, c.Notes, c.Duration = nil, nil, nil, 0
	c.Expected, c.ExpectedBy = false, ""
	switch {
	case run.setupFailed != "":
		c.Outcome, c.Reason = v1.Error, "not run: "+run.setupFailed
	case run.dryRun:
		c.Outcome, c.Reason = v1.Skip, reasonDryRun
	default:
		c.Outcome, c.Reason = v1.Skip, reasonFiltered
	}
	return c
}
