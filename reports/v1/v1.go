// Package v1 is assay's versioned report schema. JSON field names are API:
// add fields, never rename or remove them within v1.
package v1

import (
	"errors"
	"fmt"
	"time"
)

// Schema is the value of Report.Schema for this version.
const Schema = "assay.report/v1"

// Outcome is the verdict of one check.
type Outcome string

// The six outcomes (semantics.md §2).
const (
	Pass  Outcome = "PASS"  // everything as expected
	Fail  Outcome = "FAIL"  // a MUST was broken
	Warn  Outcome = "WARN"  // a SHOULD was broken; never changes the exit code
	NA    Outcome = "N/A"   // the check does not apply (profile or capability); Reason says why
	Skip  Outcome = "SKIP"  // filtered out by the user; the run is not a conformance claim
	Error Outcome = "ERROR" // the harness could not complete the check, or the target was unreachable
)

// Outcomes lists every outcome in report order.
var Outcomes = []Outcome{Pass, Fail, Warn, NA, Skip, Error}

// Valid reports whether o is one of the six outcomes.
func (o Outcome) Valid() bool {
	for _, x := range Outcomes {
		if o == x {
			return true
		}
	}
	return false
}

// Report is one run of assay against one target under one profile.
type Report struct {
	Schema       string        `json:"schema"`
	Tool         Tool          `json:"tool"`
	Target       Target        `json:"target"`
	Command      string        `json:"command,omitempty"` // the assay command line, secrets redacted
	Started      time.Time     `json:"started"`
	Finished     time.Time     `json:"finished"`
	Summary      Summary       `json:"summary"`
	Results      []Result      `json:"results"`
	Observations []Observation `json:"observations,omitempty"`
	// TargetLog is the tail of a process or container target's output,
	// secrets redacted, kept when a check failed or errored so that the
	// server's side of a finding travels with the report.
	TargetLog []string `json:"targetLog,omitempty"`
}

// Tool names the harness that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Target describes what was tested.
type Target struct {
	Name          string `json:"name,omitempty"`
	Product       string `json:"product,omitempty"`
	Version       string `json:"version,omitempty"`
	Issuer        string `json:"issuer,omitempty"`
	TokenEndpoint string `json:"tokenEndpoint,omitempty"`
	Profile       string `json:"profile"`
}

// Summary counts results by outcome.
type Summary struct {
	Total            int             `json:"total"`
	Counts           map[Outcome]int `json:"counts"`
	ExpectedFailures int             `json:"expectedFailures,omitempty"` // FAILs matched by the expected-failures file
	FixedExpected    []string        `json:"fixedExpected,omitempty"`    // expected failures that now pass
}

// Result is the outcome of one check.
type Result struct {
	ID         string        `json:"id"`
	Title      string        `json:"title"`
	Level      string        `json:"level"` // MUST, SHOULD
	Cite       []string      `json:"cite"`  // label form, e.g. "RFC7523-3"
	Profiles   []string      `json:"profiles,omitempty"`
	Carrier    string        `json:"carrier,omitempty"` // client, grant
	Suite      string        `json:"suite,omitempty"`   // discovery, clientauth, grant, negative, ...
	Outcome    Outcome       `json:"outcome"`
	Reason     string        `json:"reason,omitempty"`
	Expected   bool          `json:"expected,omitempty"` // a FAIL listed in the expected-failures file
	ExpectedBy string        `json:"expectedBy,omitempty"`
	Duration   time.Duration `json:"durationNs"`
	Notes      []string      `json:"notes,omitempty"`
	Exchanges  []Exchange    `json:"exchanges,omitempty"` // redacted
	Repro      *Repro        `json:"repro,omitempty"`
	// BlockedBy is set on an ERROR that a failed positive control caused:
	// the control's ID (the key of the check that is that control, e.g.
	// "A-JG-14"). Cause is the control's own reason. The row itself sent
	// nothing (semantics.md §2, one cause, one finding).
	BlockedBy string `json:"blockedBy,omitempty"`
	Cause     string `json:"cause,omitempty"`
}

