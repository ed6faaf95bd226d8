package provision_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/runner/provision"
)

// fakeAS is a minimal RFC 7591 registration endpoint.
type fakeAS struct {
	mu      sync.Mutex
	token   string // required initial access token, if any
	refuse  string // an error code to answer with
	got     []provision.Metadata
	authHdr []string
}

func (f *fakeAS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path == "/.well-known/oauth-authorization-server" {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"registration_endpoint": "http://" + r.Host + "/register"})
		return
	}
	f.authHdr = append(f.authHdr, r.Header.Get("Authorization"))
	w.Header().Set("Content-Type", "application/json")
	if f.token != "" && r.Header.Get("Authorization") != "Bearer "+f.token {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"invalid_token"}`))
		return
	}
	if f.refuse != "" {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": f.refuse, "error_description": "jwks_uri not allowed"})
		return
	}
	var m provision.Metadata
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.got = append(f.got, m)
	out := map[string]any{"client_id": "dcr-" + m.ClientName}
	if strings.HasPrefix(m.TokenEndpointAuthMethod, "client_secret") {
		out["client_secret"] = "secret-" + m.ClientName
	}
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(out)
}

func fixtureCast(t *testing.T) mockidp.Cast {
	t.Helper()
	c, err := mockidp.FixtureCast()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDynamicRegistersTheCast(t *testing.T) {
	as := &fakeAS{token: "iat-123"}
	srv := httptest.NewServer(as)
	defer srv.Close()
	ctx := context.Background()
	hc := &http.Client{Timeout: 5 * time.Second}
	ep, err := provision.RegistrationEndpoint(ctx, hc, srv.URL, "", false)
	if err != nil {
		t.Fatal(err)
	}
	cast := fixtureCast(t)
	grants := []string{"client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"}
	d := provision.Dynamic{Endpoint: ep, InitialAccessToken: "iat-123", Client: hc}
	if err := provision.Cast(ctx, d, &cast, "http://host.docker.internal:9", grants); err != nil {
		t.Fatal(err)
	}
	if cast.A.ID != "dcr-assay-A" || cast.P.ID != "dcr-assay-P" || cast.H.ID != "dcr-assay-H" || cast.H.Secret != "secret-assay-H" {
		t.Errorf("cast after registration: A=%q P=%q H=%q/%q", cast.A.ID, cast.P.ID, cast.H.ID, cast.H.Secret)
	}
	if len(as.got) != 5 {
		t.Fatalf("registered %d clients, want 5", len(as.got))
	}
	a, p, h := as.got[0], as.got[2], as.got[3]
	if a.JWKSURI != "http://host.docker.internal:9/jwks/a.json" || a.TokenEndpointAuthMethod != "private_key_jwt" || len(a.GrantTypes) != 2 {
		t.Errorf("client A metadata: %+v", a)
	}
	if p.TokenEndpointAuthSigningAlg != "PS256" {
		t.Errorf("client P token_endpoint_auth_signing_alg = %q, want PS256 (A-AU-11)", p.TokenEndpointAuthSigningAlg)
	}
	if b := as.got[1]; len(b.GrantTypes) != 1 || b.GrantTypes[0] != "client_credentials" {
		t.Errorf("client B grant_types = %v, want client_credentials only (A-JG-11 needs a client refused the grant)", b.GrantTypes)
	}
	if h.JWKSURI != "" || h.TokenEndpointAuthMethod != "client_secret_jwt" {
		t.Errorf("client H metadata: %+v", h)
	}
	for _, hdr := range as.authHdr {
		if hdr != "Bearer iat-123" {
			t.Errorf("Authorization %q, want the initial access token", hdr)
		}
	}
}

func TestDynamicErrorsAreClearAndKeepSecrets(t *testing.T) {
	for _, tc := range []struct {
		name, token, refuse, sent, want string
	}{
		{"metadata refused", "", "invalid_client_metadata", "", "HTTP 400: invalid_client_metadata: jwks_uri not allowed"},
		{"token missing", "needed", "", "", "set registration.initialAccessTokenEnv"},
		{"token wrong", "needed", "", "wrong-token-value", "initial access token was refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(&fakeAS{token: tc.token, refuse: tc.refuse})
			defer srv.Close()
			cast := fixtureCast(t)
			d := provision.Dynamic{Endpoint: srv.URL + "/register", InitialAccessToken: tc.sent, Client: srv.Client()}
			err := provision.Cast(context.Background(), d, &cast, "http://x", []string{"client_credentials"})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "assay-A") {
				t.Fatalf("err = %v, want it to name client assay-A and contain %q", err, tc.want)
			}
			if tc.sent != "" && strings.Contains(err.Error(), tc.sent) {
				t.Errorf("error prints the initial access token: %v", err)
			}
		})
	}
}

func TestDynamicNeedsRegistrationEndpoint(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := provision.RegistrationEndpoint(context.Background(), srv.Client(), srv.URL, "", false)
	if err == nil || !strings.Contains(err.Error(), "set registration.endpoint") {
		t.Fatalf("err = %v", err)
	}
}

// TestRegistrationEndpointPathIssuer: an issuer with a path publishes its
// RFC 8414 metadata with the well-known suffix before the path (§3.1), the
// location the suites discover the token endpoint at too.
func TestRegistrationEndpointPathIssuer(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/oauth-authorization-server/tenant", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"issuer":"x","registration_endpoint":"https://as.example/tenant/register"}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, openIDFirst := range []bool{false, true} {
		ep, err := provision.RegistrationEndpoint(context.Background(), srv.Client(), srv.URL+"/tenant", "", openIDFirst)
		if err != nil || ep != "https://as.example/tenant/register" {
			t.Errorf("openIDFirst %v: %q, %v", openIDFirst, ep, err)
		}
	}
}

func hook(t *testing.T, mode string) (provision.Hook, string) {
	t.Helper()
	log := filepath.Join(t.TempDir(), "hook.log")
	return provision.Hook{
		Command: []string{"testdata/register.sh"},
		Env:     append(os.Environ(), "HOOK_MODE="+mode, "HOOK_LOG="+log),
		Timeout: 2 * time.Second,
	}, log
}

func TestCommandHookRegistersTheCast(t *testing.T) {
	h, log := hook(t, "ok")
	cast := fixtureCast(t)
	if err := provision.Cast(context.Background(), provision.Command{Hook: h}, &cast, "http://idp", []string{"client_credentials"}); err != nil {
		t.Fatal(err)
	}
	if cast.A.ID != "id-assay-A" || cast.S.ID != "id-assay-S" {
		t.Errorf("A=%q S=%q", cast.A.ID, cast.S.ID)
	}
	b, _ := os.ReadFile(log)
	if !strings.Contains(string(b), `"jwks_uri":"http://idp/jwks/b.json"`) {
		t.Errorf("hook input lacks client B's jwks_uri:\n%s", b)
	}
}

func TestCommandHookJSONOutput(t *testing.T) {
	h, _ := hook(t, "json")
	got, err := provision.Command{Hook: h}.Register(context.Background(), provision.Metadata{ClientName: "assay-H", TokenEndpointAuthMethod: "client_secret_jwt"})
	if err != nil || got.ClientID != "from-json" || got.ClientSecret != "s3cr3t" {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestCommandHookFailures(t *testing.T) {
	for mode, want := range map[string]string{
		"fail":   "target said no",
		"silent": "printed no client_id",
		"hang":   "timed out after 2s",
	} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			h, _ := hook(t, mode)
			start := time.Now()
			_, err := provision.Command{Hook: h}.Register(context.Background(), provision.Metadata{ClientName: "assay-A"})
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v, want %q", err, want)
			}
			if d := time.Since(start); d > 6*time.Second {
				t.Errorf("hook took %s; it must be bounded", d)
			}
		})
	}
}

func TestTrustIssuerHook(t *testing.T) {
	h, log := hook(t, "silent")
	if err := provision.TrustIssuer(context.Background(), h, provision.Trust{Issuer: "https://idp-h.assay.test", JWKSURI: "http://idp/jwks/idp-h.json"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(log)
	if strings.TrimSpace(string(b)) != `{"issuer":"https://idp-h.assay.test","jwks_uri":"http://idp/jwks/idp-h.json"}` {
		t.Errorf("trust hook input: %s", b)
	}
	h, _ = hook(t, "fail")
	if err := provision.TrustIssuer(context.Background(), h, provision.Trust{Issuer: "x"}); err == nil || !strings.Contains(err.Error(), "target said no") {
		t.Errorf("err = %v", err)
	}
}
