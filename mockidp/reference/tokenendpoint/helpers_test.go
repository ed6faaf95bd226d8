package tokenendpoint

import (
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/fixtures"
	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/mockidp/profile"
)

const testIssuer = "https://as.assay.test"

// testClock is a settable clock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// noNetwork is an HTTP client that fails every request: the test servers
// take client keys inline, and must never fetch anything.
var noNetwork = &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
	return nil, errors.New("no network in this test")
})}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func publicSet(names ...string) *jose.JSONWebKeySet {
	var ks keys.Set
	for _, n := range names {
		ks = append(ks, keys.MustFixture(n))
	}
	set := ks.Public()
	return &set
}

// testConfig is a reference configuration with inline client keys: client
// A (private_key_jwt), client H (client_secret_jwt) and issuer IdP-H.
func testConfig(tb testing.TB, clock func() time.Time, p profile.Profile, defects ...defect.Name) Config {
	tb.Helper()
	secret, err := fixtures.Secret("client-h")
	if err != nil {
		tb.Fatal(err)
	}
	grants := []string{oauth.GrantClientCreds, oauth.GrantJWTBearer}
	return Config{
		Issuer:  testIssuer,
		Profile: p,
		Clock:   clock,
		Rand:    rand.Reader,
		HTTP:    noNetwork,
		Clients: []Client{
			{ID: "client-a", AuthMethod: oauth.AuthPrivateKeyJWT, JWKS: publicSet("client-a.es256", "client-a.ps256", "client-a.rs256", "client-a.eddsa"), Grants: grants, Scopes: []string{"read"}},
			{ID: "client-h", AuthMethod: oauth.AuthClientSecretJWT, Secret: secret, Grants: grants},
		},
		Issuers: []Issuer{{ID: "https://idp-h.assay.test", JWKS: publicSet("idp-h.eddsa"), Subjects: []string{"user1"}}},
		Keys:    keys.Set{keys.MustFixture("as.es256")},
		Defects: defect.Of(defects...),
	}
}

func newTestServer(tb testing.TB, clock func() time.Time, p profile.Profile, defects ...defect.Name) *Server {
	tb.Helper()
	s, err := New(testConfig(tb, clock, p, defects...))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

var testTarget = assertion.Target{
	Issuer: testIssuer, TokenEndpoint: testIssuer + "/token", ClientID: "client-a",
	TrustedIssuer: "https://idp-h.assay.test", Subject: "user1",
}

// clientJWT signs client A's default assertion at now with key name.
func clientJWT(tb testing.TB, now time.Time, keyName, jti string, ms ...assertion.Mutation) string {
	tb.Helper()
	d := assertion.Client(assertion.ClientParams{Target: testTarget, Now: now, Key: keys.MustFixture(keyName), Audience: testIssuer, JTI: jti})
	tok, err := d.Apply(ms...).Sign(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

func clientForm(jwt string) string {
	return url.Values{
		"grant_type":            {oauth.GrantClientCreds},
		"client_assertion_type": {oauth.AssertionTypeJWT},
		"client_assertion":      {jwt},
	}.Encode()
}

// post sends a form body through ServeHTTP.
func post(h http.Handler, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
