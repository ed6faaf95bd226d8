package runner_test

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	v1 "github.com/assayhq/assay/reports/v1"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func repoFile(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestValidateReportsEveryProblem: a config with three mistakes yields three
// field-pathed errors and exit 2.
func TestValidateReportsEveryProblem(t *testing.T) {
	cfg := writeFile(t, "bad.yaml", `version: v1
target:
  kind: url
  issuer: https://as.example
profile: NOPE
clients:
  A: {id: client-a, signingAlg: XS256}
  B: {id: client-b}
timeouts:
  request: -1s
`)
	_, errOut, code := assay(t, "validate", "--config", cfg)
	if code != 2 {
		t.Fatalf("exit %d, want 2:\n%s", code, errOut)
	}
	for _, want := range []string{"3 problem(s)", "profile:", "clients.A.signingAlg:", "timeouts.request:"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	// assay run validates first, with the same errors.
	if _, errOut, code := assay(t, "run", "--config", cfg); code != 2 || !strings.Contains(errOut, "3 problem(s)") {
		t.Errorf("run: exit %d:\n%s", code, errOut)
	}
}

// readReport reads a JSON report an assay run wrote.
func readReport(t *testing.T, path string) v1.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r v1.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func buildMockIdP(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mockidp")
	out, err := exec.Command("go", "build", "-o", bin, "../mockidp/cmd/mockidp").CombinedOutput()
	if err != nil {
		t.Fatalf("build mockidp: %v\n%s", err, out)
	}
	return bin
}

// referenceProcess writes a config that runs the reference server as a
// process target (extra are more `mockidp serve` arguments, such as
// defects). The process's reference verifier trusts
// ${ASSAY_MOCKIDP_URL}/idp-v, the token issuer assay mounts on its own mock
// IdP for the resource suite; the rotation timings are the reference's fast
// key cache.
func referenceProcess(t *testing.T, bin string, extra ...string) string {
	t.Helper()
	port, vport := freePort(t), freePort(t)
	more := ""
	for _, a := range extra {
		more += ", " + a
	}
	return writeFile(t, "process.yaml", fmt.Sprintf(`version: v1
name: reference as a process
target:
  kind: process
  issuer: https://127.0.0.1:%[1]d
  caFile: %[2]s
  process:
    command: [%[3]s, serve, --addr, "127.0.0.1:%[1]d", --idp-url, "${ASSAY_MOCKIDP_URL}", --verifier-addr, "127.0.0.1:%[4]d"%[5]s]
    ready: {url: "https://127.0.0.1:%[1]d/jwks", timeout: 20s}
clients:
  A: {id: client-a}
  B: {id: client-b}
  P: {id: client-p, signingAlg: PS256}
rotation: {keyCacheTTL: 400ms, margin: 100ms, refetchMin: 100ms, stall: 600ms, maxWait: 5s}
verifier: {url: "https://127.0.0.1:%[4]d/resource", audience: "https://rs.assay.test"}
`, port, repoFile(t, "fixtures/tls/ca.pem"), bin, vport, more))
}

// TestProcessTarget runs the full suite against the reference server started
// as a process by assay, its client keys fetched from assay's own mock IdP
// (${ASSAY_MOCKIDP_URL}).
func TestProcessTarget(t *testing.T) {
	cfg := referenceProcess(t, buildMockIdP(t))
	dir := t.TempDir()
	out, errOut, code := assay(t, "run", "--config", cfg, "--json", filepath.Join(dir, "r.json"))
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	r := readReport(t, filepath.Join(dir, "r.json"))
	seen := map[string]int{}
	for _, res := range r.Results {
		if res.Suite == "resource" || res.Suite == "rotation" {
			seen[res.Suite]++
			// Resource rows of other verifier kinds (HMAC issuers, ID
			// Tokens, required claims or scope) are N/A with a reason.
			if res.Outcome != v1.Pass && (res.Suite != "resource" || res.Outcome != v1.NA || res.Reason == "") {
				t.Errorf("%s (%s): %s %s", res.ID, res.Suite, res.Outcome, res.Reason)
			}
		}
	}
	if seen["resource"] < 10 || seen["rotation"] < 10 {
		t.Errorf("too few rotation or resource results: %v", seen)
	}
	if !strings.Contains(out, "reference as a process") || !strings.Contains(out, "mock IdP at") {
		t.Errorf("output lacks the target name or mock IdP line:\n%s", out)
	}
}

// TestUnreachableTargetIsError: a dead URL target is ERROR (exit 3) with the
// cause, never FAIL.
func TestUnreachableTargetIsError(t *testing.T) {
	port := freePort(t)
	cfg := writeFile(t, "dead.yaml", fmt.Sprintf(`version: v1
target:
  kind: url
  issuer: https://127.0.0.1:%d
clients:
  A: {id: client-a}
  B: {id: client-b}
timeouts: {request: 2s}
`, port))
	dir := t.TempDir()
	out, errOut, code := assay(t, "run", "--config", cfg, "--out", dir)
	if code != 3 {
		t.Fatalf("exit %d, want 3\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "connection refused") {
		t.Errorf("stderr does not name the cause:\n%s", errOut)
	}
	// CI still gets every report, with one ERROR case carrying the cause.
	for _, f := range []string{"report.json", "junit.xml", "report.html", "summary.md"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Errorf("setup failure wrote no %s: %v", f, err)
			continue
		}
		if !strings.Contains(string(b), "connection refused") {
			t.Errorf("%s does not carry the cause", f)
		}
	}
	if r := readReport(t, filepath.Join(dir, "report.json")); r.Summary.Counts[v1.Error] != 1 {
		t.Errorf("setup failure report: counts %v, want one ERROR", r.Summary.Counts)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "junit.xml")); !strings.Contains(string(b), "<error") {
		t.Errorf("junit.xml has no <error> case:\n%s", b)
	}
}

// TestBadReportPaths: a report path that cannot be written is refused
// before any check runs (exit 2), naming the flag.
func TestBadReportPaths(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, "plain-file", "x")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--junit", filepath.Join(dir, "missing", "junit.xml")}, "--junit: cannot write into"},
		{[]string{"--json", dir}, "--json: " + dir + " is a directory"},
		{[]string{"--out", filepath.Join(file, "sub")}, "--out: cannot create directory"},
	} {
		out, errOut, code := assay(t, append([]string{"run"}, tc.args...)...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", tc.args, code, errOut)
		}
		if !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: stderr lacks %q:\n%s", tc.args, tc.want, errOut)
		}
		if strings.Contains(out, "PASS") {
			t.Errorf("%v: checks ran before the path was refused", tc.args)
		}
	}
}

