package runner_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// interopServers are the open-source servers under fixtures/servers, each
// with fixtures/targets/<name>.yaml and <name>.baseline.yaml.
var interopServers = []string{"fosite", "zitadel"}

// stageInterop builds the server's static binary and FROM scratch build
// context (bin/interop/<name>) with the same script `make image` uses.
func stageInterop(t *testing.T, name string) {
	t.Helper()
	cmd := exec.Command("sh", repoFile(t, "fixtures/servers/stage.sh"), name)
	cmd.Env = os.Environ()
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("stage %s: timed out", name)
	}
	if err != nil {
		t.Fatalf("stage %s: %v\n%s", name, err, out)
	}
}

// withoutBaseline copies a target config to a temp dir with absolute paths
// and no expectedFailuresFile.
func withoutBaseline(t *testing.T, cfg string) string {
	t.Helper()
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "expectedFailuresFile:") {
			continue
		}
		l = strings.ReplaceAll(l, "../../bin/", repoFile(t, "bin")+"/")
		l = strings.ReplaceAll(l, "../tls/", repoFile(t, "fixtures/tls")+"/")
		l = strings.ReplaceAll(l, "../keys/", repoFile(t, "fixtures/keys")+"/")
		lines = append(lines, l)
	}
	return writeFile(t, filepath.Base(cfg), strings.Join(lines, "\n"))
}

// TestInterop runs the full suite against each real server: exit 0 with
// its baseline of expected failures, 1 without it (the deviations are
// real), and no container left behind either way.
func TestInterop(t *testing.T) {
	needDocker(t)
	for _, name := range interopServers {
		t.Run(name, func(t *testing.T) {
			stageInterop(t, name)
			cfg := repoFile(t, "fixtures/targets/"+name+".yaml")
			report := filepath.Join(t.TempDir(), "report.json")
			s := startAssay(t, "run", "--config", cfg, "--json", report)
			if code := s.wait(t, 5*time.Minute); code != 0 {
				t.Errorf("with the baseline: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, s.out, s.err)
			}
			r := readReport(t, report)
			if errs := errorsOf(r); len(errs) > 0 {
				t.Errorf("with the baseline: %d ERROR rows, want 0:\n%s", len(errs), strings.Join(errs, "\n"))
			}
			if name == "zitadel" {
				// The JWT profile grant runs as service account svc-1 with
				// the key file zitadel issued it (grant.key): the positive
				// control gets a token; its only fault is the missing
				// no-store the baseline lists.
				for _, res := range r.Results {
					if res.ID == "A-JG-01" && !strings.Contains(res.Reason, "no-store") {
						t.Errorf("A-JG-01/grant: %s %s, want a token (FAIL only for no-store)", res.Outcome, res.Reason)
					}
				}
			}
			if left := containersOf(t, s.cmd.Process.Pid); len(left) > 0 {
				t.Errorf("containers left behind: %v", left)
			}
			s = startAssay(t, "run", "--config", withoutBaseline(t, cfg))
			if code := s.wait(t, 5*time.Minute); code != 1 {
				t.Errorf("without the baseline: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, s.out, s.err)
			}
			if left := containersOf(t, s.cmd.Process.Pid); len(left) > 0 {
				t.Errorf("containers left behind: %v", left)
			}
		})
	}
}

// TestValidateTargetFixtures: every committed target config passes assay
// validate (baselines are not configs), so it runs as shipped: validate
// also refuses a hook, token command or process command that does not
// exist or is not executable, a key file that does not load, an unknown
// defect or expected-failure ID (TestValidateCatchesRunTimeProblems).
func TestValidateTargetFixtures(t *testing.T) {
	allSeedEnv(t) // the secrets the seed configs name
	// validate refuses a process command that does not exist: the seed
	// configs run the staged seed server binary.
	stageInterop(t, "seeds")
	files, err := filepath.Glob(repoFile(t, "fixtures/targets/*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures/targets/*.yaml: %v", err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".baseline.yaml") {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			out, errOut, code := assay(t, "validate", "--config", f)
			if code != 0 {
				t.Errorf("exit %d\n%s%s", code, out, errOut)
			}
		})
	}
}
