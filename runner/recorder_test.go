package runner_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is an accepting target that records every request assay sends:
// its metadata points every endpoint back at it, its token endpoint issues
// a token to any request, its registration endpoint registers any client,
// its introspection endpoint says active and its revocation endpoint 200.
// It judges nothing; the dead-config test reads what it recorded.
type recorder struct {
	*httptest.Server
	mu    sync.Mutex
	reqs  []recorded
	delay time.Duration // before answering a token request
}

type recorded struct {
	Method, Path string
	Header       http.Header
	Form         url.Values
	Body         string
}

func newRecorder(t *testing.T, tls bool) *recorder {
	t.Helper()
	r := &recorder{}
	h := http.HandlerFunc(r.serve)
	r.Server = httptest.NewUnstartedServer(h)
	r.Server.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point of the TLS rows
	if tls {
		r.Server.TLS = fixtureServerTLS(t)
		r.Server.StartTLS()
	} else {
		r.Server.Start()
	}
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	rec := recorded{Method: req.Method, Path: req.URL.Path, Header: req.Header.Clone(), Body: string(body)}
	if strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		rec.Form, _ = url.ParseQuery(string(body))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, rec)
	delay := r.delay
	r.mu.Unlock()
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	base := scheme + "://" + req.Host
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	switch {
	case strings.HasPrefix(req.URL.Path, "/.well-known/"), strings.HasSuffix(req.URL.Path, "/meta"):
		issuer := base
		if i := strings.Index(req.URL.Path, "/.well-known/oauth-authorization-server"); i >= 0 {
			issuer += strings.TrimPrefix(req.URL.Path[i:], "/.well-known/oauth-authorization-server")
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": issuer, "token_endpoint": base + "/token", "jwks_uri": base + "/jwks",
			"registration_endpoint":  base + "/register",
			"introspection_endpoint": base + "/introspect", "revocation_endpoint": base + "/revoke",
			"token_endpoint_auth_methods_supported":            []string{"private_key_jwt", "client_secret_jwt", "client_secret_basic", "client_secret_post"},
			"token_endpoint_auth_signing_alg_values_supported": []string{"ES256", "PS256", "RS256", "EdDSA", "HS256"},
			"grant_types_supported":                            []string{"client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
			"response_types_supported":                         []string{"token"},
		})
	case req.URL.Path == "/jwks":
		fmt.Fprint(w, `{"keys":[]}`)
	case strings.HasPrefix(req.URL.Path, "/register"):
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		if m == nil {
			m = map[string]any{}
		}
		name, _ := m["client_name"].(string)
		m["client_id"] = "registered-" + strings.ToLower(strings.ReplaceAll(name, " ", "-"))
		m["client_secret"] = "registered-secret-0123456789abcdef0123456789abcdef"
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(m)
	case strings.HasPrefix(req.URL.Path, "/introspect"):
		fmt.Fprint(w, `{"active":true}`)
	case strings.HasPrefix(req.URL.Path, "/revoke"):
		fmt.Fprint(w, `{}`)
	default: // a token endpoint, wherever the config puts it
		if delay > 0 {
			time.Sleep(delay)
		}
		fmt.Fprint(w, `{"access_token":"recorded-token-0123456789","token_type":"Bearer","expires_in":300}`)
	}
}

// requests returns what was recorded so far.
func (r *recorder) requests() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

// forms lists the sorted distinct values of a form parameter over every
// request that sent it.
func (r *recorder) forms(name string) string {
	seen := map[string]bool{}
	for _, q := range r.requests() {
		for _, v := range q.Form[name] {
			seen[v] = true
		}
	}
	return sortedKeys(seen)
}

// paths lists the distinct "METHOD path" of the recorded requests.
func (r *recorder) paths() string {
	seen := map[string]bool{}
	for _, q := range r.requests() {
		seen[q.Method+" "+q.Path] = true
	}
	return sortedKeys(seen)
}

// headers lists the distinct values of header name.
func (r *recorder) headers(name string) string {
	seen := map[string]bool{}
	for _, q := range r.requests() {
		for _, v := range q.Header.Values(name) {
			seen[v] = true
		}
	}
	return sortedKeys(seen)
}

// jwtField lists the distinct values of a header ("h.alg") or claim
// ("c.aud") member of the JWTs sent in form parameter param.
func (r *recorder) jwtField(param, field string) string {
	seen := map[string]bool{}
	part, member, _ := strings.Cut(field, ".")
	for _, q := range r.requests() {
		for _, jwt := range q.Form[param] {
			segs := strings.Split(jwt, ".")
			if len(segs) != 3 {
				continue
			}
			i := 1
			if part == "h" {
				i = 0
			}
			raw, err := base64.RawURLEncoding.DecodeString(segs[i])
			if err != nil {
				continue
			}
			var m map[string]any
			if json.Unmarshal(raw, &m) != nil {
				continue
			}
			if v, ok := m[member]; ok {
				b, _ := json.Marshal(v)
				seen[string(b)] = true
			}
		}
	}
	return sortedKeys(seen)
}

func sortedKeys(m map[string]bool) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, " | ")
}
