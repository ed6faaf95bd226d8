package runner_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/assayhq/assay"

// TestImportRules enforces design.md §3.3 on non-test imports: fixtures
// imports nothing of ours; mockidp imports downward only, and its harness
// packages never import the reference servers under mockidp/reference;
// suites reach the reference only over HTTP; reports stays free of HTTP and
// mockidp; runner imports no single suite; nothing imports runner;
// testcontainers only in runner/target; Ginkgo only in suites, runner and
// reports.
func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}|{{join .Imports ","}}`, module+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imps, _ := strings.Cut(line, "|")
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
		for _, imp := range strings.Split(imps, ",") {
			if imp == "" {
				continue
			}
			ours := strings.HasPrefix(imp, module)
			irel := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
			bad := func(why string) { t.Errorf("%s imports %s: %s", rel, imp, why) }
			switch {
			case strings.HasPrefix(rel, "fixtures") && ours:
				bad("fixtures imports nothing from this module")
			case strings.HasPrefix(rel, "mockidp") && !strings.HasPrefix(rel, "mockidp/cmd") &&
				ours && !strings.HasPrefix(irel, "fixtures") && !strings.HasPrefix(irel, "mockidp"):
				bad("mockidp imports only fixtures and its own subpackages")
			case strings.HasPrefix(rel, "mockidp") && !strings.HasPrefix(rel, "mockidp/cmd") && !underReference(rel) && underReference(irel):
				bad("the harness's packages under mockidp never import the reference servers under test")
			case strings.HasPrefix(rel, "mockidp/reference/") && irel == "mockidp/client":
				bad("the reference servers do not use the harness client")
			case strings.HasPrefix(rel, "suites") && (strings.HasPrefix(irel, "runner") || irel == "reports" || underReference(irel)):
				bad("suites reach the reference only over HTTP and never import runner or reports")
			case strings.HasPrefix(rel, "reports") && ours && irel != "reports/v1" && irel != "suites/check":
				bad("reports imports only reports/v1 and suites/check")
			case strings.HasPrefix(rel, "runner") && strings.HasPrefix(irel, "suites/") && irel != "suites/check":
				bad("runner reaches the suites through package suites and the check model only (timings come from the target, not a suite)")
			case !strings.HasPrefix(rel, "runner") && strings.HasPrefix(irel, "runner"):
				bad("nothing imports runner")
			case strings.HasPrefix(imp, "github.com/testcontainers/") && !strings.HasPrefix(rel, "runner/target"):
				bad("testcontainers-go belongs in runner/target only")
			case strings.HasPrefix(imp, "github.com/onsi/") && !strings.HasPrefix(rel, "suites") && !strings.HasPrefix(rel, "runner") && !strings.HasPrefix(rel, "reports"):
				bad("Ginkgo and Gomega belong in suites, runner and reports")
			}
		}
	}
}

// underReference reports whether rel is the reference under test: the wiring
// package mockidp/reference or a server below it.
func underReference(rel string) bool {
	return rel == "mockidp/reference" || strings.HasPrefix(rel, "mockidp/reference/")
}

// TestInjectedClockAndRandomness enforces design.md's house rule: suites
// and mockidp read the clock, randomness and the network through what they
// are given (Env, Options), never from package-level sources. Only the
// mockidp command, which wires the real ones, may.
func TestInjectedClockAndRandomness(t *testing.T) {
	forbidden := []string{"time.Now()", "time.Since(", "rand.Reader", "http.DefaultClient", "http.Get(", "http.Post("}
	for _, dir := range []string{"../suites", "../mockidp"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "cmd" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(b), "\n") {
				code, _, _ := strings.Cut(line, "//")
				for _, f := range forbidden {
					if strings.Contains(code, f) {
						t.Errorf("%s:%d uses %s; take it from the Env or the package's options", path, i+1, f)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
