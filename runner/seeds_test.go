package runner_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/assayhq/assay/reports/v1"
)

// runSeed stages the seed servers (fixtures/servers/seeds, one binary for
// all five; Go's build cache makes a rerun quick), runs `assay run` with
// fixtures/targets/<name>.yaml and its baseline, asserts exit 0 and no
// container left behind, and returns the JSON report so the caller can
// assert on outcomes (e.g. "0 ERROR"). args are added to the command line
// (e.g. a label filter, --only).
func runSeed(t *testing.T, name string, args ...string) v1.Report {
	t.Helper()
	stageInterop(t, "seeds")
	cfg := repoFile(t, "fixtures/targets/"+name+".yaml")
	out := filepath.Join(t.TempDir(), "report.json")
	s := startAssay(t, append([]string{"run", "--config", cfg, "--json", out}, args...)...)
	if code := s.wait(t, 5*time.Minute); code != 0 {
		t.Fatalf("%s: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", strings.Join(append([]string{name}, args...), " "), code, s.out, s.err)
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

// TestSeed003TokenState runs seed-003-tokenstate.yaml, the whole run: no
// ERROR, and every introspection and revocation behaviour the document
// names is a check that runs and passes (tokens from the grant).
func TestSeed003TokenState(t *testing.T) {
	allSeedEnv(t)
	r := runSeed(t, "seed-003-tokenstate")
	if errs := errorsOf(r); len(errs) > 0 {
		t.Errorf("ERROR rows:\n  %s", strings.Join(errs, "\n  "))
	}
	ran := 0
	for _, res := range r.Results {
		if !strings.HasPrefix(res.ID, "C-INT-") && !strings.HasPrefix(res.ID, "C-REV-") {
			continue
		}
		ran++
		if res.ID == "C-REV-05" {
			// Needs a second service identity; the cast has one (S).
			if res.Outcome != v1.NA {
				t.Errorf("C-REV-05: %s (%s), want N/A (no tokenState.otherClient)", res.Outcome, res.Reason)
			}
			continue
		}
		if res.Outcome != v1.Pass {
			t.Errorf("%s: %s (%s), want PASS", res.ID, res.Outcome, res.Reason)
		}
	}
	if ran != 10 {
		t.Errorf("%d token state rows in the report, want 10", ran)
	}
}

// TestSeed000Grant runs the seed 000 grant configs: (a) the client signs
// with the key of the certificate it uploaded (self-signed, no client
// authentication, aud = a login URL), (b) an external issuer whose keys
// the gateway fetches, with client_secret_post next to the assertion, and
// (c) the gateway's own HS256 id_token keyed with the client's secret, aud
// = the client_id.
// Each runs with 0 ERROR, and every grant row that applies runs (the
// grant's positive control issues a token).
func TestSeed000Grant(t *testing.T) {
	allSeedEnv(t)
	for _, name := range []string{"seed-000-self-signed", "seed-000-external-issuer", "seed-000-own-id-token"} {
		t.Run(name, func(t *testing.T) {
			r := runSeed(t, name)
			if errs := errorsOf(r); len(errs) > 0 {
				t.Errorf("ERROR rows:\n  %s", strings.Join(errs, "\n  "))
			}
			wantGrantControl(t, r)
		})
	}
}

// TestSeed003Grant runs seed-003-grant.yaml: the ACS-era grant under the
// legacy URN, signed HS256 by a symmetric-key issuer, scope = the relying
// party realm, at an endpoint that takes only its own URL as aud. It runs
// with 0 ERROR, and every grant row is judged except those that cannot
// apply to a grant-only target with client_secret_post: each N/A says so.
func TestSeed003Grant(t *testing.T) {
	allSeedEnv(t)
	r := runSeed(t, "seed-003-grant")
	if errs := errorsOf(r); len(errs) > 0 {
		t.Errorf("ERROR rows:\n  %s", strings.Join(errs, "\n  "))
	}
	wantGrantControl(t, r)
	why := []string{
		"does not apply under profile",
		"grant.knownSubjects",          // the server takes any subject
		"private_key_jwt client",       // none configured, or B where S authenticates
		"the metadata has no jwks_uri", // the AS's own public key, for B-ALG-07
	}
	judged := 0
	for _, res := range r.Results {
		if res.Carrier != "grant" {
			continue
		}
		if res.Outcome != v1.NA {
			judged++
			continue
		}
		if !slices.ContainsFunc(why, func(w string) bool { return strings.Contains(res.Reason, w) }) {
			t.Errorf("%s/grant: N/A (%s), want it judged", res.ID, res.Reason)
		}
	}
	if judged < 25 {
		t.Errorf("%d grant rows judged, want at least 25", judged)
	}
}

// wantGrantControl fails unless the grant's positive control (A-JG-01)
// passed, so that the grant rows were judged rather than blocked.
func wantGrantControl(t *testing.T, r v1.Report) {
	t.Helper()
	for _, res := range r.Results {
		if res.ID == "A-JG-01" {
			if res.Outcome != v1.Pass {
				t.Errorf("A-JG-01/grant: %s (%s), want PASS", res.Outcome, res.Reason)
			}
			return
		}
	}
	t.Error("no A-JG-01/grant in the report")
}

// TestSeed002Curity runs seed-002-curity.yaml against the seed 002 server
// in a container: PS256 private_key_jwt clients whose JWKS the server
// fetches from the client side over plain HTTP through host-gateway, aud =
// the token endpoint, a declared key-cache TTL. Every client (A, B and P)
// is registered for PS256, so the run has no ERROR: rows that need
// another key type are N/A and say why, the client-assertion rows and the
// key rotation scenarios pass, and only the baseline's deviations fail.
func TestSeed002Curity(t *testing.T) {
	r := runSeed(t, "seed-002-curity")
	if errs := errorsOf(r); len(errs) > 0 {
		t.Errorf("ERROR rows:\n  %s", strings.Join(errs, "\n  "))
	}
	// C-RS-01 and C-RS-21: the API validates the token and authorizes by
	// scope (403 insufficient_scope).
	for _, id := range []string{"A-AU-09", "A-MD-12.2", "A-KR-01", "A-KR-03", "C-RS-01", "C-RS-21"} {
		found := false
		for _, res := range r.Results {
			if res.ID == id {
				found = true
				if res.Outcome != v1.Pass {
					t.Errorf("%s: %s (%s), want PASS", id, res.Outcome, res.Reason)
				}
			}
		}
		if !found {
			t.Errorf("%s is not in the report", id)
		}
	}
}
