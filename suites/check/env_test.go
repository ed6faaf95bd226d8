package check_test

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/keys"
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

// TestGrantDraftFollowsTheModel: the default grant assertion takes its
// iss, sub, aud, alg and kid from the grant options and the issuer party.
func TestGrantDraftFollowsTheModel(t *testing.T) {
	key := keys.MustFixture("client-a.rs256")
	base := check.Env{Target: check.Target{Issuer: "https://as.example", TokenEndpoint: "https://as.example/token"},
		Clock: time.Now, Rand: rand.Reader,
		Cast: mockidp.Cast{User: "alice",
			A:    mockidp.Party{Name: "A", ID: "client-a", Keys: keys.Set{key}},
			IdPH: mockidp.Party{Name: "IdP-H", ID: "https://idp.example", Secret: "a-shared-secret-of-thirty-two-bytes", SigningAlg: "HS384"}}}
	for _, tc := range []struct {
		name                    string
		grant                   check.GrantOptions
		iss, sub, aud, alg, kid string
	}{
		{"HMAC issuer, kid given, aud literal", check.GrantOptions{KID: "k1", Audience: "https://login.example"},
			"https://idp.example", "alice", "https://login.example", "HS384", "k1"},
		{"self-signed by client A, aud token endpoint", check.GrantOptions{TrustModel: check.TrustSelfSigned, Client: "A", Audience: check.AudienceTokenEndpoint},
			"client-a", "alice", "https://as.example/token", "RS256", "a-rs256"},
		{"service account", check.GrantOptions{TrustModel: check.TrustServiceAccount},
			"https://idp.example", "https://idp.example", "https://as.example", "HS384", ""},
	} {
		e := base
		e.Grant = tc.grant
		d, err := e.GrantDraft()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := []string{d.Claims.String("iss"), d.Claims.String("sub"), d.Claims.String("aud"), d.Alg(), d.Header.String("kid")}
		want := []string{tc.iss, tc.sub, tc.aud, tc.alg, tc.kid}
		if !slices.Equal(got, want) {
			t.Errorf("%s: iss, sub, aud, alg, kid = %q, want %q", tc.name, got, want)
		}
		if _, err := d.Sign(rand.Reader); err != nil {
			t.Errorf("%s: sign: %v", tc.name, err)
		}
	}
}
