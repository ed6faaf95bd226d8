package runner_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/reference"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites/check"
)

// pinningAS is an authorization server in front of the reference that
// registers clients dynamically (RFC 7591) and, like several real servers,
// pins RS256 for a client whose registration names no
// token_endpoint_auth_signing_alg: a client assertion signed with another
// algorithm is invalid_client. Registered clients map onto the reference's
// fixture clients by client_name ("assay-A" -> client-a).
type pinningAS struct {
	ref      http.Handler
	mu       sync.Mutex
	pinned   map[string]string // client_id -> the algorithm it must use
	declared map[string]string // client_name -> token_endpoint_auth_signing_alg sent
	refused  int
}

func (p *pinningAS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/register":
		var m map[string]any
		_ = json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&m)
		name, _ := m["client_name"].(string)
		alg, _ := m["token_endpoint_auth_signing_alg"].(string)
		id := "client-" + strings.ToLower(strings.TrimPrefix(name, "assay-"))
		p.mu.Lock()
		p.declared[name] = alg
		if alg == "" {
			alg = "RS256"
		}
		p.pinned[id] = alg
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"client_id": id, "token_endpoint_auth_signing_alg": alg})
		return
	case "/token":
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		if a := form.Get("client_assertion"); a != "" {
			alg, iss := peekJWT(a)
			p.mu.Lock()
			want, ok := p.pinned[iss]
			if ok && alg != want {
				p.refused++
			}
			p.mu.Unlock()
			if ok && alg != want {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Cache-Control", "no-store")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = fmt.Fprintf(w, `{"error":"invalid_client","error_description":"client %s must sign with %s"}`, iss, want)
				return
			}
		}
	}
	p.ref.ServeHTTP(w, r)
}

// peekJWT reads alg from a compact JWS header and iss from its payload,
// unverified.
func peekJWT(tok string) (alg, iss string) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", ""
	}
	var h struct {
		Alg string `json:"alg"`
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if b, err := base64.RawURLEncoding.DecodeString(parts[0]); err == nil {
		_ = json.Unmarshal(b, &h)
	}
	if b, err := base64.RawURLEncoding.DecodeString(parts[1]); err == nil {
		_ = json.Unmarshal(b, &c)
	}
	return h.Alg, c.Iss
}

// TestDynamicRegistrationDeclaresAlgorithm: against a server that pins
// RS256 for clients that do not say, dynamic registration declares each
// client's algorithm (ES256 for A and B, PS256 for P), so client A's
// assertions are accepted and the run passes.
func TestDynamicRegistrationDeclaresAlgorithm(t *testing.T) {
	cast, err := mockidp.FixtureCast()
	if err != nil {
		t.Fatal(err)
	}
	srvTLS, err := reference.ServerTLS()
	if err != nil {
		t.Fatal(err)
	}
	as := &pinningAS{pinned: map[string]string{}, declared: map[string]string{}}
	front := httptest.NewUnstartedServer(as)
	front.TLS = srvTLS
	front.StartTLS()
	defer front.Close()
	// The reference answers under the front's URL: aud and metadata name it.
	in, err := reference.Start(reference.Options{Profile: "BASE", Clock: time.Now, Rand: rand.Reader, Cast: cast, Issuer: front.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	as.ref = in.Server
	cfg := writeFile(t, "pinning.yaml", fmt.Sprintf(`version: v1
target:
  kind: url
  issuer: %s
  caFile: %s
registration: {mode: dynamic}
clients:
  A: {keys: fixture}
  B: {keys: fixture}
  P: {keys: fixture}
grant: {enabled: false}
`, front.URL, repoFile(t, "fixtures/tls/ca.pem")))
	out, errOut, code := assay(t, "run", "--config", cfg, "--only", "A-AU-09,A-CA-04,A-MD-12.1,A-AU-11")
	as.mu.Lock()
	defer as.mu.Unlock()
	want := map[string]string{"assay-A": "ES256", "assay-B": "ES256", "assay-P": "PS256"}
	for name, alg := range want {
		if as.declared[name] != alg {
			t.Errorf("%s registered with token_endpoint_auth_signing_alg %q, want %q", name, as.declared[name], alg)
		}
	}
	if code != 0 {
		t.Errorf("exit %d, want 0 (%d assertions refused for their algorithm)\n%s\n%s", code, as.refused, out, errOut)
	}
}

// TestGrantOnlyTarget: a config with no private_key_jwt client runs the
// discovery and grant rows against a server that takes the jwt-bearer
// grant without client authentication, reports every client-assertion row
// N/A "no private_key_jwt client configured", and has no ERROR.
func TestGrantOnlyTarget(t *testing.T) {
	cast, err := mockidp.FixtureCast()
	if err != nil {
		t.Fatal(err)
	}
	in, err := reference.Start(reference.Options{Profile: "BASE", Clock: time.Now, Rand: rand.Reader, Cast: cast})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	cfg := writeFile(t, "grant-only.yaml", fmt.Sprintf(`version: v1
target:
  kind: url
  issuer: %s
  caFile: %s
grant: {clientAuth: none}
`, in.Issuer, repoFile(t, "fixtures/tls/ca.pem")))
	rep := filepath.Join(t.TempDir(), "report.json")
	out, errOut, code := assay(t, "run", "--config", cfg, "--json", rep)
	r := readReport(t, rep)
	var grantPass, clientNA int
	for _, res := range r.Results {
		switch {
		case res.Outcome == v1.Error:
			t.Errorf("ERROR %s: %s", res.ID, res.Reason)
		case res.Carrier == "grant" && res.Outcome == v1.Pass:
			grantPass++
		case res.Carrier == "client" && res.Outcome == v1.NA && res.Reason == check.NoClient:
			clientNA++
		case res.Outcome == v1.Fail:
			t.Errorf("FAIL %s: %s", res.ID, res.Reason)
		}
	}
	if grantPass == 0 || clientNA == 0 {
		t.Errorf("%d grant rows passed, %d client rows N/A %q; want both > 0", grantPass, clientNA, check.NoClient)
	}
	if t.Failed() {
		t.Logf("exit %d\n%s\n%s", code, out, errOut)
	}
}
