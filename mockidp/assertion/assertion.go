// Package assertion builds JWTs for client authentication (RFC 7523 §2.2,
// private_key_jwt and client_secret_jwt) and for the JWT bearer grant
// (RFC 7523 §2.1), and breaks them on purpose. A Draft is an ordered header
// and claims set plus signing instructions; Mutations change any part of it,
// down to the raw bytes of each segment, before Sign produces the token.
//
// https://datatracker.ietf.org/doc/html/rfc7523#section-3
package assertion

import (
	"crypto"
	"encoding/base64"
	"fmt"
	"io"
	"time"

	"github.com/assayhq/assay/mockidp/keys"
)

// Target holds the values the symbols in mutations resolve to: they depend on
// the server under test, so rows refer to them by symbol (Issuer,
// TokenEndpoint, ...) and they are filled in when a draft is made.
type Target struct {
	Issuer        string // the authorization server's issuer identifier
	TokenEndpoint string
	ClientID      string // the client the assertion speaks for
	OtherClientID string // a second registered client (client B)
	TrustedIssuer string // a trusted grant issuer (IdP-H)
	Subject       string // grant subject (a user known to the target)
}

// Draft is an unsigned JWT plus how to sign it.
type Draft struct {
	Header Object
	Claims Object
	Target Target
	Now    time.Time

	Key    keys.Key // signing key for asymmetric algorithms
	Secret []byte   // MAC key for HS* algorithms

	// SignAlg, when set, is the algorithm used to compute the signature,
	// whatever the header says (algorithm confusion rows).
	SignAlg string
	// RawHeader and RawClaims, when non-nil, are used verbatim as the JSON
	// text of the first and second segment.
	RawHeader, RawClaims []byte
	// EncodeSegment, when set, turns segment bytes into their textual form
	// (non-canonical base64 rows); the signature covers what it returns.
	EncodeSegment func(b []byte) string
	// Signature, when set, replaces the signature computation.
	Signature func(si []byte, d *Draft) ([]byte, error)
	// Finish, when set, transforms the final compact token text.
	Finish func(token string) string
}

// Mutation changes a draft. Mutations run in order, after the defaults.
type Mutation func(*Draft)

// Apply runs mutations on d.
func (d *Draft) Apply(ms ...Mutation) *Draft {
	for _, m := range ms {
		if m != nil {
			m(d)
		}
	}
	return d
}

// Alg is the header's alg value (or "" when absent or not a string).
func (d *Draft) Alg() string { return d.Header.String("alg") }

// HeaderBytes is the JSON text of the header segment.
func (d *Draft) HeaderBytes() []byte {
	if d.RawHeader != nil {
		return d.RawHeader
	}
	return d.Header.Bytes()
}

// ClaimsBytes is the JSON text of the claims segment.
func (d *Draft) ClaimsBytes() []byte {
	if d.RawClaims != nil {
		return d.RawClaims
	}
	return d.Claims.Bytes()
}

// SigningInput is the JWS signing input: the two encoded segments joined by ".".
func (d *Draft) SigningInput() string {
	enc := d.EncodeSegment
	if enc == nil {
		enc = base64.RawURLEncoding.EncodeToString
	}
	return enc(d.HeaderBytes()) + "." + enc(d.ClaimsBytes())
}

// Sign produces the compact serialization.
func (d *Draft) Sign(rand io.Reader) (string, error) {
	si := d.SigningInput()
	var sig []byte
	var err error
	if d.Signature != nil {
		sig, err = d.Signature([]byte(si), d)
	} else {
		alg := d.SignAlg
		if alg == "" {
			alg = d.Alg()
		}
		var priv crypto.PrivateKey
		if !d.Key.IsZero() {
			priv = d.Key.Private()
		}
		sig, err = SignBytes(alg, priv, d.Secret, []byte(si), rand)
	}
	if err != nil {
		return "", fmt.Errorf("sign assertion: %w", err)
	}
	tok := si + "." + base64.RawURLEncoding.EncodeToString(sig)
	if d.Finish != nil {
		tok = d.Finish(tok)
	}
	return tok, nil
}

// NewJTI returns a random jti of 16 bytes, base64url.
func NewJTI(rand io.Reader) (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", fmt.Errorf("make jti: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// ClientParams are the inputs of a default client assertion.
type ClientParams struct {
	Target   Target
	Now      time.Time
	Key      keys.Key // private_key_jwt
	Secret   []byte   // client_secret_jwt (HS256)
	Audience any      // string or []string; the profile default
	Typed    bool     // add typ: client-authentication+jwt (7523bis §4)
	JTI      string
	Lifetime time.Duration // default 60 s
}

// Client returns the default client assertion CA{} of catalog.md §0.2:
// header {alg, kid[, typ]}, claims {iss, sub, aud, jti, iat, exp}.
func Client(p ClientParams) *Draft {
	d := &Draft{Target: p.Target, Now: p.Now, Key: p.Key, Secret: p.Secret}
	if p.Secret != nil && p.Key.IsZero() {
		d.Header = d.Header.Set("alg", "HS256")
	} else {
		d.Header = d.Header.Set("alg", p.Key.Alg()).Set("kid", p.Key.ID())
	}
	if p.Typed {
		d.Header = d.Header.Set("typ", "client-authentication+jwt")
	}
	life := p.Lifetime
	if life == 0 {
		life = 60 * time.Second
	}
	d.Claims = d.Claims.
		Set("iss", p.Target.ClientID).
		Set("sub", p.Target.ClientID).
		Set("aud", p.Audience).
		Set("jti", p.JTI).
		Set("iat", p.Now.Unix()).
		Set("exp", p.Now.Add(life).Unix())
	return d
}

// GrantParams are the inputs of a default grant assertion.
type GrantParams struct {
	Target Target
	Now    time.Time
	Key    keys.Key
	// Secret, with no Key, is the MAC key of an issuer that signs with a
	// shared secret (RFC 7518 §3.2); Alg is then HS256 (default), HS384
	// or HS512.
	Secret []byte
	Alg    string
	// KID is the kid header of a secret-signed assertion (a key names
	// its own).
	KID      string
	Audience any // default: the issuer identifier
	JTI      string
	Lifetime time.Duration // default 300 s
}

// Grant returns the default grant assertion GR{} of catalog.md §0.2:
// {iss: IdP-H, sub: user, aud: issuer, iat, exp, jti}, signed by the
// trusted issuer. The header names the key's kid when it has one.
func Grant(p GrantParams) *Draft {
	d := &Draft{Target: p.Target, Now: p.Now, Key: p.Key}
	switch {
	case p.Key.IsZero() && p.Secret != nil:
		d.Secret = p.Secret
		alg := p.Alg
		if alg == "" {
			alg = "HS256"
		}
		d.Header = d.Header.Set("alg", alg)
	default:
		d.Header = d.Header.Set("alg", p.Key.Alg())
	}
	kid := p.Key.ID()
	if p.Key.IsZero() {
		kid = p.KID
	}
	if kid != "" {
		d.Header = d.Header.Set("kid", kid)
	}
	aud := p.Audience
	if aud == nil {
		aud = p.Target.Issuer
	}
	life := p.Lifetime
	if life == 0 {
		life = 300 * time.Second
	}
	d.Claims = d.Claims.
		Set("iss", p.Target.TrustedIssuer).
		Set("sub", p.Target.Subject).
		Set("aud", aud).
		Set("iat", p.Now.Unix()).
		Set("exp", p.Now.Add(life).Unix()).
		Set("jti", p.JTI)
	return d
}
