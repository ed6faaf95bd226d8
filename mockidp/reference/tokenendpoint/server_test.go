package tokenendpoint

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/mockidp/profile"
)

func TestNewReportsEveryProblem(t *testing.T) {
	_, err := New(Config{Profile: "nope"})
	if err == nil {
		t.Fatal("New accepted an empty config")
	}
	for _, want := range []string{"issuer: empty", "clock: nil", "rand: nil", "http client: nil", "keys: none", `profile: unknown profile "nope"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestOwnJWKSIsPublic: the reference's /jwks never serves private members
// unless the defect that exists to do so is on.
func TestOwnJWKSIsPublic(t *testing.T) {
	clk := &testClock{now: fuzzNow}
	for _, d := range []defect.Name{"", defect.JWKSPrivateMembers} {
		cfg := testConfig(t, clk.Now, profile.BASE)
		cfg.Keys = keys.Set{keys.MustFixture("as.es256"), keys.MustFixture("as.ps256")}
		if d != "" {
			cfg.Defects = defect.Of(d)
		}
		s, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/jwks", nil))
		var doc struct{ Keys []map[string]json.RawMessage }
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || len(doc.Keys) < 2 {
			t.Fatalf("defect %q: %v %s", d, err, rec.Body)
		}
		leaked := false
		for _, k := range doc.Keys {
			for _, m := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
				if _, ok := k[m]; ok {
					leaked = true
				}
			}
		}
		if leaked != (d == defect.JWKSPrivateMembers) {
			t.Errorf("defect %q: private members served = %v", d, leaked)
		}
	}
}

func TestMetadata(t *testing.T) {
	s := newTestServer(t, (&testClock{now: fuzzNow}).Now, profile.FAPI2)
	for _, path := range []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		m, err := oauth.ParseMetadata(rec.Body.Bytes())
		if err != nil || rec.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("%s: %v %v", path, err, rec.Header())
		}
		if m.Issuer != testIssuer || m.TokenEndpoint != testIssuer+"/token" || m.JWKSURI != testIssuer+"/jwks" {
			t.Errorf("%s: %+v", path, m)
		}
		if m.SupportsSigningAlg("RS256") || !m.SupportsSigningAlg("PS256") || !m.SupportsAuthMethod(oauth.AuthPrivateKeyJWT) || m.SupportsAuthMethod(oauth.AuthClientSecretBasic) {
			t.Errorf("%s: FAPI2 metadata advertises %v / %v", path, m.TokenEndpointAuthSigningAlgs, m.TokenEndpointAuthMethodsSupported)
		}
	}
}

// TestMetadataDefectsEditOneMember: each metadata defect changes the one
// member it names and nothing else, so that it makes one check fail.
func TestMetadataDefectsEditOneMember(t *testing.T) {
	clock := (&testClock{now: fuzzNow}).Now
	for _, p := range []profile.Profile{profile.BASE, profile.FAPI2} {
		clean := newTestServer(t, clock, p).metadataDocument()
		for _, d := range metadataDefects {
			got := newTestServer(t, clock, p, d.defect).metadataDocument()
			var changed []string
			for _, doc := range []map[string]any{clean, got} {
				for k := range doc {
					if k != "signed_metadata" && !slices.Contains(changed, k) && !reflect.DeepEqual(clean[k], got[k]) {
						changed = append(changed, k)
					}
				}
			}
			if len(changed) != 1 {
				t.Errorf("%s %s changes %v, want one member", p, d.defect, changed)
			}
		}
	}
}

// TestTokenFraming covers RFC 6749 §3.2 and §5 framing on the wire.
func TestTokenFraming(t *testing.T) {
	clk := &testClock{now: fuzzNow}
	s := newTestServer(t, clk.Now, profile.BASE)
	valid := func() string { return clientForm(clientJWT(t, clk.Now(), "client-a.es256", time.Now().String())) }
	tests := []struct {
		name      string
		method    string
		ctype     string
		body      string
		authz     string
		status    int
		code      string
		challenge bool
	}{
		{"valid", "POST", "application/x-www-form-urlencoded", valid(), "", 200, "", false},
		{"charset parameter", "POST", "application/x-www-form-urlencoded; charset=UTF-8", valid(), "", 200, "", false},
		{"GET", "GET", "", "", "", 405, "invalid_request", false},
		{"JSON body", "POST", "application/json", `{"grant_type":"client_credentials"}`, "", 400, "invalid_request", false},
		{"no grant_type", "POST", "application/x-www-form-urlencoded", "client_id=client-a", "", 400, "invalid_request", false},
		{"unsupported grant", "POST", "application/x-www-form-urlencoded", "grant_type=urn:x", "", 400, "unsupported_grant_type", false},
		{"repeated parameter", "POST", "application/x-www-form-urlencoded", valid() + "&grant_type=client_credentials", "", 400, "invalid_request", false},
		{"no client authentication", "POST", "application/x-www-form-urlencoded", "grant_type=client_credentials", "", 401, "invalid_client", false},
		{"wrong Basic password", "POST", "application/x-www-form-urlencoded", "grant_type=client_credentials", "Basic " + base64.StdEncoding.EncodeToString([]byte("client-h:wrong")), 401, "invalid_client", true},
		{"too large", "POST", "application/x-www-form-urlencoded", "grant_type=client_credentials&x=" + strings.Repeat("a", 70<<10), "", 413, "invalid_request", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/token", strings.NewReader(tt.body))
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			if tt.authz != "" {
				req.Header.Set("Authorization", tt.authz)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("HTTP %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Content-Type") != "application/json" {
				t.Errorf("headers %v", rec.Header())
			}
			var m map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
			if code, _ := m["error"].(string); code != tt.code {
				t.Errorf("error %q, want %q", code, tt.code)
			}
			if desc, _ := m["error_description"].(string); !oauth.DescriptionCharsetOK(desc) {
				t.Errorf("error_description %q outside the RFC 6749 §5.2 charset", desc)
			}
			if got := rec.Header().Get("WWW-Authenticate") != ""; got != tt.challenge {
				t.Errorf("WWW-Authenticate present = %v, want %v", got, tt.challenge)
			}
		})
	}
}
