package resource_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/reference/resource"
	"github.com/assayhq/assay/mockidp/tokenissuer"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
	suite "github.com/assayhq/assay/suites/resource"
)

// mode is one kind of verifier: how the issuer signs, what the reference
// verifier takes, and how assay presents tokens to it.
type mode struct {
	name   string
	issuer tokenissuer.Config
	rs     resource.Config
	target check.VerifierTarget
}

const testAudience = "https://rs.assay.test"

// modes are the verifiers the kill matrix runs every resource row against:
// each row must pass (or be N/A) on every clean one, and fail under its
// defect on each where it passed.
func modes() []mode {
	hs256 := []byte("0123456789abcdef0123456789abcdef")
	hs512 := []byte(strings.Repeat("0123456789abcdef", 4))
	return []mode{
		{name: "access-es256-bearer",
			issuer: tokenissuer.Config{Claims: map[string]string{"tenant": "t1"}},
			rs:     resource.Config{Claims: map[string]string{"tenant": "t1"}, Scope: "read"},
			target: check.VerifierTarget{Claims: map[string]string{"tenant": "t1"}, Scope: "read"}},
		{name: "access-hs512-bearer",
			issuer: tokenissuer.Config{Alg: "HS512", Secret: hs512},
			rs:     resource.Config{Alg: "HS512", Secret: hs512, Scope: "read"},
			target: check.VerifierTarget{Scope: "read"}},
		{name: "jwt-hs256-pdp-json-200-deny",
			issuer: tokenissuer.Config{Alg: "HS256", Secret: hs256, Typ: "JWT"},
			rs:     resource.Config{Alg: "HS256", Secret: hs256, Kind: "jwt", PDP: true, Claims: map[string]string{"Role": "Manager"}},
			target: check.VerifierTarget{Kind: check.PlainJWTs, Placement: check.InJSON, Method: http.MethodPost,
				Body:   `{"resources":["room-1"],"subject":{"jwt":"${token}"},"environment":{"jwt":["${token}"]}}`,
				Claims: map[string]string{"Role": "Manager"},
				Allow:  check.Rule{Status: []int{200}, Pointer: "/decision", Value: json.RawMessage(`"allow"`)},
				Deny:   &check.Rule{Status: []int{200}, Pointer: "/decision", Value: json.RawMessage(`"deny"`)}}},
		{name: "id-token-rs256-form",
			issuer: tokenissuer.Config{Alg: "RS256", Typ: "JWT"},
			rs:     resource.Config{Kind: "id_token", Nonce: "n-0S6_WzA2Mj"},
			target: check.VerifierTarget{Kind: check.IDTokens, Placement: check.InForm, Method: http.MethodPost, Field: "id_token", Nonce: "n-0S6_WzA2Mj"}},
	}
}

// start serves the mode's issuer and reference verifier with defects on
// and returns an Env for a verifier-only target.
func (m mode) start(t *testing.T, defects ...defect.Name) *check.Env {
	t.Helper()
	mux := http.NewServeMux()
	idp := httptest.NewServer(mux)
	t.Cleanup(idp.Close)
	ic := m.issuer
	ic.ID, ic.Audience, ic.Clock, ic.Rand = idp.URL+"/idp-v", testAudience, time.Now, rand.Reader
	ic.Schedule = keys.Schedule{Retire: time.Hour}
	is, err := tokenissuer.New(ic)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/idp-v/", http.StripPrefix("/idp-v", is))
	rc := m.rs
	rc.Issuer, rc.JWKSURI, rc.Audience, rc.Clock, rc.HTTP, rc.Defects = is.ID(), is.JWKSURI(), testAudience, time.Now, idp.Client(), defect.Of(defects...)
	rs := httptest.NewServer(resource.New(rc))
	t.Cleanup(rs.Close)
	vt := m.target
	vt.URL, vt.Audience = rs.URL+resource.Path, testAudience
	e, err := suites.NewEnv(context.Background(), suites.Options{Profile: check.BASE, Clock: time.Now, Since: time.Since, Rand: rand.Reader,
		Rotation: check.Rotation{KeyCacheTTL: 400 * time.Millisecond, Margin: 100 * time.Millisecond, RefetchMin: 100 * time.Millisecond, MaxWait: 5 * time.Second}, Sleep: func(context.Context, time.Duration) error { return nil },
		Verifier: vt, TokenIssuer: is})
	if err != nil {
		t.Fatal(err)
	}
	if !e.Target.VerifierOnly {
		t.Fatal("an Env with only a verifier URL is not VerifierOnly")
	}
	return e
}

// TestKillMatrix is the self-test of the resource rows across verifier
// kinds (TestSelf runs them against the reference's default verifier
// only): on every clean mode each row passes or is N/A with a reason;
// under its defect it fails (WARN for SHOULD) on every mode where it
// passed; and it passes on at least one mode, so no row goes unproven.
func TestKillMatrix(t *testing.T) {
	passed := map[string][]mode{}
	for _, m := range modes() {
		e := m.start(t)
		for _, c := range suite.Checks() {
			r := suites.Run(context.Background(), e, c)
			switch {
			case r.Outcome == v1.Pass:
				passed[c.Key()] = append(passed[c.Key()], m)
			case r.Outcome == v1.NA && r.Reason != "":
			default:
				t.Errorf("clean %s: %s: %s: %s", m.name, c.Key(), r.Outcome, r.Reason)
			}
		}
	}
	if t.Failed() {
		return
	}
	for _, c := range suite.Checks() {
		if len(passed[c.Key()]) == 0 {
			t.Errorf("%s passes on no verifier mode: no defect can be shown to kill it", c.Key())
		}
		want := v1.Fail
		if c.Level == check.SHOULD {
			want = v1.Warn
		}
		for _, m := range passed[c.Key()] {
			t.Run(c.Key()+"/"+m.name, func(t *testing.T) {
				e := m.start(t, c.Defect)
				if r := suites.Run(context.Background(), e, c); r.Outcome != want {
					t.Errorf("%s survived defect %s on %s: %s (%s), want %s", c.Key(), c.Defect, m.name, r.Outcome, r.Reason, want)
				}
			})
		}
	}
}

// TestVerifierOnly: a verifier-only target runs no token-endpoint check.
func TestVerifierOnly(t *testing.T) {
	e := modes()[0].start(t)
	for _, c := range suites.All() {
		if c.Suite == suite.Suite {
			continue
		}
		if r := suites.Run(context.Background(), e, c); r.Outcome != v1.NA || !strings.Contains(r.Reason, "verifier only") {
			t.Fatalf("%s: %s: %s, want N/A (verifier only)", c.Key(), r.Outcome, r.Reason)
		}
	}
}
