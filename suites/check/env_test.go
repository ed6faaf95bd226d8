package check_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/suites/check"
)

// TestPostAddsScopeAndBasic: Post sends the configured scope on
// client_credentials and grant requests that name none, never twice and
// never on other requests, and client S's Basic credentials on grant
// requests when the grant authenticates with client_secret_basic.
func TestPostAddsScopeAndBasic(t *testing.T) {
	type seen struct {
		form url.Values
		auth string
	}
	var got seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.form, _ = url.ParseQuery(string(b))
		got.auth = r.Header.Get("Authorization")
	}))
	defer srv.Close()
	e := &check.Env{Target: check.Target{TokenEndpoint: srv.URL}, Scope: "read write",
		Cast:  mockidp.Cast{S: mockidp.Party{ID: "client-s", Secret: "s3cret"}},
		Grant: check.GrantOptions{URN: oauth.GrantJWTBearer, AuthMethod: oauth.AuthClientSecretBasic},
		HTTP:  &client.Client{HTTP: srv.Client(), Now: time.Now, Since: time.Since}}
	for _, tc := range []struct {
		name      string
		form      client.Form
		header    http.Header
		wantScope []string
		wantAuth  string
	}{
		{"client credentials", client.Form{{Name: "grant_type", Value: oauth.GrantClientCreds}}, nil, []string{"read write"}, ""},
		{"grant", client.Form{{Name: "grant_type", Value: oauth.GrantJWTBearer}}, nil, []string{"read write"}, check.BasicAuth("client-s", "s3cret")},
		{"a row's own scope", client.Form{{Name: "grant_type", Value: oauth.GrantJWTBearer}, {Name: "scope", Value: "admin:all"}}, nil, []string{"admin:all"}, check.BasicAuth("client-s", "s3cret")},
		{"a row's own Authorization", client.Form{{Name: "grant_type", Value: oauth.GrantJWTBearer}}, http.Header{"Authorization": {"Basic eA=="}}, []string{"read write"}, "Basic eA=="},
		{"another grant type", client.Form{{Name: "grant_type", Value: "password"}}, nil, nil, ""},
	} {
		if _, err := e.Post(context.Background(), tc.form, tc.header); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if s := got.form["scope"]; len(s) != len(tc.wantScope) || len(s) > 0 && s[0] != tc.wantScope[0] {
			t.Errorf("%s: scope %q, want %q", tc.name, s, tc.wantScope)
		}
		if got.auth != tc.wantAuth {
			t.Errorf("%s: Authorization %q, want %q", tc.name, got.auth, tc.wantAuth)
		}
	}
}
