package runner_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/assayhq/assay"

// TestImportRules enforces design.md §3.3 on non-test imports: fixtures
// imports nothing of ours; mockidp imports downward only and the root does
// not import the reference server; suites reach the reference only over
// HTTP; reports stays free of HTTP and mockidp; nothing imports runner;
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
			case strings.HasPrefix(rel, "mockidp") && !strings.HasPrefix(rel, "mockidp/cmd") && !strings.HasPrefix(rel, "mockidp/reference") &&
				ours && !strings.HasPrefix(irel, "fixtures") && !strings.HasPrefix(irel, "mockidp"):
				bad("mockidp imports only fixtures and its own subpackages")
			case rel == "mockidp" && (irel == "mockidp/tokenendpoint" || irel == "mockidp/reference"):
				bad("the root mockidp package must not import the reference server")
			case rel == "mockidp/tokenendpoint" && irel == "mockidp/client":
				bad("the reference server does not use the harness client")
			case strings.HasPrefix(rel, "suites") && (strings.HasPrefix(irel, "runner") || irel == "reports" ||
				irel == "mockidp/tokenendpoint" || irel == "mockidp/reference"):
				bad("suites reach the reference only over HTTP and never import runner or reports")
			case strings.HasPrefix(rel, "reports") && ours && irel != "reports/v1" && irel != "suites/check":
				bad("reports imports only reports/v1 and suites/check")
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