// Exchange is one HTTP request and its response, secrets redacted.
type Exchange struct {
	Request  Request       `json:"request"`
	Response *Response     `json:"response,omitempty"` // nil when the transport failed
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"durationNs"`
}

// Request is a redacted HTTP request.
type Request struct {
	Method string              `json:"method"`
	URL    string              `json:"url"`
	Header map[string][]string `json:"header,omitempty"`
	Body   string              `json:"body,omitempty"`
}

// Response is a redacted HTTP response.
type Response struct {
	Status    int                 `json:"status"`
	Header    map[string][]string `json:"header,omitempty"`
	Body      string              `json:"body,omitempty"`
	Truncated bool                `json:"truncated,omitempty"`
}

// Repro tells how to reproduce a result.
type Repro struct {
	Curl  string `json:"curl,omitempty"`
	Assay string `json:"assay,omitempty"`
	Note  string `json:"note,omitempty"`
}

// Observation is an informational (MAY) finding; it never changes the exit code.
type Observation struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Validate reports every structural problem in r at once.
func (r *Report) Validate() error {
	var errs []error
	if r.Schema != Schema {
		errs = append(errs, fmt.Errorf("schema: got %q, want %q", r.Schema, Schema))
	}
	if r.Tool.Name == "" {
		errs = append(errs, errors.New("tool.name: empty"))
	}
	if r.Target.Profile == "" {
		errs = append(errs, errors.New("target.profile: empty"))
	}
	if r.Finished.Before(r.Started) {
		errs = append(errs, errors.New("finished: before started"))
	}
	counts := map[Outcome]int{}
	seen := map[string]bool{}
	for i, res := range r.Results {
		p := fmt.Sprintf("results[%d]", i)
		if res.ID == "" {
			errs = append(errs, fmt.Errorf("%s.id: empty", p))
		}
		key := res.ID + "/" + res.Carrier
		if seen[key] {
			errs = append(errs, fmt.Errorf("%s.id: duplicate %q", p, key))
		}
		seen[key] = true
		if !res.Outcome.Valid() {
			errs = append(errs, fmt.Errorf("%s.outcome: unknown %q", p, res.Outcome))
		}
		if (res.Outcome == NA || res.Outcome == Error) && res.Reason == "" {
			errs = append(errs, fmt.Errorf("%s.reason: required for %s", p, res.Outcome))
		}
		if res.BlockedBy != "" && res.Outcome != Error {
			errs = append(errs, fmt.Errorf("%s.blockedBy: set on %s; only an ERROR is blocked", p, res.Outcome))
		}
		if res.Level != "MUST" && res.Level != "SHOULD" {
			errs = append(errs, fmt.Errorf("%s.level: got %q, want MUST or SHOULD", p, res.Level))
		}
		counts[res.Outcome]++
	}
	if r.Summary.Total != len(r.Results) {
		errs = append(errs, fmt.Errorf("summary.total: %d, but %d results", r.Summary.Total, len(r.Results)))
	}
	for _, o := range Outcomes {
		if r.Summary.Counts[o] != counts[o] {
			errs = append(errs, fmt.Errorf("summary.counts[%s]: %d, but %d results", o, r.Summary.Counts[o], counts[o]))
		}
	}
	return errors.Join(errs...)
}

// Summarize recomputes r.Summary.Total and Counts from r.Results.
func (r *Report) Summarize() {
	r.Summary.Total = len(r.Results)
	r.Summary.Counts = map[Outcome]int{}
	for _, o := range Outcomes {
		r.Summary.Counts[o] = 0
	}
	r.Summary.ExpectedFailures = 0
	for _, res := range r.Results {
		r.Summary.Counts[res.Outcome]++
		if res.Expected {
			r.Summary.ExpectedFailures++
		}
	}
}