// TestExpectedFailures: a FAIL listed as expected does not change the exit code.
func TestExpectedFailures(t *testing.T) {
	cfg := writeFile(t, "ref.yaml", `version: v1
target:
  kind: reference
  reference: {defects: [ignore-audience]}
expectedFailures:
  - {id: A-CA-04, reason: "demo: the reference runs with ignore-audience"}
  - {id: A-CA-04.2, reason: "same"}
`)
	out, errOut, code := assay(t, "run", "--config", cfg, "--only", "A-CA-04,A-CA-04.2,A-CA-05")
	if code != 1 {
		t.Fatalf("A-CA-05 still fails unexpectedly: exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	out, errOut, code = assay(t, "run", "--config", cfg, "--only", "A-CA-04,A-CA-04.2")
	if code != 0 {
		t.Fatalf("exit %d, want 0 with both failures expected\n%s\n%s", code, out, errOut)
	}
}

// TestTargetLogOnFailure: when a process target fails a check, the tail of
// its output travels with the report (JSON, Markdown, HTML, JUnit), with
// secrets and JWT signatures the server logged redacted.
func TestTargetLogOnFailure(t *testing.T) {
	bin := buildMockIdP(t)
	port := freePort(t)
	secret := "0AT9BldVVrOcjNzKX4PEB1d88n9F0N1d6NTcgGcwWdl5mYrc9hUXtbIQ2lDg0s7n" // fixture client-h
	t.Setenv("ASSAY_TEST_SECRET_H", secret)
	const sig = "c2lnbmF0dXJlLXRoYXQtbXVzdC1ub3QtbGVhaw"
	script := `echo "server log: client_secret=$ASSAY_TEST_SECRET_H assertion=eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJjbGllbnQtYSJ9.` + sig + `"; exec "$0" "$@"`
	cfg := writeFile(t, "process.yaml", fmt.Sprintf(`version: v1
target:
  kind: process
  issuer: https://127.0.0.1:%[1]d
  caFile: %[2]s
  process:
    command: [/bin/sh, -c, '%[4]s', %[3]s, serve, --addr, "127.0.0.1:%[1]d", --idp-url, "${ASSAY_MOCKIDP_URL}", --defect, ignore-audience]
    ready: {url: "https://127.0.0.1:%[1]d/jwks", timeout: 20s}
clients:
  A: {id: client-a}
  B: {id: client-b}
  H: {id: client-h, secretEnv: ASSAY_TEST_SECRET_H}
`, port, repoFile(t, "fixtures/tls/ca.pem"), bin, script))
	dir := t.TempDir()
	out, errOut, code := assay(t, "run", "--config", cfg, "--only", "A-CA-04.2,A-MD-02", "--out", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (ignore-audience fails A-CA-04.2)\n%s\n%s", code, out, errOut)
	}
	r := readReport(t, filepath.Join(dir, "report.json"))
	log := strings.Join(r.TargetLog, "\n")
	if !strings.Contains(log, "server log: client_secret=<redacted> assertion=eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJjbGllbnQtYSJ9.<signature redacted>") {
		t.Errorf("report.json targetLog lacks the redacted server line:\n%s", log)
	}
	for _, f := range []string{"report.json", "summary.md", "report.html", "junit.xml"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "server log: client_secret=") {
			t.Errorf("%s lacks the target output", f)
		}
		if strings.Contains(string(b), secret) || strings.Contains(string(b), sig) {
			t.Errorf("%s leaks the secret or the signature the server logged", f)
		}
	}
}

// TestGrantSigningAlg: grant.signingAlg gives IdP-H a key of that
// algorithm (made for the run); the reference trusts it and every grant
// check passes with RS256 assertions.
func TestGrantSigningAlg(t *testing.T) {
	cfg := writeFile(t, "grant.yaml", "version: v1\ngrant: {signingAlg: RS256}\n")
	dir := t.TempDir()
	out, errOut, code := assay(t, "run", "--config", cfg, "--label-filter", "carrier: containsAny grant", "--json", filepath.Join(dir, "r.json"))
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	r := readReport(t, filepath.Join(dir, "r.json"))
	const rs256Header = "eyJhbGciOiJSUzI1NiI" // base64url of {"alg":"RS256"
	for _, res := range r.Results {
		if res.ID != "A-JG-01" {
			continue
		}
		if res.Outcome != v1.Pass || len(res.Exchanges) == 0 || !strings.Contains(res.Exchanges[0].Request.Body, "assertion="+rs256Header) {
			t.Fatalf("A-JG-01: %s %s, want PASS with an RS256 grant assertion", res.Outcome, res.Reason)
		}
		return
	}
	t.Fatal("A-JG-01 did not run")
}

// TestProcessTargetRotationDefects: the rotation rows fail an external
// target with their defect on, so assay's own mock IdP really misbehaves
// for a target it does not host (the jwks_uri stall of C-ROT-02 once never
// happened outside the built-in reference).
func TestProcessTargetRotationDefects(t *testing.T) {
	bin := buildMockIdP(t)
	for _, tc := range []struct{ defect, id string }{
		{"jwks-stall-drops-keys", "C-ROT-02"},
		{"jwks-5xx-drops-keys", "C-ROT-01"},
	} {
		t.Run(tc.defect, func(t *testing.T) {
			cfg := referenceProcess(t, bin, "--defect", tc.defect)
			dir := t.TempDir()
			out, errOut, code := assay(t, "run", "--config", cfg, "--only", tc.id, "--json", filepath.Join(dir, "r.json"))
			if code == 2 || code == 3 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			r := readReport(t, filepath.Join(dir, "r.json"))
			for _, res := range r.Results {
				if res.ID == tc.id && res.Outcome != v1.Fail && res.Outcome != v1.Warn {
					t.Errorf("%s with %s on: %s %s, want FAIL or WARN", tc.id, tc.defect, res.Outcome, res.Reason)
				}
			}
		})
	}
}

// TestProcessTargetSpareClients runs the rotation suite against the
// reference as a process with spare clients registered statically: the
// run says the scenarios run side by side, and every one passes on its
// spare client as on client A.
func TestProcessTargetSpareClients(t *testing.T) {
	const spares = 20
	bin := buildMockIdP(t)
	cfg := referenceProcess(t, bin, "--spares", strconv.Itoa(spares))
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := 1; i <= spares; i++ {
		ids = append(ids, fmt.Sprintf("client-a-spare%d", i))
	}
	yaml := strings.Replace(string(b), "  P: {id: client-p, signingAlg: PS256}\n",
		"  P: {id: client-p, signingAlg: PS256}\n  spareIDs: ["+strings.Join(ids, ", ")+"]\n", 1)
	if yaml == string(b) {
		t.Fatal("the process config changed shape; update this test")
	}
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out, errOut, code := assay(t, "run", "--config", cfg, "--label-filter", "suite:rotation", "--json", filepath.Join(dir, "r.json"))
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "change a client's key set run side by side, each on a spare client of its own (20 spare clients)") {
		t.Errorf("the run does not say the scenarios run side by side:\n%s", out)
	}
	r := readReport(t, filepath.Join(dir, "r.json"))
	n := 0
	for _, res := range r.Results {
		if res.Suite != "rotation" {
			continue
		}
		n++
		if res.Outcome != v1.Pass {
			t.Errorf("%s on a spare client: %s %s", res.ID, res.Outcome, res.Reason)
		}
	}
	if n == 0 {
		t.Error("no rotation check ran")
	}
}

