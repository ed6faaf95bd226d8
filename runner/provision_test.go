package runner_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hookConfig is the reference server as a process with its clients
// registered by a hook command instead of named in the file.
func hookConfig(t *testing.T, register string) string {
	t.Helper()
	bin := buildMockIdP(t)
	port := freePort(t)
	return writeFile(t, "hooks.yaml", fmt.Sprintf(`version: v1
name: reference, clients registered by a hook
target:
  kind: process
  issuer: https://127.0.0.1:%[1]d
  caFile: %[2]s
  process:
    command: [%[3]s, serve, --addr, "127.0.0.1:%[1]d", --idp-url, "${ASSAY_MOCKIDP_URL}"]
    ready: {url: "https://127.0.0.1:%[1]d/jwks", timeout: 20s}
registration:
  mode: command
  command: [%[4]s]
  trustIssuerCommand: [%[5]s]
clients:
  A: {keys: fixture}
  B: {keys: fixture}
  P: {keys: fixture, signingAlg: PS256}
`, port, repoFile(t, "fixtures/tls/ca.pem"), bin, repoFile(t, "runner/testdata/hooks/"+register), repoFile(t, "runner/testdata/hooks/trust.sh")))
}

// TestCommandRegistration: assay runs the registration hook once per
// client (metadata on stdin, client_id on stdout) and the trust hook once,
// after the target is up, and the checks then pass with those IDs.
func TestCommandRegistration(t *testing.T) {
	log := filepath.Join(t.TempDir(), "hook.log")
	t.Setenv("HOOK_LOG", log)
	cfg := hookConfig(t, "register.sh")
	out, errOut, code := assay(t, "run", "--config", cfg, "--only", "A-AU-09,A-AU-11,A-CA-04,A-JG-01")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{
		`"client_name":"assay-A","jwks_uri":"http://127.0.0.1:`,
		`"token_endpoint_auth_method":"private_key_jwt"`,
		`"client_name":"assay-P"`, `"token_endpoint_auth_signing_alg":"PS256"`,
		`"grant_types":["client_credentials","urn:ietf:params:oauth:grant-type:jwt-bearer"]`,
		`{"issuer":"https://idp-h.assay.test","jwks_uri":"http://127.0.0.1:`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("hook input lacks %s:\n%s", want, got)
		}
	}
}

// TestCommandRegistrationFails: a failing hook is a harness ERROR (exit 3)
// that shows the hook's stderr, and the target is stopped.
func TestCommandRegistrationFails(t *testing.T) {
	cfg := hookConfig(t, "refuse.sh")
	out, errOut, code := assay(t, "run", "--config", cfg)
	if code != 3 {
		t.Fatalf("exit %d, want 3\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"command registration", "assay-A", "admin API said: 403 forbidden"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}
