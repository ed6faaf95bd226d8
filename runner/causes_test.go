package runner_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assayhq/assay/reports"
	v1 "github.com/assayhq/assay/reports/v1"
)

// TestBrokenPrivateKeyJWTIsOneCause: against the reference with a defect
// that makes it refuse client A's ES256 private_key_jwt (the algorithm of
// A's default key, so of the client carrier's positive control), the run
// shows one cause: the row that tests that algorithm FAILs, the control
// (A-JG-14) says the same, and every row that depends on the control is
// ERROR "blocked: A-JG-14 failed: <the server's own words>", never a FAIL
// under its own citation (semantics.md §2, one cause, one finding).
func TestBrokenPrivateKeyJWTIsOneCause(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := assay(t, "run", "--defect", "reject-ec", "--json", filepath.Join(dir, "report.json"))
	if code != 3 {
		t.Errorf("exit %d, want 3 (blocked rows are ERROR)\n%s\n%s", code, out, errOut)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r v1.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	const said = "HTTP 401 invalid_client: algorithm not allowed" // the reference's refusal, whole
	var standing []reports.Cause
	for _, c := range reports.Causes(r) {
		if c.Stands() {
			standing = append(standing, c)
		}
	}
	if len(standing) != 1 {
		for _, c := range standing {
			t.Logf("cause %q: FAIL %d, blocked %d", c.Text, len(c.Fails), len(c.Blocked))
		}
		t.Fatalf("%d causes hold a FAIL, want exactly 1", len(standing))
	}
	c := standing[0]
	if c.Text != said || c.Control != "A-JG-14" {
		t.Errorf("cause %q blocked by %q, want %q blocked by A-JG-14", c.Text, c.Control, said)
	}
	if len(c.Fails) != 1 || c.Fails[0].ID != "A-MD-12.1" {
		t.Errorf("standing FAILs %v, want only A-MD-12.1 (ES256 refused)", ids(c.Fails))
	}
	if len(c.Blocked) < 100 {
		t.Errorf("%d rows blocked by A-JG-14, want every row that depends on the client control (over 100)", len(c.Blocked))
	}
	if len(c.Follows()) != len(c.Blocked)+len(c.Errors) {
		t.Errorf("the blocked rows do not follow from the standing FAIL")
	}
	for _, res := range c.Blocked {
		if res.Reason != "blocked: A-JG-14 failed: "+said || res.Cause != said || len(res.Exchanges) != 0 {
			t.Errorf("%s: reason %q, cause %q, %d exchanges; want the control's cause and nothing sent", res.ID, res.Reason, res.Cause, len(res.Exchanges))
			break
		}
	}
	for _, res := range r.Results {
		if res.Outcome == v1.Fail && res.ID != "A-MD-12.1" {
			t.Errorf("%s FAILs under its own citation: %s", res.ID, res.Reason)
		}
	}
	for _, want := range []string{"blocked by A-JG-14, following from the FAIL above", "1 FAIL stands", said} {
		if !strings.Contains(out, want) {
			t.Errorf("the terminal summary lacks %q:\n%s", want, out)
		}
	}
}

func ids(rs []v1.Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}
