package reports

import (
	"fmt"
	"strings"

	v1 "github.com/assayhq/assay/reports/v1"
)

// Verdict is the overall judgement of a run. It follows the exit-code
// precedence of semantics.md §3: any ERROR, then any FAIL not marked
// expected, then PASS; a passing run with SKIPs is PARTIAL, never a
// conformance claim.
type Verdict string

// The verdicts, worst first.
const (
	VerdictError   Verdict = "ERROR"   // exit code 3: the harness or the target could not complete checks
	VerdictFail    Verdict = "FAIL"    // exit code 1: non-conformant
	VerdictPartial Verdict = "PARTIAL" // exit code 0, but checks were skipped
	VerdictPass    Verdict = "PASS"    // exit code 0
)

// Judge returns the verdict of r, computed from its results (not its summary).
func Judge(r v1.Report) Verdict {
	var errs, fails, skips int
	for _, res := range r.Results {
		switch {
		case res.Outcome == v1.Error:
			errs++
		case res.Outcome == v1.Fail && !res.Expected:
			fails++
		case res.Outcome == v1.Skip:
			skips++
		}
	}
	switch {
	case errs > 0:
		return VerdictError
	case fails > 0:
		return VerdictFail
	case skips > 0:
		return VerdictPartial
	default:
		return VerdictPass
	}
}

// Exit codes of a run that completed (semantics.md §3). Usage errors (2)
// are the runner's: nothing ran, so there is no report to judge.
const (
	ExitPass  = 0 // conformant: WARN, N/A, SKIP and expected failures allowed
	ExitFail  = 1 // a FAIL not marked expected
	ExitError = 3 // an ERROR: a harness problem or an unreachable target
)

// ExitCode is the process exit status that goes with the verdict, so that
// the exit code and every report's verdict come from one judgement.
func (v Verdict) ExitCode() int {
	switch v {
	case VerdictError:
		return ExitError
	case VerdictFail:
		return ExitFail
	}
	return ExitPass
}

// Headline is a one-line account of the run: verdict, target and profile.
func Headline(r v1.Report) string {
	return fmt.Sprintf("%s: %s, profile %s", Judge(r), targetName(r.Target), orDash(r.Target.Profile))
}

// PartialLine is the line every report prints when checks were skipped
// (semantics.md §3); empty when none were.
func PartialLine(r v1.Report) string {
	n := countOutcome(r, v1.Skip)
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("partial run: %d checks skipped; not a conformance claim", n)
}

// targetName names the target as precisely as the report allows.
func targetName(t v1.Target) string {
	var parts []string
	if t.Name != "" {
		parts = append(parts, t.Name)
	}
	if t.Product != "" {
		p := t.Product
		if t.Version != "" {
			p += " " + t.Version
		}
		if len(parts) > 0 {
			p = "(" + p + ")"
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		switch {
		case t.Issuer != "":
			return t.Issuer
		case t.TokenEndpoint != "":
			return t.TokenEndpoint
		default:
			return "unnamed target"
		}
	}
	return strings.Join(parts, " ")
}

func countOutcome(r v1.Report, o v1.Outcome) int {
	n := 0
	for _, res := range r.Results {
		if res.Outcome == o {
			n++
		}
	}
	return n
}

func countExpected(r v1.Report) int {
	n := 0
	for _, res := range r.Results {
		if res.Outcome == v1.Fail && res.Expected {
			n++
		}
	}
	return n
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
