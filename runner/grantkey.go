package runner

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/runner/config"
)

// grantIssuer makes cast.IdPH the party that signs grant assertions, as
// the grant section says: its identifier, its key (grant.key, IdP-H's
// fixture, or one made for the run) or shared secret (grant.secretEnv).
// Under self-signed with grant.client the client signs and IdP-H keeps
// its defaults.
func grantIssuer(cast *mockidp.Cast, g config.Grant, getenv func(string) string) error {
	cast.IdPH.ID, cast.User = g.Issuer, g.Subject
	switch {
	case g.TrustModel == config.TrustSelfSigned && g.Client != "":
		return grantKey(cast, g.SigningAlg)
	case g.SecretEnv != "":
		secret := getenv(g.SecretEnv)
		if secret == "" {
			return fmt.Errorf("grant.secretEnv: the variable %s is empty or not set", g.SecretEnv)
		}
		cast.IdPH.Keys, cast.IdPH.Secret, cast.IdPH.SigningAlg = nil, secret, g.SigningAlg
		return nil
	case g.Key != "":
		k, account, err := loadGrantKey(g.Key, g.KID, g.SigningAlg)
		if err != nil {
			return fmt.Errorf("grant.key: %w", err)
		}
		cast.IdPH.Keys = keys.Set{k}
		if account != "" && g.Issuer == config.DefaultIssuerH {
			cast.IdPH.ID = account
		}
		return nil
	}
	if err := grantKey(cast, g.SigningAlg); err != nil {
		return err
	}
	if g.KID != "" {
		k, _ := cast.IdPH.Key("")
		cast.IdPH.Keys = keys.Set{k.With(g.KID, k.Alg())}
	}
	return nil
}

// zitadelKey is a service-account key file as zitadel issues it.
type zitadelKey struct {
	Type   string `json:"type"`
	KeyID  string `json:"keyId"`
	Key    string `json:"key"`
	UserID string `json:"userId"`
}

// loadGrantKey reads a private key file: a JWK, a JWK Set (its first
// key), PEM, or a zitadel service-account key (whose userId is returned as
// the account). kid, when set, replaces the key's own; alg is used when it
// fits the key's type, else the key's own algorithm.
func loadGrantKey(path, kid, alg string) (keys.Key, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return keys.Key{}, "", err
	}
	var priv crypto.PrivateKey
	var ownKid, ownAlg, account string
	trimmed := strings.TrimSpace(string(b))
	switch {
	case strings.HasPrefix(trimmed, "-----BEGIN"):
		if priv, err = parsePEMKey([]byte(trimmed)); err != nil {
			return keys.Key{}, "", fmt.Errorf("%s: %w", path, err)
		}
	case strings.HasPrefix(trimmed, "{"):
		var probe struct {
			zitadelKey
			Keys []json.RawMessage `json:"keys"`
		}
		if err := json.Unmarshal(b, &probe); err != nil {
			return keys.Key{}, "", fmt.Errorf("parse %s: %w", path, err)
		}
		raw := json.RawMessage(b)
		switch {
		case probe.Type == "serviceaccount" || probe.Type == "application":
			if priv, err = parsePEMKey([]byte(probe.Key)); err != nil {
				return keys.Key{}, "", fmt.Errorf("%s: key: %w", path, err)
			}
			ownKid, account = probe.KeyID, probe.UserID
		case probe.Keys != nil:
			if len(probe.Keys) == 0 {
				return keys.Key{}, "", fmt.Errorf("%s holds no keys", path)
			}
			raw = probe.Keys[0]
			fallthrough
		default:
			var jwk jose.JSONWebKey
			if err := json.Unmarshal(raw, &jwk); err != nil {
				return keys.Key{}, "", fmt.Errorf("parse %s: %w", path, err)
			}
			if jwk.IsPublic() {
				return keys.Key{}, "", fmt.Errorf("%s: a public key; assay signs, so it needs the private key", path)
			}
			priv, ownKid, ownAlg = jwk.Key, jwk.KeyID, jwk.Algorithm
		}
	default:
		return keys.Key{}, "", fmt.Errorf("%s: not a JWK, JWK Set, PEM or zitadel key file", path)
	}
	fits := algsFor(priv)
	if len(fits) == 0 {
		return keys.Key{}, "", fmt.Errorf("%s: unsupported key type %T (want RSA, EC P-256/P-384 or Ed25519)", path, priv)
	}
	switch {
	case slices.Contains(fits, alg):
	case ownAlg != "" && slices.Contains(fits, ownAlg):
		alg = ownAlg
	default:
		alg = fits[0]
	}
	if kid == "" {
		kid = ownKid
	}
	return keys.New(priv, kid, alg), account, nil
}

// algsFor lists the JWS algorithms a private key signs, the default first
// (RFC 7518 §3.1).
func algsFor(priv crypto.PrivateKey) []string {
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		return []string{"RS256", "PS256"}
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return []string{"ES256"}
		case elliptic.P384():
			return []string{"ES384"}
		}
	case ed25519.PrivateKey:
		return []string{"EdDSA"}
	}
	return nil
}

// parsePEMKey parses the first private key block: PKCS #1, PKCS #8 or
// SEC 1.
func parsePEMKey(b []byte) (crypto.PrivateKey, error) {
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil, errors.New("no PEM private key block")
		}
		switch blk.Type {
		case "RSA PRIVATE KEY":
			return x509.ParsePKCS1PrivateKey(blk.Bytes)
		case "EC PRIVATE KEY":
			return x509.ParseECPrivateKey(blk.Bytes)
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if ek, ok := k.(*ecdsa.PrivateKey); ok && ek != nil {
				return ek, err
			}
			return k, err
		}
	}
}
