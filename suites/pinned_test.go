package suites_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/clock"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/oracle"
	"github.com/assayhq/assay/mockidp/reference"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

// pinned registers clients A and B for alg (token_endpoint_auth_signing_alg)
// with their key for it signing by default, as the runner does for
// clients.*.signingAlg.
func pinned(c mockidp.Cast, alg string) mockidp.Cast {
	pin := func(p mockidp.Party) mockidp.Party {
		ks := append(keys.Set(nil), p.Keys...)
		for i, k := range ks {
			if k.Alg() == alg {
				ks[0], ks[i] = ks[i], ks[0]
				break
			}
		}
		p.Keys, p.SigningAlg = ks, alg
		return p
	}
	c.A, c.B = pin(c.A), pin(c.B)
	return c
}

// TestPinnedClients: with clients A and B registered for PS256, RS256 or
// EdDSA (a reference that refuses any other algorithm from them), every
// check against the clean reference under BASE passes or is N/A with a
// reason: no row assumes an ES256 client, and a row that needs another
// key type says so instead of failing or erroring.
func TestPinnedClients(t *testing.T) {
	for _, alg := range []string{"PS256", "RS256", "EdDSA"} {
		alg := alg
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			base, err := fixtureCast()
			if err != nil {
				t.Fatal(err)
			}
			cast := pinned(base, alg)
			clk := clock.New(time.Now) // shared with the reference, as in startReference
			in, err := reference.Start(reference.Options{Profile: check.BASE, Clock: clk.Now, Sleep: clk.Advance, Rand: rand.Reader, Cast: cast,
				KeyCacheTTL: 5 * time.Minute, KeyRefetchMin: time.Second, KeyFetchTimeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
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
			defer orc.Close()
			e, err := suites.NewEnv(context.Background(), suites.Options{
				Oracle: orc, Issuer: in.Issuer, TokenEndpoint: in.TokenEndpoint(), Profile: check.BASE, Cast: cast, IdP: in.IdP,
				Grant:                check.GrantOptions{Enabled: true, Asked: true, KnownSubjects: reference.KnownSubjects(cast)},
				MaxAssertionLifetime: reference.MaxAssertionLifetime, MaxGrantLifetime: reference.MaxGrantLifetime,
				Clock: clk.Now, Since: clk.Since, Rand: rand.Reader, TLS: tlsCfg,
				Sleep: clk.Sleep, VirtualTime: true, Rotation: check.Rotation{Stall: 600 * time.Millisecond, MaxWait: time.Hour},
				Verifier: check.VerifierTarget{URL: in.VerifierURL, Audience: reference.VerifierAudience}, TokenIssuer: in.TokenIssuer,
				TokenState: check.TokenState{Enabled: true, Client: cast.A, Other: cast.B, From: check.TokenFromClient, Resource: in.IntrospectedURL, MaxWait: time.Hour},
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range suites.All() {
				if !c.AppliesTo(check.BASE) {
					continue
				}
				r := suites.Run(context.Background(), e, c)
				if r.Outcome != v1.Pass && !(r.Outcome == v1.NA && r.Reason != "") {
					t.Errorf("%s with clients registered for %s: %s: %s", c.Key(), alg, r.Outcome, r.Reason)
				}
			}
		})
	}
}