// TestProcessTargetUnknownSpare: a spare client the target does not know
// makes its scenario ERROR and says which client and jwks_uri to register,
// while the run's own controls, answered by client A, block nothing.
func TestProcessTargetUnknownSpare(t *testing.T) {
	cfg := referenceProcess(t, buildMockIdP(t))
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	yaml := strings.Replace(string(b), "  P: {id: client-p, signingAlg: PS256}\n", "  P: {id: client-p, signingAlg: PS256}\n  spareIDs: [client-nobody-registered]\n", 1)
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out, errOut, code := assay(t, "run", "--config", cfg, "--only", "A-KR-01", "--only", "A-TR-01", "--json", filepath.Join(dir, "r.json"))
	if code != 3 {
		t.Fatalf("exit %d, want 3 (ERROR)\n%s\n%s", code, out, errOut)
	}
	for _, res := range readReport(t, filepath.Join(dir, "r.json")).Results {
		switch res.ID {
		case "A-KR-01":
			if res.Outcome != v1.Error || !strings.Contains(res.Reason, "spare client client-nobody-registered") || !strings.Contains(res.Reason, "/jwks/a1.json") {
				t.Errorf("A-KR-01 on an unknown spare: %s %s, want ERROR naming the spare and its jwks_uri", res.Outcome, res.Reason)
			}
		case "A-TR-01":
			if res.Outcome != v1.Pass {
				t.Errorf("A-TR-01 beside an unknown spare: %s %s, want PASS", res.Outcome, res.Reason)
			}
		}
	}
}
