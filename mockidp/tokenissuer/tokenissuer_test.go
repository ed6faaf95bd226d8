package tokenissuer

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/keys"
)

// fakeClock is a hand-set clock.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func publishedKids(t *testing.T, is *Issuer) []string {
	t.Helper()
	rec := httptest.NewRecorder()
	is.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/jwks", nil))
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &set); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.Kid)
	}
	return out
}

// TestIssuerSchedule: the next key is pre-published Overlap before it
// signs, the previous one kept Retire after (OIDC Core §10.1.1).
func TestIssuerSchedule(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1_800_000_000, 0)}
	is, err := New(Config{ID: "https://idp-v.test", Audience: "https://rs.test", Clock: clk.Now, Rand: rand.Reader,
		Schedule: keys.Schedule{Period: 10 * time.Minute, Overlap: time.Minute, Retire: 2 * time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		at   time.Duration
		want []string
	}{
		{0, []string{"idp-v-0", "idp-v-rs"}},
		{9*time.Minute + 30*time.Second, []string{"idp-v-0", "idp-v-1", "idp-v-rs"}},
		{11 * time.Minute, []string{"idp-v-1", "idp-v-0", "idp-v-rs"}},
		{13 * time.Minute, []string{"idp-v-1", "idp-v-rs"}},
	} {
		clk.now = time.Unix(1_800_000_000, 0).Add(step.at)
		if got := publishedKids(t, is); !reflect.DeepEqual(got, step.want) {
			t.Errorf("at +%s published %v, want %v", step.at, got, step.want)
		}
	}
}

// TestIssuerAlgorithms: the issuer signs with the configured algorithm, a
// shared secret for HS*, and refuses secrets shorter than the hash (RFC
// 7518 §3.2) and unknown algorithms.
func TestIssuerAlgorithms(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1_800_000_000, 0)}
	for _, alg := range []string{"ES256", "RS256", "PS256", "EdDSA", "HS256", "HS384", "HS512"} {
		secret := make([]byte, 64)
		is, err := New(Config{ID: "https://idp-v.example", Audience: "rs", Clock: clk.Now, Rand: rand.Reader, Alg: alg, Secret: secret,
			Typ: "JWT", Iss: "https://hmac-idp.example", Claims: map[string]string{"Role": "Manager"}})
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		d, err := is.Draft(clk.now, "jti-1", time.Minute)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if got := d.Alg(); got != alg {
			t.Errorf("%s: header alg %s", alg, got)
		}
		if d.Header.String("typ") != "JWT" || d.Claims.String("iss") != "https://hmac-idp.example" || d.Claims.String("Role") != "Manager" {
			t.Errorf("%s: header %s claims %s", alg, d.HeaderBytes(), d.ClaimsBytes())
		}
		if is.Symmetric() != (alg[:2] == "HS") || (is.Symmetric() && d.Header.String("kid") != "") {
			t.Errorf("%s: symmetric %v, kid %q", alg, is.Symmetric(), d.Header.String("kid"))
		}
		if _, err := d.Sign(rand.Reader); err != nil {
			t.Errorf("%s: sign: %v", alg, err)
		}
	}
	for _, c := range []Config{{Alg: "HS384", Secret: make([]byte, 47)}, {Alg: "HS256"}, {Alg: "ES512"}} {
		c.ID, c.Clock, c.Rand = "https://idp-v.example", clk.Now, rand.Reader
		if _, err := New(c); err == nil {
			t.Errorf("%s with a %d-byte secret: no error", c.Alg, len(c.Secret))
		}
	}
}
