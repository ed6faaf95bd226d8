package runner

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/runner/config"
)

// castFromConfig builds the parties from the config: IDs from the file,
// keys from the fixtures, fresh, or a private JWKS file; secrets from the
// environment.
func castFromConfig(cfg config.Config, getenv func(string) string) (mockidp.Cast, error) {
	cast, err := mockidp.FixtureCast()
	if err != nil || cfg.VerifierOnly() {
		// A verifier-only target knows no clients: the fixture cast is
		// served but never used.
		return cast, err
	}
	party := func(base mockidp.Party, c *config.Client) (mockidp.Party, error) {
		if c == nil {
			return mockidp.Party{}, nil
		}
		p := base
		p.ID = c.ID
		switch c.Keys {
		case "", config.KeysFixture:
		case config.KeysGenerate:
			k, err := keys.Generate(c.SigningAlg, strings.ToLower(base.Name)+"-"+strings.ToLower(c.SigningAlg)+"-run", rand.Reader)
			if err != nil {
				return p, err
			}
			p.Keys = keys.Set{k}
		default:
			ks, err := loadPrivateJWKS(c.Keys)
			if err != nil {
				return p, fmt.Errorf("clients.%s.keys: %w", base.Name, err)
			}
			p.Keys = ks
		}
		// The registered signing algorithm's key signs by default, and the
		// client is registered for it (token_endpoint_auth_signing_alg):
		// rows that need another algorithm pick another client or are N/A.
		p.Keys = append(keys.Set(nil), p.Keys...)
		found := false
		for i, k := range p.Keys {
			if k.Alg() == c.SigningAlg {
				p.Keys[0], p.Keys[i] = p.Keys[i], p.Keys[0]
				found = true
				break
			}
		}
		if c.SigningAlg != "" && !found {
			return p, fmt.Errorf("clients.%s.keys: no %s key for clients.%s.signingAlg", base.Name, c.SigningAlg, base.Name)
		}
		p.SigningAlg = c.SigningAlg
		return p, nil
	}
	if cast.A, err = party(cast.A, cfg.Clients.A); err != nil {
		return cast, err
	}
	if cast.B, err = party(cast.B, cfg.Clients.B); err != nil {
		return cast, err
	}
	if cast.P, err = party(cast.P, cfg.Clients.P); err != nil {
		return cast, err
	}
	// Spare clients are registered like A, with its keys and algorithm
	// and a key set of their own each; static registration names them.
	cast = cast.WithSpares(cfg.Clients.SpareCount())
	for i, id := range cfg.Clients.SpareIDs {
		cast.Spares[i].ID = id
	}
	secret := func(base mockidp.Party, c *config.SecretClient) mockidp.Party {
		if c == nil {
			return mockidp.Party{}
		}
		base.ID, base.Secret = c.ID, getenv(c.SecretEnv)
		return base
	}
	cast.H, cast.S = secret(cast.H, cfg.Clients.H), secret(cast.S, cfg.Clients.S)
	return cast, grantIssuer(&cast, cfg.Grant, getenv)
}

// grantKey gives IdP-H a signing key for alg (grant.signingAlg). Only the
// EdDSA key is a fixture; another algorithm's key is made for the run and
// published at IdP-H's jwks_uri like the fixture. An HS* algorithm signs
// with a secret (grant.secretEnv) and needs no key.
func grantKey(cast *mockidp.Cast, alg string) error {
	if alg == "" || strings.HasPrefix(alg, "HS") {
		return nil
	}
	if _, ok := cast.IdPH.KeyFor(alg); ok {
		return nil
	}
	k, err := keys.Generate(alg, "idp-h-"+strings.ToLower(alg)+"-run", rand.Reader)
	if err != nil {
		return fmt.Errorf("grant.signingAlg: %w", err)
	}
	cast.IdPH.Keys = keys.Set{k}
	return nil
}

func loadPrivateJWKS(path string) (keys.Set, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	var ks keys.Set
	for i, raw := range doc.Keys {
		k, err := keys.ParseJWK(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: key %d: %w", path, i, err)
		}
		ks = append(ks, k)
	}
	if len(ks) == 0 {
		return nil, fmt.Errorf("%s holds no keys", path)
	}
	return ks, nil
}
