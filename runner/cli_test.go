package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assayhq/assay/fixtures"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/runner/target"
)

// assayBin is built once: Ginkgo allows one RunSpecs per process, so the
// CLI is tested by executing it (semantics.md §1).
var assayBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "assay-cli")
	if err != nil {
		panic(err)
	}
	assayBin = filepath.Join(dir, "assay")
	cmd := exec.Command("go", "build", "-o", assayBin, "./cmd/assay")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		panic("build assay: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	sweepLeftovers()
	os.Exit(code)
}

// sweepLeftovers removes the container targets of assay processes that no
// longer exist: a test that failed and killed its assay run (or a run that
// hung and was killed) must not leave a container running.
func sweepLeftovers() {
	if os.Getenv("DOCKER_HOST") == "" {
		if _, err := os.Stat("/var/run/docker.sock"); err != nil {
			return // no engine: no container could have been started
		}
	}
	host, err := os.Hostname()
	if err != nil {
		return
	}
	target.SetLogger(nil) // no testcontainers banner in the test output
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	alive := func(pid int) bool {
		err := syscall.Kill(pid, 0)
		return err == nil || errors.Is(err, syscall.EPERM)
	}
	if removed, err := target.SweepOrphans(ctx, host, alive); len(removed) > 0 || err != nil {
		fmt.Fprintf(os.Stderr, "runner tests: removed %d leftover container(s) after the tests (%v)\n", len(removed), err)
	}
}

func assay(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(assayBin, args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("exec assay: %v", err)
	}
	return o.String(), e.String(), code
}

