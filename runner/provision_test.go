package runner_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	v1 "github.com/assayhq/assay/reports/v1"
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
	// The start banner names every configured client's jwks_uri.
	for _, want := range []string{"/jwks/a.json (A)", "/jwks/b.json (B)", "/jwks/p.json (P)"} {
		if !strings.Contains(out, want) {
			t.Errorf("start banner lacks %s:\n%s", want, out)
		}
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
		// Every client declares its algorithm; the trust hook gets IdP-H's
		// keys inline, its alg and kid and the subject, and the token
		// endpoint the metadata names.
		`"client_name":"assay-A","jwks_uri":"http://127.0.0.1:`, `"token_endpoint_auth_signing_alg":"ES256"`,
		`"jwks":{"keys":[{"use":"sig","kty":"OKP","kid":"idp-h-eddsa"`, `"alg":"EdDSA","kid":"idp-h-eddsa","subject":"user1","subjects":["user1"]`,
		"ASSAY_TOKEN_ENDPOINT=https://127.0.0.1:",
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

// fakeDCR is an authorization server with an RFC 7591 registration
// endpoint and a token endpoint that refuses everything.
type fakeDCR struct {
	mu      sync.Mutex
	refuse  bool
	names   []string
	badAuth int
}

func (f *fakeDCR) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	base := "http://" + r.Host
	switch r.URL.Path {
	case "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server":
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": base, "token_endpoint": base + "/token",
			"registration_endpoint": base + "/register", "token_endpoint_auth_methods_supported": []string{"private_key_jwt"}})
	case "/register":
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer iat-secret-value-123" {
			f.badAuth++
		}
		var m struct {
			Name string `json:"client_name"`
		}
		_ = json.NewDecoder(r.Body).Decode(&m)
		if f.refuse {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_client_metadata","error_description":"jwks_uri must be https"}`))
			return
		}
		f.names = append(f.names, m.Name)
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]string{"client_id": "dcr-" + m.Name})
	default:
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
	}
}

func dcrConfig(t *testing.T, issuer string) string {
	t.Helper()
	return writeFile(t, "dcr.yaml", fmt.Sprintf(`version: v1
target:
  kind: url
  issuer: %s
registration:
  mode: dynamic
  initialAccessTokenEnv: ASSAY_TEST_IAT
clients:
  A: {keys: fixture}
  B: {keys: fixture}
  P: {keys: fixture, signingAlg: PS256}
grant: {enabled: false}
timeouts: {request: 3s}
`, issuer))
}

// TestDynamicRegistration: assay finds registration_endpoint in the
// metadata, registers A, B and P with the initial access token, sends the
// token also on the registrations of the rows that register clients
// themselves (A-KR-06), and never prints the token. (The fake's token
// endpoint refuses everything; only registration is under test.)
func TestDynamicRegistration(t *testing.T) {
	t.Setenv("ASSAY_TEST_IAT", "iat-secret-value-123")
	as := &fakeDCR{}
	srv := httptest.NewServer(as)
	defer srv.Close()
	out, errOut, code := assay(t, "run", "--config", dcrConfig(t, srv.URL), "--only", "A-AU-09,A-KR-06")
	as.mu.Lock()
	defer as.mu.Unlock()
	if strings.Join(as.names, ",") != "assay-A,assay-B,assay-P,assay A-KR-06" || as.badAuth != 0 {
		t.Errorf("registered %v (%d without the token)\nexit %d\n%s\n%s", as.names, as.badAuth, code, out, errOut)
	}
	if strings.Contains(out+errOut, "iat-secret-value-123") {
		t.Errorf("the initial access token was printed:\n%s\n%s", out, errOut)
	}
	if code == 0 || code == 2 {
		t.Errorf("exit %d against a token endpoint that refuses everything\n%s\n%s", code, out, errOut)
	}
}

// TestDynamicRegistrationRefused: invalid_client_metadata is an ERROR
// (exit 3) naming the error and the client, without the token.
func TestDynamicRegistrationRefused(t *testing.T) {
	t.Setenv("ASSAY_TEST_IAT", "iat-secret-value-123")
	srv := httptest.NewServer(&fakeDCR{refuse: true})
	defer srv.Close()
	out, errOut, code := assay(t, "run", "--config", dcrConfig(t, srv.URL))
	if code != 3 {
		t.Fatalf("exit %d, want 3\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"dynamic registration", "assay-A", "invalid_client_metadata: jwks_uri must be https"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(out+errOut, "iat-secret-value-123") {
		t.Errorf("the initial access token was printed:\n%s\n%s", out, errOut)
	}
}

// TestDynamicSecretClientsNeedNoSecretEnv: with dynamic registration the
// server assigns client H's and S's secrets, so the file names no
// variable for them.
func TestDynamicSecretClientsNeedNoSecretEnv(t *testing.T) {
	cfg := writeFile(t, "dcr-secret.yaml", `version: v1
target: {kind: url, issuer: https://as.example}
registration: {mode: dynamic}
clients:
  A: {keys: fixture}
  B: {keys: fixture}
  H: {}
  S: {}
`)
	if out, errOut, code := assay(t, "validate", "--config", cfg); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}

// replacingAS is a registration endpoint that answers 201 but registers
// what it likes (RFC 7591 §3.2.1 lets it): it keeps jwks_uri and drops
// jwks, and makes every client private_key_jwt.
type replacingAS struct{}

func (replacingAS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	base := "http://" + r.Host
	switch r.URL.Path {
	case "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server":
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": base, "token_endpoint": base + "/token",
			"registration_endpoint": base + "/register", "token_endpoint_auth_methods_supported": []string{"private_key_jwt", "client_secret_jwt"}})
	case "/register":
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		out := map[string]any{"client_id": "replaced-1", "token_endpoint_auth_method": "private_key_jwt"}
		if u, ok := m["jwks_uri"]; ok {
			out["jwks_uri"] = u
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(out)
	default:
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
	}
}

// TestRegistrationJudgedOnWhatWasRegistered: a server that answers 201 but
// replaces the submitted metadata is judged on what it returned: A-KR-06
// passes when it kept only jwks_uri, and A-JO-16 is N/A when it registered
// another auth method than client_secret_jwt.
func TestRegistrationJudgedOnWhatWasRegistered(t *testing.T) {
	srv := httptest.NewServer(replacingAS{})
	defer srv.Close()
	cfg := writeFile(t, "replacing.yaml", fmt.Sprintf(`version: v1
target: {kind: url, issuer: %s}
clients:
  A: {id: client-a, keys: fixture}
  B: {id: client-b, keys: fixture}
grant: {enabled: false}
timeouts: {request: 3s}
`, srv.URL))
	rep := filepath.Join(t.TempDir(), "r.json")
	out, errOut, _ := assay(t, "run", "--config", cfg, "--only", "A-KR-06,A-JO-16", "--json", rep)
	r := readReport(t, rep)
	got := map[string]string{}
	for _, res := range r.Results {
		got[res.ID] = string(res.Outcome) + " " + res.Reason
	}
	if !strings.HasPrefix(got["A-KR-06"], string(v1.Pass)) {
		t.Errorf("A-KR-06: %s, want PASS\n%s\n%s", got["A-KR-06"], out, errOut)
	}
	if !strings.HasPrefix(got["A-JO-16"], string(v1.NA)) || !strings.Contains(got["A-JO-16"], "private_key_jwt") {
		t.Errorf("A-JO-16: %s, want N/A naming what was registered", got["A-JO-16"])
	}
}
