package reference

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/defect"
)

// IntrospectedPath is the protected resource of the reference's
// introspecting verifier, on the token endpoint's listener: it takes
// Authorization: Bearer tokens (RFC 6750 §2.1) and asks the reference's
// introspection endpoint (RFC 7662) about each, so that a revoked token is
// refused at once (suite tokenstate, C-REV-03).
const IntrospectedPath = "/api/introspected"

// introspected is the introspecting verifier. It authenticates to
// introspection as client S (client_secret_basic) and asks in process.
type introspected struct {
	as      http.Handler
	client  mockidp.Party
	defects defect.Set

	mu    sync.Mutex
	known map[[32]byte]bool // tokens once active (defect.IntrospectionCacheForever)
}

func newIntrospected(as http.Handler, client mockidp.Party, ds defect.Set) *introspected {
	return &introspected{as: as, client: client, defects: ds, known: map[[32]byte]bool{}}
}

func (v *introspected) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="assay-reference"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	tok = strings.TrimSpace(tok)
	active, sub, ok := v.active(tok)
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if !active {
		w.Header().Set("WWW-Authenticate", `Bearer realm="assay-reference", error="invalid_token", error_description="the token is not active"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"resource": "ok", "sub": sub})
}

// active asks introspection about tok. ok is false when introspection
// did not answer 200 with a JSON object.
func (v *introspected) active(tok string) (active bool, sub string, ok bool) {
	h := sha256.Sum256([]byte(tok))
	cache := v.defects.Has(defect.IntrospectionCacheForever)
	if cache {
		v.mu.Lock()
		known := v.known[h]
		v.mu.Unlock()
		if known {
			return true, "", true
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/introspect", strings.NewReader(url.Values{"token": {tok}, "token_type_hint": {"access_token"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(v.client.ID), url.QueryEscape(v.client.Secret))
	rec := httptest.NewRecorder()
	v.as.ServeHTTP(rec, req)
	var body struct {
		Active bool   `json:"active"`
		Sub    string `json:"sub"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
		return false, "", false
	}
	if body.Active && cache {
		v.mu.Lock()
		v.known[h] = true
		v.mu.Unlock()
	}
	return body.Active, body.Sub, true
}
