package runner

import (
	"errors"
	"flag"
	"fmt"

	"github.com/assayhq/assay/reports"
)

// Exit codes (semantics.md §3), in order of precedence.
// A completed run's code is its report's verdict (reports.Verdict.ExitCode).
const (
	ExitOK           = reports.ExitPass  // conformant (WARN, N/A and expected failures allowed)
	ExitFail         = reports.ExitFail  // a FAIL not listed as expected
	ExitUsage        = 2                 // usage or config error: nothing ran
	ExitHarnessError = reports.ExitError // an ERROR: harness problem or target unreachable
)

// ExitError carries the process exit code of an outcome.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return "" // the outcome was already printed
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageErr is a usage or config error (exit 2).
func usageErr(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// ExitCode maps Run's error to the process exit code: 0 for nil, the
// ExitError's code, 0 for --help, 3 for anything else (a harness failure).
func ExitCode(err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitHarnessError
}

// quiet is an exit code whose cause was already printed (the summary).
func quiet(code int) error { return &ExitError{Code: code} }
