package tokenendpoint

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestRevocation: RFC 7009 as the reference serves it. A client revokes
// its own token (200, then inactive), an unknown token is 200 too (§2.2),
// another client's token is refused and stays active, and a request
// without client authentication is refused.
func TestRevocation(t *testing.T) {
	s := testServer(t)
	register := func() (string, string) {
		r := httptest.NewRequest(http.MethodPost, "/register", strings.NewReader(`{"token_endpoint_auth_method":"client_secret_basic"}`))
		got := call(t, s, r)
		return got["client_id"].(string), got["client_secret"].(string)
	}
	id1, sec1 := register()
	id2, sec2 := register()
	token := func() string {
		r := form("/token", url.Values{"grant_type": {"client_credentials"}})
		r.SetBasicAuth(id1, sec1)
		at, _ := call(t, s, r)["access_token"].(string)
		if at == "" {
			t.Fatal("no token")
		}
		return at
	}
	send := func(path, tok, id, secret string) *httptest.ResponseRecorder {
		r := form(path, url.Values{"token": {tok}})
		if id != "" {
			r.SetBasicAuth(id, secret)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w
	}
	active := func(tok string) bool {
		w := send("/introspect", tok, id1, sec1)
		return strings.Contains(w.Body.String(), `"active":true`)
	}

	own := token()
	if w := send("/revoke", own, id1, sec1); w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("own token: HTTP %d %v", w.Code, w.Header())
	}
	if active(own) {
		t.Error("a revoked token still introspects active")
	}
	if w := send("/revoke", "never-issued-token", id1, sec1); w.Code != http.StatusOK {
		t.Errorf("unknown token: HTTP %d, want 200 (RFC 7009 §2.2)", w.Code)
	}
	theirs := token()
	if w := send("/revoke", theirs, id2, sec2); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "unauthorized_client") {
		t.Errorf("another client's token: HTTP %d %s", w.Code, w.Body)
	}
	if w := send("/revoke", theirs, "", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("no client authentication: HTTP %d", w.Code)
	}
	if !active(theirs) {
		t.Error("a token others failed to revoke is inactive")
	}
}