func TestRunReferencePasses(t *testing.T) {
	out, errOut, code := assay(t, "run")
	if code != 0 {
		t.Fatalf("assay run exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"PASS", "against"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRunEveryProfile(t *testing.T) {
	for _, p := range []string{"OIDC", "OIDC-E3", "BIS", "FAPI2", "BCP"} {
		if out, _, code := assay(t, "run", "--profile", p); code != 0 {
			t.Errorf("assay run --profile %s exited %d:\n%s", p, code, out)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--profile", "NOPE"}, `unknown profile "NOPE"`},
		{[]string{"run", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"run", "--only", "X-NOPE-01"}, "unknown check X-NOPE-01"},
		{[]string{"run", "--label-filter", "((", "--color", "never"}, "--label-filter: Syntax Error Parsing Label Filter: (( Mismatched '('"},
		{[]string{"run", "--defect", "no-such-defect"}, `unknown defect "no-such-defect"`},
		{[]string{"run", "--only", ""}, "invalid value \"\" for flag -only: empty list"},
		{[]string{"run", "--only", " , "}, "empty list"},
		{[]string{"run", "--label-filter", "level:NOPE"}, `--label-filter "level:NOPE" selects no check`},
		{[]string{"run", "--only", "A-MD-01", "--label-filter", "level:SHOULD"}, "select no check in common"},
		{[]string{"run", "--check-timeout", "0s"}, "--check-timeout: want a positive duration, got 0s"},
		{[]string{"run", "--check-timeout", "-1s"}, "--check-timeout: want a positive duration"},
		{[]string{"run", "--parallel", "0"}, "--parallel: want 1 or more, got 0"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{nil, "no command given"},
	} {
		_, errOut, code := assay(t, tc.args...)
		if code != 2 {
			t.Errorf("assay %v exited %d, want 2", tc.args, code)
		}
		if !strings.Contains(errOut, tc.want) {
			t.Errorf("assay %v stderr lacks %q:\n%s", tc.args, tc.want, errOut)
		}
		if strings.ContainsAny(errOut, "\x1b{}") {
			t.Errorf("assay %v: the error carries colour codes or markup: %q", tc.args, errOut)
		}
		if lines := strings.Count(strings.TrimSpace(lastLine(errOut)), "\n"); lines != 0 {
			t.Errorf("assay %v: error is not one line", tc.args)
		}
	}
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func TestDefectMakesRunFail(t *testing.T) {
	out, _, code := assay(t, "run", "--defect", "ignore-audience", "--only", "A-CA-04,A-CA-04.2")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (non-conformant):\n%s", code, out)
	}
	if !strings.Contains(out, "FAIL") || !strings.Contains(out, "A-CA-04") {
		t.Errorf("output does not name the failing check:\n%s", out)
	}
	if !strings.Contains(out, "partial run") {
		t.Errorf("a filtered run must say it is partial:\n%s", out)
	}
	// The report's repro line reruns against the same defective target,
	// and the stored command line is the one typed.
	dir := filepath.Join(t.TempDir(), "out dir")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_, _, code = assay(t, "run", "--defect", "ignore-audience", "--profile", "BCP", "--only", "A-CA-04.2", "--json", filepath.Join(dir, "r.json"))
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	r := readReport(t, filepath.Join(dir, "r.json"))
	if want := "assay run --defect ignore-audience --profile BCP --only A-CA-04.2 --json '" + filepath.Join(dir, "r.json") + "'"; r.Command != want {
		t.Errorf("report command:\n got %s\nwant %s", r.Command, want)
	}
	for _, res := range r.Results {
		if res.ID == "A-CA-04.2" {
			if res.Repro == nil || !strings.HasPrefix(res.Repro.Assay, "assay run --profile BCP --defect ignore-audience --only A-CA-04.2") {
				t.Errorf("repro does not keep --profile and --defect: %+v", res.Repro)
			}
		}
	}
}

func TestListFilters(t *testing.T) {
	out, _, code := assay(t, "list", "--label-filter", "suite:grant")
	if code != 0 || out == "" {
		t.Fatalf("exit %d, output %q", code, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.Contains(strings.SplitN(line, "\t", 2)[0], "/grant") {
			t.Errorf("non-grant check listed: %s", line)
		}
	}
	out, _, _ = assay(t, "list", "--label-filter", "spec: containsAny RFC7523-3")
	if !strings.Contains(out, "A-CA-04") {
		t.Errorf("spec filter misses A-CA-04:\n%s", out)
	}
}

// TestReportsCarryNoSecrets writes every report format from a run with
// failures (so exchanges are attached) and scans them, and the terminal
// output, for the fixture secrets and private key material.
func TestReportsCarryNoSecrets(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := assay(t, "run", "--out", dir, "-v", "--defect", "ignore-audience,reflect-input,allow-multiple-auth")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	forbidden := append([]string{}, fixtures.Secrets()...)
	for _, name := range fixtures.KeyNames() {
		raw, _ := fixtures.KeyJSON(name)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		if d, ok := m["d"].(string); ok {
			forbidden = append(forbidden, d)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 4 {
		t.Fatalf("want 4 report files, got %v", files)
	}
	texts := map[string]string{"stdout": out, "stderr": errOut}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts[filepath.Base(f)] = string(b)
	}
	for name, text := range texts {
		for _, s := range forbidden {
			if strings.Contains(text, s) {
				t.Errorf("%s contains a fixture secret or private key (%.6s…)", name, s)
			}
		}
	}
	var r v1.Report
	if err := json.Unmarshal([]byte(texts["report.json"]), &r); err != nil {
		t.Fatal(err)
	}
	if err := r.Validate(); err != nil {
		t.Errorf("report.json does not validate: %v", err)
	}
}

// TestHelp: each command's --help describes it with examples and exits 0
// without an error line.
func TestHelp(t *testing.T) {
	for _, cmd := range []string{"run", "list", "validate"} {
		out, errOut, code := assay(t, cmd, "--help")
		text := out + errOut
		if code != 0 {
			t.Errorf("assay %s --help exited %d", cmd, code)
		}
		for _, want := range []string{"Usage: assay " + cmd, "Flags:", "-config"} {
			if cmd == "list" && want == "-config" {
				continue
			}
			if !strings.Contains(text, want) {
				t.Errorf("assay %s --help lacks %q:\n%s", cmd, want, text)
			}
		}
		if strings.Contains(text, "help requested") {
			t.Errorf("assay %s --help prints an error line:\n%s", cmd, text)
		}
	}
}

// TestRunAgreesWithSelfTest: the built-in reference run is given the token
// endpoint as the self-test gives it, so a defect that breaks discovery
// fails its metadata check (exit 1) instead of failing setup (exit 3).
func TestRunAgreesWithSelfTest(t *testing.T) {
	out, _, code := assay(t, "run", "--defect", "metadata-no-token-endpoint", "--only", "A-MD-05,A-CA-01")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (A-MD-05 fails, as in the kill matrix):\n%s", code, out)
	}
	if !strings.Contains(out, "FAIL") || !strings.Contains(out, "A-MD-05") {
		t.Errorf("output does not name the failing check A-MD-05:\n%s", out)
	}
}

// TestTokenStateOnReference: the built-in reference offers introspection,
// revocation and an introspecting verifier, so the token state rows run
// and pass (C-INT-03 waits out a 5 min token on the virtual clock), and a
// revocation that invalidates nothing fails C-REV-02.
func TestTokenStateOnReference(t *testing.T) {
	json := filepath.Join(t.TempDir(), "r.json")
	out, _, code := assay(t, "run", "--label-filter", "suite:tokenstate", "--json", json)
	if code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, out)
	}
	n := 0
	for _, res := range readReport(t, json).Results {
		if res.Outcome == v1.Skip {
			continue
		}
		n++
		if res.Outcome != v1.Pass {
			t.Errorf("%s: %s (%s), want PASS", res.ID, res.Outcome, res.Reason)
		}
	}
	if n != 10 {
		t.Errorf("%d token state rows ran, want 10", n)
	}
	out, _, code = assay(t, "run", "--defect", "revoke-noop", "--only", "C-REV-02")
	if code != 1 || !strings.Contains(out, "C-REV-02") {
		t.Errorf("exit %d, want 1 with C-REV-02 failing:\n%s", code, out)
	}
}
