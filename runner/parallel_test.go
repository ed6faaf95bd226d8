package runner_test

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestParallelRunMatchesSequential runs the reference with --parallel 1
// and --parallel 4: the report has the same checks in the same order with
// the same outcomes, and the terminal lists them in the same order. The
// observations are compared as a set: Ginkgo shuffles its top-level
// containers, so they come before the checks in some runs and after them
// in others, parallel or not.
func TestParallelRunMatchesSequential(t *testing.T) {
	dir := t.TempDir()
	type run struct {
		results      []string
		progress     []string
		observations []string
	}
	// A progress line without its duration: "PASS  A-AU-01/client  title".
	// The reference listens on new ports every run.
	duration := regexp.MustCompile(` \([^()]*\)$`)
	port := regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)
	do := func(n string) run {
		path := filepath.Join(dir, "p"+n+".json")
		out, errOut, code := assay(t, "run", "--parallel", n, "--json", path, "--color", "never")
		if code != 0 {
			t.Fatalf("--parallel %s: exit %d\n%s\n%s", n, code, out, errOut)
		}
		var r run
		for _, res := range readReport(t, path).Results {
			r.results = append(r.results, strings.Join([]string{res.ID, res.Carrier, string(res.Outcome), res.BlockedBy}, " "))
		}
		for _, line := range strings.Split(out, "\n") {
			line = port.ReplaceAllString(strings.TrimSpace(line), "127.0.0.1:PORT")
			if strings.HasPrefix(line, "OBS  ") {
				r.observations = append(r.observations, line)
			}
			for _, o := range []string{"PASS ", "FAIL ", "WARN ", "ERROR", "N/A  "} {
				if strings.HasPrefix(line, o) {
					r.progress = append(r.progress, duration.ReplaceAllString(line, ""))
				}
			}
		}
		slices.Sort(r.observations)
		return r
	}
	seq, par := do("1"), do("4")
	if len(seq.results) == 0 || len(seq.progress) == 0 {
		t.Fatalf("the sequential run reported nothing: %d results, %d progress lines", len(seq.results), len(seq.progress))
	}
	if !slices.Equal(seq.results, par.results) {
		t.Errorf("reports differ:\n%s", diffLines(seq.results, par.results))
	}
	if !slices.Equal(seq.progress, par.progress) {
		t.Errorf("progress differs:\n%s", diffLines(seq.progress, par.progress))
	}
	if !slices.Equal(seq.observations, par.observations) {
		t.Errorf("observations differ:\n%s", diffLines(seq.observations, par.observations))
	}
}

// diffLines lists the lines where a and b differ, at most ten.
func diffLines(a, b []string) string {
	var out []string
	for i := 0; i < max(len(a), len(b)) && len(out) < 10; i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			out = append(out, "  sequential: "+x+"\n  parallel:   "+y)
		}
	}
	return strings.Join(out, "\n")
}
