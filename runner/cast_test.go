package runner

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/reference"
	"github.com/assayhq/assay/runner/config"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

// TestClientSigningAlgorithms: clients.A.signingAlg and clients.B.signingAlg
// are each honoured for every algorithm: against a reference that registers
// the client for that algorithm (and so refuses any other), the client's
// default assertion is signed with it and gets a token.
func TestClientSigningAlgorithms(t *testing.T) {
	for _, name := range []string{"A", "B"} {
		for _, alg := range []string{"ES256", "PS256", "RS256", "EdDSA"} {
			name, alg := name, alg
			t.Run(name+"/"+alg, func(t *testing.T) {
				t.Parallel()
				cfg := config.Default()
				cfg.Target.Kind = config.KindURL
				a := &config.Client{ID: "client-a", Keys: config.KeysFixture, SigningAlg: config.DefaultSigningAlg}
				b := &config.Client{ID: "client-b", Keys: config.KeysFixture, SigningAlg: config.DefaultSigningAlg}
				map[string]*config.Client{"A": a, "B": b}[name].SigningAlg = alg
				cfg.Clients.A, cfg.Clients.B = a, b
				cast, err := castFromConfig(cfg, func(string) string { return "" })
				if err != nil {
					t.Fatal(err)
				}
				p := map[string]mockidp.Party{"A": cast.A, "B": cast.B}[name]
				if p.SigningAlg != alg || check.DefaultAlg(p) != alg {
					t.Fatalf("client %s: registered %q, signs %q by default, want %s", name, p.SigningAlg, check.DefaultAlg(p), alg)
				}
				in, err := reference.Start(reference.Options{Profile: "BASE", Clock: time.Now, Rand: rand.Reader, Cast: cast})
				if err != nil {
					t.Fatal(err)
				}
				defer in.Close()
				tlsCfg, err := reference.ClientTLS()
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				e, err := suites.NewEnv(ctx, suites.Options{Issuer: in.Issuer, Profile: check.BASE, Cast: cast, IdP: in.IdP,
					Clock: time.Now, Since: time.Since, Rand: rand.Reader, TLS: tlsCfg, Timeout: 5 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				tr, err := e.Authenticate(ctx, p)
				if err != nil {
					t.Fatal(err)
				}
				if tr.Status != 200 || tr.AccessToken() == "" {
					t.Fatalf("client %s signing %s: HTTP %d %s", name, alg, tr.Status, tr.Body)
				}
				// The registration is real: another algorithm is refused.
				other := "ES256"
				if alg == "ES256" {
					other = "PS256"
				}
				k, ok := p.KeyFor(other)
				if !ok {
					t.Fatalf("client %s has no %s key", name, other)
				}
				jwt, err := e.ClientAssertion(p, assertion.SignWith(k))
				if err != nil {
					t.Fatal(err)
				}
				tr, err = e.Post(ctx, check.ClientAuthForm(jwt), nil)
				if err != nil {
					t.Fatal(err)
				}
				if tr.Status == 200 || !strings.Contains(string(tr.Body), "invalid_client") {
					t.Fatalf("client %s registered for %s, signing %s: HTTP %d %s, want invalid_client", name, alg, other, tr.Status, tr.Body)
				}
			})
		}
	}
}
