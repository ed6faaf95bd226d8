// Package keys loads and generates the signing keys the mock IdP and the
// harness use: RSA (RS256, PS256; at least 2048 bits unless a row is about
// weak keys), ECDSA P-256 (ES256) and Ed25519 (EdDSA).
package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/fixtures"
)

// Key is a private signing key with its key id and algorithm.
type Key struct {
	jwk jose.JSONWebKey
}

// New wraps a private key. alg is the JWS algorithm the key is meant for.
func New(priv crypto.PrivateKey, kid, alg string) Key {
	return Key{jwk: jose.JSONWebKey{Key: priv, KeyID: kid, Algorithm: alg, Use: "sig"}}
}

// ParseJWK parses a private JWK (JSON).
func ParseJWK(b []byte) (Key, error) {
	var jwk jose.JSONWebKey
	if err := json.Unmarshal(b, &jwk); err != nil {
		return Key{}, fmt.Errorf("parse jwk: %w", err)
	}
	if jwk.IsPublic() {
		return Key{}, fmt.Errorf("parse jwk %q: not a private key", jwk.KeyID)
	}
	return Key{jwk: jwk}, nil
}

// Fixture loads the committed test-only key fixtures/keys/NAME.jwk.json.
func Fixture(name string) (Key, error) {
	b, err := fixtures.KeyJSON(name)
	if err != nil {
		return Key{}, err
	}
	return ParseJWK(b)
}

// MustFixture is Fixture for package-internal wiring and tests; it panics on
// a missing fixture, which is a build defect, not a runtime condition.
func MustFixture(name string) Key {
	k, err := Fixture(name)
	if err != nil {
		panic(err)
	}
	return k
}

// Generate makes a fresh key for alg using rand. kid names it.
func Generate(alg, kid string, rand io.Reader) (Key, error) {
	var priv crypto.PrivateKey
	var err error
	switch alg {
	case "RS256", "PS256", "RS384", "PS384", "RS512", "PS512":
		priv, err = rsa.GenerateKey(rand, 2048)
	case "ES256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand)
	case "ES384":
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand)
	case "EdDSA":
		_, priv, err = ed25519.GenerateKey(rand)
	default:
		return Key{}, fmt.Errorf("generate key: unsupported algorithm %q", alg)
	}
	if err != nil {
		return Key{}, fmt.Errorf("generate %s key: %w", alg, err)
	}
	return New(priv, kid, alg), nil
}

// ID is the key id.
func (k Key) ID() string { return k.jwk.KeyID }

// Alg is the JWS algorithm the key is meant for.
func (k Key) Alg() string { return k.jwk.Algorithm }

// Private is the private key (*rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey).
func (k Key) Private() crypto.PrivateKey { return k.jwk.Key }

// PublicKey is the public half as a Go crypto key.
func (k Key) PublicKey() crypto.PublicKey { return k.jwk.Public().Key }

// Public is the public JWK, safe to publish.
func (k Key) Public() jose.JSONWebKey { return k.jwk.Public() }

// IsZero reports whether k holds no key.
func (k Key) IsZero() bool { return k.jwk.Key == nil }

// With returns a copy of k with a different kid and alg (same key material).
func (k Key) With(kid, alg string) Key {
	c := k
	c.jwk.KeyID, c.jwk.Algorithm = kid, alg
	return c
}

// Set is an ordered list of keys.
type Set []Key

// Public returns the public JWK Set.
func (s Set) Public() jose.JSONWebKeySet {
	out := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(s))}
	for _, k := range s {
		out.Keys = append(out.Keys, k.Public())
	}
	return out
}

// Find returns the key with kid.
func (s Set) Find(kid string) (Key, bool) {
	for _, k := range s {
		if k.ID() == kid {
			return k, true
		}
	}
	return Key{}, false
}
