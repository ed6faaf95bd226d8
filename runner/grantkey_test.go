package runner

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/runner/config"
)

// TestLoadGrantKey reads every key file format grant.key takes and picks
// the kid and algorithm as documented.
func TestLoadGrantKey(t *testing.T) {
	dir := t.TempDir()
	file := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rsaJWK, err := os.ReadFile("../fixtures/keys/client-a.rs256.jwk.json")
	if err != nil {
		t.Fatal(err)
	}
	rsaKey := keys.MustFixture("client-a.rs256")
	pkcs8, err := x509.MarshalPKCS8PrivateKey(rsaKey.Private())
	if err != nil {
		t.Fatal(err)
	}
	ecKey := keys.MustFixture("client-b.es256")
	sec1, err := x509.MarshalECPrivateKey(ecKey.Private().(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	pub, _ := json.Marshal(rsaKey.Public())
	for _, tc := range []struct {
		name, path, kid, alg   string
		wantKid, wantAlg, acct string
		wantErr                string
	}{
		{name: "JWK, its alg", path: file("a.jwk.json", string(rsaJWK)), alg: "EdDSA", wantKid: "a-rs256", wantAlg: "RS256"},
		{name: "JWK, PS256 fits RSA", path: file("b.jwk.json", string(rsaJWK)), alg: "PS256", wantKid: "a-rs256", wantAlg: "PS256"},
		{name: "JWKS, first key, kid replaced", path: file("s.json", `{"keys":[`+string(rsaJWK)+`]}`), kid: "k1", alg: "RS256", wantKid: "k1", wantAlg: "RS256"},
		{name: "PEM PKCS #8, no kid", path: file("k.pem", pemText), alg: "EdDSA", wantKid: "", wantAlg: "RS256"},
		{name: "PEM SEC 1", path: file("ec.pem", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}))), kid: "ec", alg: "RS256", wantKid: "ec", wantAlg: "ES256"},
		{name: "zitadel key", path: "../fixtures/keys/svc-1.zitadel-key.json", alg: "ES256", wantKid: "svc-1-key", wantAlg: "RS256", acct: "svc-1"},
		{name: "public JWK", path: file("pub.json", string(pub)), wantErr: "needs the private key"},
		{name: "not a key", path: file("x.txt", "hello"), wantErr: "not a JWK, JWK Set, PEM or zitadel key file"},
		{name: "missing", path: filepath.Join(dir, "nope.pem"), wantErr: "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, acct, err := loadGrantKey(tc.path, tc.kid, tc.alg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.ID() != tc.wantKid || k.Alg() != tc.wantAlg || acct != tc.acct {
				t.Errorf("kid %q alg %q account %q, want %q %q %q", k.ID(), k.Alg(), acct, tc.wantKid, tc.wantAlg, tc.acct)
			}
		})
	}
}

// TestGrantIssuer builds the grant issuer each way the grant section
// allows: a key file names the account, a secret signs HS*, a kid renames
// the fixture key.
func TestGrantIssuer(t *testing.T) {
	env := func(name string) string {
		if name == "IDP_SECRET" {
			return "a-shared-secret-of-thirty-two-bytes!"
		}
		return ""
	}
	base := config.Default().Grant
	for _, tc := range []struct {
		name  string
		edit  func(g *config.Grant)
		check func(t *testing.T, c mockidp.Cast)
	}{
		{"zitadel key sets the account", func(g *config.Grant) {
			g.TrustModel, g.Key, g.Subject = config.TrustServiceAccount, "../fixtures/keys/svc-1.zitadel-key.json", "svc-1"
		}, func(t *testing.T, c mockidp.Cast) {
			if k, _ := c.IdPH.Key(""); c.IdPH.ID != "svc-1" || k.ID() != "svc-1-key" || k.Alg() != "RS256" {
				t.Errorf("issuer %q key %q/%q", c.IdPH.ID, k.ID(), k.Alg())
			}
		}},
		{"an explicit issuer wins over the key's account", func(g *config.Grant) {
			g.Key, g.Issuer = "../fixtures/keys/svc-1.zitadel-key.json", "acct-9"
		}, func(t *testing.T, c mockidp.Cast) {
			if c.IdPH.ID != "acct-9" {
				t.Errorf("issuer %q", c.IdPH.ID)
			}
		}},
		{"shared secret", func(g *config.Grant) { g.SecretEnv, g.SigningAlg = "IDP_SECRET", "HS384" }, func(t *testing.T, c mockidp.Cast) {
			if len(c.IdPH.Keys) != 0 || c.IdPH.Secret == "" || c.IdPH.SigningAlg != "HS384" {
				t.Errorf("keys %d secret set %v alg %q", len(c.IdPH.Keys), c.IdPH.Secret != "", c.IdPH.SigningAlg)
			}
			if !slices.Contains(c.Secrets(), c.IdPH.Secret) {
				t.Error("the grant issuer's secret is not among the secrets output must not carry")
			}
		}},
		{"kid renames the fixture key", func(g *config.Grant) { g.KID = "mine" }, func(t *testing.T, c mockidp.Cast) {
			if k, _ := c.IdPH.Key(""); k.ID() != "mine" || k.Alg() != "EdDSA" {
				t.Errorf("key %q/%q", k.ID(), k.Alg())
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := base
			tc.edit(&g)
			c, err := mockidp.FixtureCast()
			if err != nil {
				t.Fatal(err)
			}
			if err := grantIssuer(&c, g, env); err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
	g := base
	g.SecretEnv, g.SigningAlg = "UNSET", "HS256"
	c, _ := mockidp.FixtureCast()
	if err := grantIssuer(&c, g, env); err == nil || !strings.Contains(err.Error(), "UNSET is empty or not set") {
		t.Errorf("unset secret: err = %v", err)
	}
}

// TestTrustInputFollowsTheModel: the trust hook hears of the party that
// signs grants: the client under self-signed with grant.client, its kid
// replaced by grant.kid.
func TestTrustInputFollowsTheModel(t *testing.T) {
	c, err := mockidp.FixtureCast()
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Grant.TrustModel, cfg.Grant.Client, cfg.Grant.KID = config.TrustSelfSigned, "A", "uploaded-cert"
	tr, err := trustInput(cfg, &c, "http://idp.test")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Issuer != c.A.ID || tr.JWKSURI != "http://idp.test"+mockidp.JWKSPath("A") || tr.Kid != "uploaded-cert" || tr.Alg != "ES256" {
		t.Errorf("trust input %+v, want client A's issuer, jwks_uri and ES256 key with kid uploaded-cert", tr)
	}
}
