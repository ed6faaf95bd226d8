package runner_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/runner"
)

// escapes are the terminal control sequences a hostile target sends: an
// OSC window title, a screen clear, a cursor move, a carriage return and a
// C1 CSI; plus a line that would forge a PASS.
const escapes = "\x1b]0;pwned\x07\x1b[2J\x1b[H\r\u009b31m\u202e"

const forged = "PASS  A-CA-01  forged by the target"

// TestHostileTarget points assay at a target that answers with terminal
// escape sequences, HTML and huge headers, and logs the run's credentials
// in every encoding assay produces or sends. The terminal capture (-v, so
// transcripts and the log tail are printed) has no control character and no
// forged line, and no output — terminal or report — carries a secret.
func TestHostileTarget(t *testing.T) {
	const secret = "Hx7-hostile-client-secret-4242-and-more-bytes"
	t.Setenv("ASSAY_TEST_HOSTILE_SECRET", secret)
	const bearer = "2YotnFZFEjr1zCsicMWpAA-hostile"
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	pemBody := strings.Split(pemKey, "\n")[1]
	d := base64.RawURLEncoding.EncodeToString(key.D.Bytes())
	jsonSecret, _ := json.Marshal(secret + "\"")

	srv := serveHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		// Go's HTTP client refuses a C0 control character in a header
		// (the exchange is an ERROR); C1 controls and bidi overrides pass.
		w.Header().Set("X-Hostile", "\u009b31m\u202e"+forged)
		w.Header().Set("X-Huge", strings.Repeat("h", 64<<10))
		w.Header().Set("X-Debug-Auth", "Basic "+mockidp.BasicCredentials("client-h", secret)[0]+"; Bearer "+bearer)
		switch {
		case strings.HasPrefix(r.URL.Path, "/.well-known/"):
			w.Header().Set("Content-Type", "application/json")
			base := "http://" + r.Host
			_ = json.NewEncoder(w).Encode(map[string]any{
				"issuer": base, "token_endpoint": base + "/token", "jwks_uri": base + "/jwks",
				"token_endpoint_auth_methods_supported":            []string{"private_key_jwt", "client_secret_basic"},
				"token_endpoint_auth_signing_alg_values_supported": []string{"ES256", "RS256"},
				"grant_types_supported":                            []string{"client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
				"service_documentation":                            escapes + "\n" + forged,
			})
		case r.URL.Path == "/jwks":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"keys":[]}`)
		case r.URL.Path == "/token":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{
				"error":             "invalid_client" + escapes,
				"error_description": escapes + "\n" + forged + "\n<script>alert(1)</script> secret=" + secret,
			})
		default:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, "<html><body onload=alert(1)>"+escapes+forged+"</body></html>")
		}
	})

	// The process target only writes a log: what a server might print
	// while handling the run's requests.
	basic := mockidp.BasicCredentials("client-h", secret)
	logLines := []string{
		escapes + forged,
		"request: Authorization: Basic " + basic[0],
		"request: authorization=basic%20" + url.QueryEscape(basic[0]),
		"form: client_secret=" + url.QueryEscape(secret),
		`json: {"client_secret":` + string(jsonSecret) + `}`,
		"loaded signing key:",
		strings.TrimRight(pemKey, "\n"),
		`jwk: {"kty":"EC","crv":"P-256","d":"` + d + `"}`,
		`nested: {"msg":"{\"kty\":\"EC\",\"d\":\"` + d + `\"}"}`,
		"introspect: Bearer " + bearer,
		escapes + forged,
	}
	logFile := writeFile(t, "server.log", strings.Join(logLines, "\n")+"\n")
	cfg := writeFile(t, "hostile.yaml", fmt.Sprintf(`version: v1
name: hostile
target:
  kind: process
  issuer: %[1]s
  process:
    command: [sh, -c, 'cat %[2]s; exec sleep 600']
    ready: {url: "%[1]s/.well-known/oauth-authorization-server", timeout: 20s}
clients:
  A: {id: client-a}
  B: {id: client-b}
  H: {id: client-h, secretEnv: ASSAY_TEST_HOSTILE_SECRET}
timeouts: {request: 2s, check: 10s}
`, srv.URL(), logFile))

	dir := t.TempDir()
	out, errOut, code := assay(t, "run", "-v", "--config", cfg, "--color", "never", "--out", dir)
	if code != runner.ExitFail && code != runner.ExitHarnessError {
		t.Fatalf("exit %d, want 1 or 3\n%s\n%s", code, out, errOut)
	}
	t.Logf("stdout:\n%.4000s\nstderr:\n%.4000s", out, errOut)
	terminal := out + errOut
	if !strings.Contains(terminal, `\x1b]0;pwned\x07`) {
		t.Errorf("the terminal capture does not show the target's escape sequence escaped:\n%.3000s", terminal)
	}
	if i := strings.IndexFunc(terminal, func(r rune) bool {
		return r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r < 0xa0 || r == '\u202e'
	}); i >= 0 {
		t.Errorf("the terminal capture holds control character %q at %d: %q", terminal[i], i, terminal[max(0, i-80):min(len(terminal), i+80)])
	}
	if regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(forged)).MatchString(terminal) {
		t.Errorf("the target forged a line of its own on the terminal")
	}

	forbidden := append([]string{secret, url.QueryEscape(secret), string(jsonSecret[1 : len(jsonSecret)-1]), pemBody, d, bearer}, basic...)
	outputs := map[string]string{"stdout": out, "stderr": errOut}
	for _, f := range []string{"report.json", "summary.md", "report.html", "junit.xml"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		outputs[f] = string(b)
	}
	if !strings.Contains(outputs["report.json"], "loaded signing key") {
		t.Errorf("report.json lacks the target's log tail")
	}
	for name, text := range outputs {
		for _, s := range forbidden {
			if strings.Contains(text, s) {
				t.Errorf("%s carries a credential the target logged or echoed: %.20s…", name, s)
			}
		}
	}
}
