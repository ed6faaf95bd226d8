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
// the same outcomes, and the terminal lists them in the same order.
func TestParallelRunMatchesSequential(t *testing.T) {
	dir := t.TempDir()
	type run struct {
		results  []string
		progress []string
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
			for _, o := range []string{"PASS ", "FAIL ", "WARN ", "ERROR", "N/A  ", "OBS  "} {
				if strings.HasPrefix(line, o) {
					line = duration.ReplaceAllString(strings.TrimSpace(line), "")
					r.progress = append(r.progress, port.ReplaceAllString(line, "127.0.0.1:PORT"))
				}
			}
		}
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
