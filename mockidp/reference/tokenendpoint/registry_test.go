package tokenendpoint

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/keys"
)

func testServer(t *testing.T) *Server {
	t.Helper()
	k, err := keys.Fixture("as.es256")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Issuer: "https://as.assay.test", Clock: time.Now, Rand: rand.Reader, HTTP: &http.Client{Timeout: time.Second}, Keys: keys.Set{k}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func call(t *testing.T, s *Server, r *http.Request) map[string]any {
	t.Helper()
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("%s %s: HTTP %d, body %q", r.Method, r.URL, w.Code, w.Body)
	}
	m["status"] = float64(w.Code)
	return m
}

func form(path string, v url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// A registered client gets a server-assigned client_id and a 32-octet
// secret, authenticates at the token endpoint, and introspection names it
// as the principal of the token it got.
func TestRegisteredClientWorks(t *testing.T) {
	s := testServer(t)
	reg := httptest.NewRequest(http.MethodPost, "/register", strings.NewReader(`{"client_id":"user1","token_endpoint_auth_method":"client_secret_basic"}`))
	got := call(t, s, reg)
	id, _ := got["client_id"].(string)
	secret, _ := got["client_secret"].(string)
	if got["status"] != float64(201) || id == "" || id == "user1" || len(secret) < 32 {
		t.Fatalf("registration: %v", got)
	}
	tok := form("/token", url.Values{"grant_type": {"client_credentials"}})
	tok.SetBasicAuth(id, secret)
	got = call(t, s, tok)
	at, _ := got["access_token"].(string)
	if at == "" {
		t.Fatalf("token request: %v", got)
	}
	in := form("/introspect", url.Values{"token": {at}})
	in.SetBasicAuth(id, secret)
	if got = call(t, s, in); got["active"] != true || got["client_id"] != id {
		t.Fatalf("introspection: %v", got)
	}
	in = form("/introspect", url.Values{"token": {at + "x"}})
	in.SetBasicAuth(id, secret)
	if got = call(t, s, in); got["active"] != false {
		t.Fatalf("introspection of a broken token: %v", got)
	}
}

// Registration refuses what the reference must not hold: public clients,
// key URLs a stranger names, and private keys in jwks.
func TestRegistrationRefuses(t *testing.T) {
	s := testServer(t)
	for _, body := range []string{
		`{"token_endpoint_auth_method":"none"}`,
		`{"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"http://127.0.0.1:1/jwks"}`,
		`{"token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}}`,
		`{"grant_types":["password"]}`,
		`[]`,
	} {
		got := call(t, s, httptest.NewRequest(http.MethodPost, "/register", strings.NewReader(body)))
		if got["status"] != float64(400) || got["error"] != "invalid_client_metadata" {
			t.Errorf("%s: %v", body, got)
		}
	}
}
