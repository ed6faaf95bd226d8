package runner_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assayhq/assay/runner"
	"github.com/assayhq/assay/suites"
)

// TestValidateCatchesRunTimeProblems: assay validate finds, before any
// target starts, what a run would otherwise meet only at run time, each
// with its field and what is wrong, every problem at once (exit 2); parse
// errors carry file:line:column; a plain-http issuer on loopback is a
// warning naming the MUST rows it will fail.
func TestValidateCatchesRunTimeProblems(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var jwk map[string]any
	if err := json.Unmarshal(mustRead(t, repoFile(t, "fixtures/keys/client-a.es256.jwk.json")), &jwk); err != nil {
		t.Fatal(err)
	}
	private, _ := json.Marshal(map[string]any{"keys": []any{jwk}})
	delete(jwk, "d")
	public, _ := json.Marshal(map[string]any{"keys": []any{jwk}})
	privFile := write("private.json", string(private), 0o600)
	pubFile := write("public.json", string(public), 0o644)
	hookText := write("hook.sh", "#!/bin/sh\necho client\n", 0o644) // not executable

	const base = "version: v1\ntarget: {kind: url, issuer: https://as.example}\n"
	for _, tc := range []struct {
		name, cfg string
		code      int
		want      []string
	}{
		{"key file missing", base + "clients: {A: {id: a, keys: " + filepath.Join(dir, "nope.json") + "}, B: {id: b}}\n", 2,
			[]string{"clients.A.keys: client A's key file", "nope.json does not exist"}},
		{"key file public only", base + "clients: {A: {id: a, keys: " + pubFile + "}, B: {id: b}}\n", 2,
			[]string{"clients.A.keys: client A's key file", "holds a public key", "needs the private key"}},
		{"key file without the client's algorithm", base + "clients: {A: {id: a, keys: " + privFile + ", signingAlg: PS256}, B: {id: b}}\n", 2,
			[]string{"clients.A.keys: client A's key file", "has no PS256 key for clients.A.signingAlg (it holds ES256)"}},
		{"grant key file missing", base + "clients: {A: {id: a}, B: {id: b}}\ngrant: {key: " + filepath.Join(dir, "nope.pem") + "}\n", 2,
			[]string{"grant.key: the grant issuer's key file", "nope.pem does not exist"}},
		{"grant key file public only", base + "clients: {A: {id: a}, B: {id: b}}\ngrant: {key: " + pubFile + "}\n", 2,
			[]string{"grant.key:", "needs the private key"}},
		{"mock IdP address not on this machine", base + "clients: {A: {id: a}, B: {id: b}}\nmockidp: {listen: '192.0.2.1:0'}\n", 2,
			[]string{"mockidp.listen: cannot listen on 192.0.2.1:0 here"}},
		{"hook that does not exist", base + "clients: {A: {id: a}, B: {id: b}}\nregistration: {mode: command, command: [" + filepath.Join(dir, "missing.sh") + "]}\n", 2,
			[]string{"registration.command:", "missing.sh does not exist"}},
		{"hook that is not executable", base + "clients: {A: {id: a}, B: {id: b}}\nregistration: {mode: command, command: [" + hookText + "]}\n", 2,
			[]string{"registration.command:", "hook.sh is not executable"}},
		{"process command not on PATH", "version: v1\ntarget: {kind: process, issuer: 'http://127.0.0.1:9', process: {command: [no-such-program-assay], ready: {port: '9'}}}\nclients: {A: {id: a}, B: {id: b}}\n", 2,
			[]string{"target.process.command: no-such-program-assay is not on PATH"}},
		{"unknown defect", "version: v1\ntarget: {kind: reference, reference: {defects: [no-such-defect]}}\n", 2,
			[]string{`target.reference.defects[0]: unknown defect "no-such-defect"`}},
		{"expected failure no check has", "version: v1\nexpectedFailures: [{id: A-CA-99, reason: typo}]\n", 2,
			[]string{"expectedFailures[0].id: no check has the ID A-CA-99"}},
		{"every problem at once", base + "clients: {A: {id: a, keys: " + pubFile + "}, B: {id: b}}\nexpectedFailures: [{id: Z-ZZ-01, reason: x}]\n", 2,
			[]string{"2 problem(s)", "clients.A.keys", "expectedFailures[0].id"}},
		{"parse errors with line and column", "version: v1\ntarget:\n  kind: url\n  isuer: https://as.example\nclients:\n  A: {id: a, bogus: 1}\n", 2,
			[]string{"2 problem(s)", ".yaml:4:3: target.isuer: unknown field", ".yaml:6:14: clients.A.bogus: unknown field"}},
		{"YAML syntax error with its line", "version: v1\ntarget:\n  kind: url\n   issuer: x\n", 2,
			[]string{"1 problem(s)", ".yaml:4: (syntax): YAML syntax error"}},
		{"plain http off loopback", "version: v1\ntarget: {kind: url, issuer: 'http://as.example'}\nclients: {A: {id: a}, B: {id: b}}\n", 2,
			[]string{"target.issuer: http is allowed only on a loopback host"}},
		{"plain http on loopback: a warning", "version: v1\ntarget: {kind: url, issuer: 'http://127.0.0.1:8080'}\nclients: {A: {id: a}, B: {id: b}}\n", 0,
			[]string{"warning: target.issuer http://127.0.0.1:8080 is plain http", "the MUST rows A-MD-04, A-MD-05, A-MD-13, A-TE-07 will FAIL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := write(strings.ReplaceAll(tc.name, " ", "-")+".yaml", tc.cfg, 0o644)
			_, errOut, code := assay(t, "validate", "--config", cfg)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPlainHTTPRowsAreMUSTChecks keeps the plain-http warning true: every
// row it names is a MUST check that judges https.
func TestPlainHTTPRowsAreMUSTChecks(t *testing.T) {
	levels := map[string]string{}
	for _, c := range suites.All() {
		levels[c.ID] = string(c.Level)
	}
	for _, id := range runner.PlainHTTPRows {
		if levels[id] != "MUST" {
			t.Errorf("%s: level %q, want a MUST check", id, levels[id])
		}
	}
}
