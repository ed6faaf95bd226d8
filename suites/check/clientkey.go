package check

import (
	"fmt"
	"strings"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/keys"
)

// NoClient is the N/A reason of every client-assertion row when the config
// names no private_key_jwt client (a grant-only target).
const NoClient = "no private_key_jwt client configured"

// ClientUnavailable is why no row on the client carrier applies to this
// target, or "" when client A can sign a client assertion.
func ClientUnavailable(e *Env) string {
	if e.Cast.A.ID == "" || len(e.Cast.A.Keys) == 0 {
		return NoClient
	}
	return ""
}

// DefaultAlg is the algorithm party p signs with when a row names none: its
// registered token_endpoint_auth_signing_alg, else its default key's.
func DefaultAlg(p mockidp.Party) string {
	if p.SigningAlg != "" {
		return p.SigningAlg
	}
	if k, ok := p.Key(""); ok {
		return k.Alg()
	}
	return ""
}

// KeyOf returns party p's key for alg, chosen by the key's alg, never by its
// place in the set. It is *Inapplicable (N/A with the reason) when p has no
// such key, or when p is registered for another
// token_endpoint_auth_signing_alg: the server must then refuse any other
// algorithm (OpenID Connect Dynamic Client Registration §2), so a row
// signing with it would show only that.
func KeyOf(p mockidp.Party, alg string) (keys.Key, error) {
	if p.SigningAlg != "" && p.SigningAlg != alg {
		return keys.Key{}, &Inapplicable{Reason: fmt.Sprintf("client %s is registered for %s and the row needs a %s key", p.Name, p.SigningAlg, alg)}
	}
	k, ok := p.KeyFor(alg)
	if !ok {
		return keys.Key{}, &Inapplicable{Reason: fmt.Sprintf("client %s has no %s key", p.Name, alg)}
	}
	return k, nil
}

// KeyFor returns party p's key for alg whatever p is registered for (a row
// that signs with an algorithm the client must not use), or *Inapplicable
// when p has none.
func KeyFor(p mockidp.Party, alg string) (keys.Key, error) {
	k, ok := p.KeyFor(alg)
	if !ok {
		return keys.Key{}, &Inapplicable{Reason: fmt.Sprintf("client %s has no %s key", p.Name, alg)}
	}
	return k, nil
}

// SignerOf returns the first configured private_key_jwt client (A, B, then
// P) that may sign with alg (KeyOf), and its key; *Inapplicable naming
// every client's reason when none may.
func SignerOf(e *Env, alg string) (mockidp.Party, keys.Key, error) {
	why := ""
	for _, p := range []mockidp.Party{e.Cast.A, e.Cast.B, e.Cast.P} {
		if p.ID == "" || len(p.Keys) == 0 {
			continue
		}
		k, err := KeyOf(p, alg)
		if err == nil {
			return p, k, nil
		}
		if why != "" {
			why += "; "
		}
		why += err.Error()
	}
	if why == "" {
		why = NoClient
	}
	return mockidp.Party{}, keys.Key{}, &Inapplicable{Reason: why}
}

// OtherKid is a kid of party p that is not kid: another of p's keys, or kid
// with a suffix when p has one key. A row that "changes the kid" must
// change it.
func OtherKid(p mockidp.Party, kid string) string {
	for _, k := range p.Keys {
		if k.ID() != kid && k.ID() != "" {
			return k.ID()
		}
	}
	return kid + "-other"
}

// ForeignKey is a key nobody registered, for alg: the committed attacker
// keys (an RSA key serves RS256 and PS256), or one made for the run for
// EdDSA. A row that shows an unregistered key is refused signs with the
// algorithm the client is registered for, so that only the key is wrong.
func ForeignKey(e *Env, alg string) (keys.Key, error) {
	switch alg {
	case "", "ES256":
		return keys.Fixture("attacker.es256")
	case "RS256", "PS256":
		k, err := keys.Fixture("attacker.rs256")
		return k.With(k.ID(), alg), err
	}
	return keys.Generate(alg, "attacker-"+strings.ToLower(alg), e.Rand)
}
