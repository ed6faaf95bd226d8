package resource_test

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/reference/resource"
	"github.com/assayhq/assay/mockidp/tokenissuer"
)

// TestAcceptsMinted: a token from IdP-V's /mint passes the reference
// resource server; a request without a token gets a bare Bearer challenge.
func TestAcceptsMinted(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	is, err := tokenissuer.New(tokenissuer.Config{ID: "https://idp-v.test", Audience: "https://rs.test", Clock: clock, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(is)
	defer srv.Close()
	rs := resource.New(resource.Config{Issuer: is.ID(), JWKSURI: srv.URL + "/jwks", Audience: "https://rs.test", Clock: clock, HTTP: srv.Client()})

	resp, err := srv.Client().Get(srv.URL + "/mint")
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, resource.Path, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	rec := httptest.NewRecorder()
	rs.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("minted token refused: %d %s %s", rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body)
	}
	rec = httptest.NewRecorder()
	rs.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, resource.Path, nil))
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != `Bearer realm="assay"` {
		t.Errorf("no token: %d %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
}
