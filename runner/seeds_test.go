package runner_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	v1 "github.com/assayhq/assay/reports/v1"
)

// runSeed stages the seed servers (fixtures/servers/seeds, one binary for
// all five; Go's build cache makes a rerun quick), runs `assay run` with
// fixtures/targets/<name>.yaml and its baseline, asserts exit 0 and no
// container left behind, and returns the JSON report so the caller can
// assert on outcomes (e.g. "0 ERROR").
func runSeed(t *testing.T, name string) v1.Report {
	t.Helper()
	stageInterop(t, "seeds")
	cfg := repoFile(t, "fixtures/targets/"+name+".yaml")
	out := filepath.Join(t.TempDir(), "report.json")
	s := startAssay(t, "run", "--config", cfg, "--json", out)
	if code := s.wait(t, 5*time.Minute); code != 0 {
		t.Fatalf("%s: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", name, code, s.out, s.err)
	}
	if left := containersOf(t, s.cmd.Process.Pid); len(left) > 0 {
		t.Errorf("containers left behind: %v", left)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var r v1.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("report: %v", err)
	}
	return r
}

// errorsOf lists the report's ERROR results with their reasons, for
// assertions like "0 ERROR".
func errorsOf(r v1.Report) []string {
	var ids []string
	for _, res := range r.Results {
		if res.Outcome == v1.Error {
			ids = append(ids, res.ID+": "+res.Reason)
		}
	}
	return ids
}
