package check

import (
	"context"
	"fmt"

	"github.com/assayhq/assay/mockidp/client"
)

// Observation is an informational catalog row (a MAY, or a policy the
// target chooses): it reports what the target does and never has an
// outcome, so it can neither fail nor change the exit code (semantics.md §2).
// Observations are not checks: they have no defect, since there is no rule
// for the reference to break.
type Observation struct {
	ID    string
	Cite  []string
	Title string
	// Observe returns what the target did, in one sentence; an error is a
	// harness or reachability problem and is reported as such.
	Observe func(ctx context.Context, e *Env) (string, error)
}

// Labels are the Ginkgo labels of an observation. They carry no "id:"
// label on purpose: the report's results list holds checks only.
func (o Observation) Labels() []string {
	ls := []string{"observation", "obs:" + o.ID}
	for _, x := range o.Cite {
		ls = append(ls, "spec:"+x)
	}
	return ls
}

// Text is the Ginkgo spec text.
func (o Observation) Text() string { return o.ID + " (observation) " + o.Title }

// Answer describes a token endpoint answer in a few words: "HTTP 200, token
// issued" or "HTTP 401 invalid_client".
func Answer(tr *client.Transcript) string {
	if tr == nil {
		return "no answer"
	}
	if tr.Status == 200 && tr.AccessToken() != "" {
		return "HTTP 200, token issued"
	}
	if code := tr.ErrorCode(); code != "" {
		return fmt.Sprintf("HTTP %d %s", tr.Status, code)
	}
	return fmt.Sprintf("HTTP %d", tr.Status)
}
