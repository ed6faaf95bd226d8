package negative

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/suites/check"
)

// Crafting primitives of catalog.md §3 that the rows share. Header and
// claims stay ordered member lists (assertion.Object), so duplicates, odd
// types and raw bytes survive; signatures come from the standard library.

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// raw is a literal JSON value, kept byte for byte.
func raw(s string) json.RawMessage { return json.RawMessage(s) }

// resign replaces the signature by f applied to a correct one: the bytes
// attacks of B.2 start from a valid signature and break its encoding.
func resign(rand io.Reader, f func(sig []byte, d *assertion.Draft) ([]byte, error)) assertion.Mutation {
	return func(d *assertion.Draft) {
		d.Signature = func(si []byte, d *assertion.Draft) ([]byte, error) {
			sig, err := assertion.SignBytes(d.Alg(), d.Key.Private(), d.Secret, si, rand)
			if err != nil {
				return nil, err
			}
			return f(sig, d)
		}
	}
}

// fixedSig sets the signature bytes outright.
func fixedSig(f func(d *assertion.Draft) []byte) assertion.Mutation {
	return func(d *assertion.Draft) {
		d.Signature = func([]byte, *assertion.Draft) ([]byte, error) { return f(d), nil }
	}
}

// finish edits the compact token text after signing.
func finish(f func(tok string) string) assertion.Mutation { return assertion.Finish(f) }

// segments splits a compact token.
func segments(tok string) []string { return strings.Split(tok, ".") }

// replaceSegment swaps segment i of the token for the base64url of text,
// keeping the other segments (and so the now-wrong signature).
func replaceSegment(i int, text func(d *assertion.Draft) []byte) assertion.Mutation {
	return func(d *assertion.Draft) {
		d.Finish = func(tok string) string {
			p := segments(tok)
			p[i] = b64(text(d))
			return strings.Join(p, ".")
		}
	}
}

// ecKey is the draft's EC private key (client A's default key is ES256).
func ecKey(d *assertion.Draft) (*ecdsa.PrivateKey, error) {
	k, ok := d.Key.Private().(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("sign ES256 bytes: need an EC key, have %T", d.Key.Private())
	}
	return k, nil
}

// digest is SHA-256 of the signing input.
func digest(si []byte) []byte {
	h := sha256.Sum256(si)
	return h[:]
}

// keyOf returns party p's key for alg, or N/A when p has none or is
// registered for another algorithm (check.KeyOf).
func keyOf(p mockidp.Party, alg string) (keys.Key, error) { return check.KeyOf(p, alg) }

// withKey is an mk that looks up party p's key for alg and builds the
// mutations from it: a row that signs with that key.
func withKey(p func(c mockidp.Cast) mockidp.Party, alg string, more func(k keys.Key) []assertion.Mutation) func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
	return func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
		k, err := keyOf(p(e.Cast), alg)
		if err != nil {
			return nil, err
		}
		return more(k), nil
	}
}

// withPublicKey is withKey for a row that uses only the published public
// key (an HMAC secret made of it), whatever algorithm p is registered for.
func withPublicKey(p func(c mockidp.Cast) mockidp.Party, alg string, more func(k keys.Key) []assertion.Mutation) func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
	return func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
		k, err := check.KeyFor(p(e.Cast), alg)
		if err != nil {
			return nil, err
		}
		return more(k), nil
	}
}

// es256 is an mk that signs client A's assertion with A's ES256 key, then
// applies ms: the rows that break an ECDSA P-256 signature need one, whatever
// A signs with by default; N/A when A has none or is registered for another
// algorithm.
func es256(ms ...assertion.Mutation) func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
	return withKey(partyA, "ES256", func(k keys.Key) []assertion.Mutation {
		return append([]assertion.Mutation{assertion.SignWith(k)}, ms...)
	})
}

// likeA is party p's key for the algorithm client A signs with, so that
// an assertion of A keeps its header and is signed by p's key.
func likeA(e *check.Env, p mockidp.Party) (keys.Key, error) {
	return check.KeyFor(p, check.DefaultAlg(e.Cast.A))
}

func partyA(c mockidp.Cast) mockidp.Party { return c.A }

// authenticateAs sends a client assertion of party p.
func authenticateAs(p func(c mockidp.Cast) mockidp.Party, mk func(e *check.Env) ([]assertion.Mutation, error)) check.Sender {
	return func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
		var ms []assertion.Mutation
		if mk != nil {
			var err error
			if ms, err = mk(e); err != nil {
				return nil, err
			}
		}
		return e.Authenticate(ctx, p(e.Cast), ms...)
	}
}

// signed builds the token for carrier c with mutations, without sending it.
func signed(e *check.Env, c check.Carrier, ms ...assertion.Mutation) (string, error) {
	if c == check.Grant {
		return e.GrantAssertion(ms...)
	}
	return e.ClientAssertion(e.Cast.A, ms...)
}

// post sends a finished token on carrier c.
func post(ctx context.Context, e *check.Env, c check.Carrier, tok string) (*client.Transcript, error) {
	if c == check.Grant {
		f, err := e.GrantForm(tok)
		if err != nil {
			return nil, err
		}
		return e.Post(ctx, f, nil)
	}
	return e.Post(ctx, check.ClientAuthForm(tok), nil)
}

// variant is the ID of the i-th variant of a row: "B-ALG-02.1".
func variant(id string, i int) string { return fmt.Sprintf("%s.%d", id, i+1) }

func quote(s string) string { return `"` + s + `"` }

// ecPoint is the public point of an EC key, uncompressed (0x04||x||y) or bare.
func ecPoint(k keys.Key, prefix bool) []byte {
	pub, ok := k.PublicKey().(*ecdsa.PublicKey)
	if !ok {
		return nil
	}
	b, err := pub.Bytes() // 0x04 || x || y
	if err != nil {
		return nil
	}
	if prefix {
		return b
	}
	return b[1:]
}

// otherPrincipal names someone the assertion does not speak for: client B
// in a client assertion, a second user in a grant.
func otherPrincipal(d *assertion.Draft) any {
	if d.Claims.String("iss") == d.Target.TrustedIssuer {
		return "user2"
	}
	return d.Target.OtherClientID
}
