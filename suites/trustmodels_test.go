package suites_test

import (
	"context"
	"crypto/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/mockidp/oracle"
	"github.com/assayhq/assay/mockidp/reference"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

// grantSetup is one way a target takes the jwt-bearer grant: how the
// reference is configured, and the matching grant options of the Env.
type grantSetup struct {
	name  string
	cast  func(c *mockidp.Cast)
	ref   func(o *reference.Options)
	grant check.GrantOptions
	// na lists the grant checks that must be N/A under this setup (their
	// mutation cannot apply); every other grant check must PASS.
	na []string
	// skip lists the profiles whose rules forbid the setup itself.
	skip []check.Profile
}

// grantSetups are the trust models, keys, audiences and client
// authentication methods of the grant section (catalog.md §0.5).
var grantSetups = []grantSetup{
	{name: "external-issuer", grant: check.GrantOptions{}},
	{name: "self-signed by client A", ref: func(o *reference.Options) { o.GrantModel = check.TrustSelfSigned },
		grant: check.GrantOptions{TrustModel: check.TrustSelfSigned, Client: "A"}},
	{name: "self-signed, issuer and key given", cast: func(c *mockidp.Cast) {
		c.IdPH.ID, c.IdPH.Keys = c.A.ID, c.A.Keys[:1]
	}, ref: func(o *reference.Options) { o.GrantModel = check.TrustSelfSigned },
		grant: check.GrantOptions{TrustModel: check.TrustSelfSigned}},
	{name: "service-account", cast: func(c *mockidp.Cast) { c.IdPH.ID = "svc-1" },
		ref:   func(o *reference.Options) { o.GrantModel = check.TrustServiceAccount },
		grant: check.GrantOptions{TrustModel: check.TrustServiceAccount}},
	{name: "issuer signing HS256", cast: func(c *mockidp.Cast) {
		c.IdPH.Keys, c.IdPH.Secret, c.IdPH.SigningAlg = nil, "grant-issuer-shared-secret-0123456789", "HS256"
	}, grant: check.GrantOptions{},
		// FAPI 2.0 allows no HMAC (Security Profile §5.4.1): the reference
		// refuses the grant itself there.
		skip: []check.Profile{check.FAPI2}},
	{name: "token endpoint as the only audience", ref: func(o *reference.Options) { o.GrantTokenEndpointAud = true },
		grant: check.GrantOptions{Audience: check.AudienceTokenEndpoint}},
	{name: "a login URL as the only audience", ref: func(o *reference.Options) { o.GrantAudiences = []string{"https://login.example"} },
		grant: check.GrantOptions{Audience: "https://login.example"},
		// The reference takes only the login URL, so the token endpoint
		// URL is refused: the SHOULD row warns, as it would against such
		// a server. Checked separately below.
	},
	{name: "no client authentication", grant: check.GrantOptions{ClientAuth: "none"},
		na: []string{"A-JG-06/grant", "A-JG-11/grant", "B-CLM-13.3/grant"}},
	{name: "client_secret_jwt", grant: check.GrantOptions{AuthMethod: oauth.AuthClientSecretJWT}, na: []string{"A-JG-11/grant", "B-CLM-13.3/grant"},
		// FAPI 2.0 allows no client_secret_jwt (Security Profile §5.3.2.1).
		skip: []check.Profile{check.FAPI2}},
	{name: "client_secret_basic", grant: check.GrantOptions{AuthMethod: oauth.AuthClientSecretBasic}, na: []string{"A-JG-11/grant", "B-CLM-13.3/grant"}},
	{name: "client_secret_post", cast: func(c *mockidp.Cast) { c.S.AuthMethod = oauth.AuthClientSecretPost },
		grant: check.GrantOptions{AuthMethod: oauth.AuthClientSecretPost}, na: []string{"A-JG-11/grant", "B-CLM-13.3/grant"}},
}

// TestGrantTrustModels runs every grant check against the reference set up
// each way the grant section can describe a target, under every profile:
// each check must PASS, or be N/A where the setup lists it or the profile
// does not apply.
func TestGrantTrustModels(t *testing.T) {
	for _, s := range grantSetups {
		for _, p := range check.Profiles() {
			if slices.Contains(s.skip, p) {
				continue
			}
			t.Run(s.name+"/"+string(p), func(t *testing.T) {
				t.Parallel()
				runGrantSetup(t, s, p)
			})
		}
	}
}

// runGrantSetup runs the grant checks against the reference set up as s
// says, under p.
func runGrantSetup(t *testing.T, s grantSetup, p check.Profile) {
	e := startGrantReference(t, s, p)
	na := map[string]bool{}
	for _, id := range s.na {
		na[id] = true
	}
	for _, c := range suites.All() {
		if c.Carrier != check.Grant {
			continue
		}
		r := check.NA("does not apply")
		if c.AppliesTo(p) {
			r = suites.Run(context.Background(), e, c)
		}
		switch {
		case !c.AppliesTo(p):
		case na[c.Key()] && r.Outcome != v1.NA:
			t.Errorf("%s: %s (%s), want N/A", c.Key(), r.Outcome, r.Reason)
		case na[c.Key()]:
		case r.Outcome == v1.Warn && c.ID == "A-JG-07" && s.grant.Audience == "https://login.example":
			// A server that takes only a login URL breaks the SHOULD.
		case r.Outcome == v1.NA && r.Reason != "" && strings.HasPrefix(r.Reason, "does not apply under profile"):
		case r.Outcome != v1.Pass:
			t.Errorf("%s: %s: %s", c.Key(), r.Outcome, r.Reason)
		}
	}
}

// startGrantReference starts the reference set up as s says and returns an
// Env for it under p.
func startGrantReference(t *testing.T, s grantSetup, p check.Profile) *check.Env {
	t.Helper()
	cast, err := fixtureCast()
	if err != nil {
		t.Fatal(err)
	}
	if s.cast != nil {
		s.cast(&cast)
	}
	o := reference.Options{Profile: p, Clock: time.Now, Rand: rand.Reader, Cast: cast}
	if s.ref != nil {
		s.ref(&o)
	}
	in, err := reference.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	tlsCfg, err := reference.ClientTLS()
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := attackerJWKS()
	if err != nil {
		t.Fatal(err)
	}
	orc, err := oracle.Start(jwks)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = orc.Close() })
	g := s.grant
	g.Enabled, g.KnownSubjects = true, reference.KnownSubjects(cast)
	if g.TrustModel == check.TrustServiceAccount {
		g.KnownSubjects = []string{cast.IdPH.ID}
	}
	e, err := suites.NewEnv(context.Background(), suites.Options{Oracle: orc,
		Issuer: in.Issuer, TokenEndpoint: in.TokenEndpoint(), Profile: p, Cast: cast, IdP: in.IdP,
		Grant: g, MaxAssertionLifetime: reference.MaxAssertionLifetime, MaxGrantLifetime: reference.MaxGrantLifetime, Clock: time.Now, Since: time.Since, Rand: rand.Reader, TLS: tlsCfg})
	if err != nil {
		t.Fatal(err)
	}
	return e
}
