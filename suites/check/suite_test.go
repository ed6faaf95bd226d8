package check_test

import (
	"context"
	"slices"
	"testing"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/oauth"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites/check"
)

// accepts is an expectation that wants a token and finds nothing wrong.
type accepts struct{}

func (accepts) Judge(*client.Transcript, *check.Env) check.Verdict { return check.Verdict{} }
func (accepts) Accepting() bool                                    { return true }
func (accepts) String() string                                     { return "OK" }

func everywhere() map[check.Profile]check.Expectation {
	m := map[check.Profile]check.Expectation{}
	for _, p := range check.Profiles() {
		m[p] = accepts{}
	}
	return m
}

// TestSuiteRows: a Suite fills in what a declaration leaves out, keeps
// what it says, builds an AlsoGrant row once per carrier, and wraps each
// row with its carrier set.
func TestSuiteRows(t *testing.T) {
	var wrapped []check.Carrier
	s := check.Suite{Name: "s", Carrier: check.Client, KillIn: []check.Profile{check.BASE},
		Wrap: func(r check.Row) check.Row { wrapped = append(wrapped, r.Carrier); return r }}
	cs := s.Rows(
		[]check.Row{{Check: check.Check{ID: "X-01"}, Want: everywhere(), AlsoGrant: true}},
		[]check.Row{{Check: check.Check{ID: "X-02", Level: check.SHOULD, Carrier: check.Grant, Suite: "other", KillIn: []check.Profile{check.BIS}},
			Want: map[check.Profile]check.Expectation{check.BIS: accepts{}}}},
	)
	var keys []string
	for _, c := range cs {
		keys = append(keys, c.Key())
	}
	if want := []string{"X-01", "X-01/grant", "X-02/grant"}; !slices.Equal(keys, want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	if want := []check.Carrier{check.Client, check.Grant, check.Grant}; !slices.Equal(wrapped, want) {
		t.Errorf("Wrap saw carriers %v, want %v", wrapped, want)
	}
	if c := cs[0]; c.Suite != "s" || c.Level != check.MUST || c.Carrier != check.Client || !slices.Equal(c.KillIn, s.KillIn) || c.Run == nil || c.Verdicts[check.BCP] != "OK" {
		t.Errorf("defaults not filled in: %+v", c)
	}
	if c := cs[2]; c.Suite != "other" || c.Level != check.SHOULD || !slices.Equal(c.KillIn, []check.Profile{check.BIS}) || !slices.Equal(c.Profiles, []check.Profile{check.BIS}) {
		t.Errorf("declared values overwritten: %+v", c)
	}
	checks := s.Checks([]check.Check{{ID: "Y-01"}}, []check.Check{{ID: "Y-02", Carrier: check.Grant}})
	if len(checks) != 2 || checks[0].Carrier != check.Client || checks[0].Suite != "s" || checks[0].Level != check.MUST || checks[1].Carrier != check.Grant {
		t.Errorf("Checks: %+v", checks)
	}
}

// TestGrantRowsNeedTheGrant: a row on the grant carrier is N/A, and sends
// nothing, where the config disables the jwt-bearer grant, or leaves it at
// its default while grant_types_supported omits the grant (the target does
// not offer it); where the config itself enables it, the row runs even if
// grant_types_supported omits the grant (its own metadata row reports
// that, once).
func TestGrantRowsNeedTheGrant(t *testing.T) {
	sent := 0
	row := check.Row{Check: check.Check{ID: "X-01"}, Want: everywhere(),
		Send: func(context.Context, *check.Env, check.Carrier) (*client.Transcript, error) {
			sent++
			return &client.Transcript{Status: 200}, nil
		}}
	c := check.Suite{Name: "s", Carrier: check.Grant}.Rows([]check.Row{row})[0]
	// An issuer that signs with a shared secret: a grant can be sent.
	signer := mockidp.Cast{IdPH: mockidp.Party{Name: "IdP-H", ID: "https://idp-h.example", Secret: "s", SigningAlg: "HS256"}}
	for name, e := range map[string]*check.Env{
		"disabled":      {Profile: check.BASE},
		"no issuer key": {Profile: check.BASE, Grant: check.GrantOptions{Enabled: true, URN: oauth.GrantJWTBearer}},
		"self-signed by an unconfigured client": {Profile: check.BASE, Cast: signer,
			Grant: check.GrantOptions{Enabled: true, URN: oauth.GrantJWTBearer, TrustModel: check.TrustSelfSigned, Client: "B"}},
		"client S not configured": {Profile: check.BASE, Cast: signer,
			Grant: check.GrantOptions{Enabled: true, URN: oauth.GrantJWTBearer, AuthMethod: oauth.AuthClientSecretPost}},
		"default, not announced": {Profile: check.BASE, Cast: signer, Grant: check.GrantOptions{Enabled: true, URN: oauth.GrantJWTBearer},
			Meta: oauth.Metadata{GrantTypesSupported: []string{"client_credentials"}}},
	} {
		if r := c.Run(context.Background(), e); r.Outcome != v1.NA || r.Reason == "" {
			t.Errorf("%s: got %s (%s), want N/A with a reason", name, r.Outcome, r.Reason)
		}
	}
	if sent != 0 {
		t.Errorf("sent %d requests, want none", sent)
	}
	for name, e := range map[string]*check.Env{
		"asked for, not announced":       {Profile: check.BASE, Cast: signer, Grant: check.GrantOptions{Enabled: true, Asked: true, URN: oauth.GrantJWTBearer}, Meta: oauth.Metadata{GrantTypesSupported: []string{"client_credentials"}}},
		"default, no grant types listed": {Profile: check.BASE, Cast: signer, Grant: check.GrantOptions{Enabled: true, URN: oauth.GrantJWTBearer}},
		"default, announced": {Profile: check.BASE, Cast: signer, Grant: check.GrantOptions{Enabled: true, URN: oauth.GrantJWTBearer},
			Meta: oauth.Metadata{GrantTypesSupported: []string{"client_credentials", oauth.GrantJWTBearer}}},
	} {
		before := sent
		if r := c.Run(context.Background(), e); r.Outcome != v1.Pass || sent != before+1 {
			t.Errorf("%s: got %s (%s) after %d requests, want PASS after 1", name, r.Outcome, r.Reason, sent-before)
		}
	}
}
