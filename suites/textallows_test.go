package suites_test

import (
	"context"
	"strings"
	"testing"

	"github.com/assayhq/assay/mockidp/defect"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

// checkByKey returns the check with key k.
func checkByKey(t *testing.T, k string) check.Check {
	t.Helper()
	for _, c := range suites.All() {
		if c.Key() == k {
			return c
		}
	}
	t.Fatalf("no check %s", k)
	return check.Check{}
}

// TestTextAllows: a server that does what the cited text allows is not
// failed. Each case is a reference with the behaviour switched on (the
// defect that once made the row fail) and the config a real target of
// that kind would have; the row must PASS or be N/A, never FAIL or WARN.
func TestTextAllows(t *testing.T) {
	for _, tc := range []struct {
		name    string
		key     string
		profile check.Profile
		defect  defect.Name
		env     func(e *check.Env)
		want    v1.Outcome
	}{
		// OIDC Core §9 errata set 3 and BIS §4 put the string form on the
		// client; the server must verify that it is the sole audience,
		// which a one-element array holding the issuer is.
		{"aud [issuer] under OIDC-E3", "A-CA-09", check.OIDCE3, defect.AcceptSingleElementArray, nil, v1.Pass},
		{"aud [issuer] under BIS", "A-CA-09", check.BIS, defect.AcceptSingleElementArray, nil, v1.Pass},
		// RFC 7523 §3 item 4: refusing a far exp is a MAY; without a
		// declared bound there is nothing to hold the server to.
		{"far exp, no declared bound", "A-CA-13", check.BCP, defect.UnboundedLifetime,
			func(e *check.Env) { e.MaxAssertionLifetime = 0 }, v1.NA},
		{"ten-year exp, no declared bound", "B-CLM-10", check.BCP, defect.UnboundedLifetime,
			func(e *check.Env) { e.MaxAssertionLifetime = 0 }, v1.NA},
		{"far grant exp, no declared bound", "A-JG-05.2/grant", check.BCP, defect.GrantUnboundedLifetime,
			func(e *check.Env) { e.MaxGrantLifetime = 0 }, v1.NA},
		// RFC 7523 §3 item 7 makes tracking a grant's jti a MAY: outside
		// the profiles that ask for single use, a replay is only observed.
		{"grant replay under BASE", "B-CLM-12.2/grant", check.BASE, defect.IgnoreReplay, nil, v1.NA},
		// RFC 7523 §3 item 2: which subjects an issuer may assert is the
		// server's policy unless the config lists them.
		{"any subject, none listed", "A-JG-04.2/grant", check.BASE, defect.GrantIgnoreSubject,
			func(e *check.Env) { e.Grant.KnownSubjects = nil }, v1.NA},
		// RFC 7515 §5.2: an algorithm the application does not accept
		// "SHOULD" make the JWS invalid; only BCP and FAPI2 make it a MUST.
		{"unadvertised ES384 under BASE", "A-JO-04", check.BASE, defect.AnyJOSEAlg, nil, v1.Warn},
		{"unadvertised ES384 under BIS", "A-JO-04", check.BIS, defect.AnyJOSEAlg, nil, v1.Warn},
		// FAPI 2.0 SP §5.4.2 is the only text against jku in the server's
		// own JWTs, and it says should not.
		{"jku in access tokens under BASE", "A-JW-09", check.BASE, defect.AccessTokenJKU, nil, v1.Warn},
	} {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := checkByKey(t, tc.key)
			e := startReference(t, tc.profile, tc.defect)
			if tc.env != nil {
				tc.env(e)
			}
			r := suites.Run(context.Background(), e, c)
			if r.Outcome != tc.want {
				t.Errorf("%s under %s with %s: %s (%s), want %s", tc.key, tc.profile, tc.defect, r.Outcome, r.Reason, tc.want)
			}
			if r.Outcome == v1.NA && r.Reason == "" {
				t.Errorf("%s: N/A without a reason", tc.key)
			}
		})
	}
}

// TestLoneSurrogateObserved: RFC 8259 §8.2 admits an escaped lone
// surrogate and RFC 7519 §4 has an unknown claim ignored, so accepting
// one is reported as an observation, never judged by a check.
func TestLoneSurrogateObserved(t *testing.T) {
	for _, c := range suites.All() {
		if c.ID == "B-FMT-05.4" || strings.Contains(c.Title, "surrogate") {
			t.Errorf("%s judges a lone surrogate: %s", c.Key(), c.Title)
		}
	}
	var obs *check.Observation
	for _, o := range suites.Observations() {
		if o.ID == "B-FMT-05.4" {
			o := o
			obs = &o
		}
	}
	if obs == nil {
		t.Fatal("no observation B-FMT-05.4")
	}
	e := startReference(t, check.BASE, defect.LaxJSON)
	got := suites.Observe(context.Background(), e, *obs)
	if !strings.HasSuffix(got.Text, "HTTP 200, token issued") {
		t.Errorf("observation against a server that accepts the escape: %q", got.Text)
	}
}
