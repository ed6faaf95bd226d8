// Package mockidp is everything the harness controls on the far side of an
// exchange: the parties it plays (clients A, B, P, H, S and the trusted
// grant issuers IdP-H and IdP-K) and the JWKS it hosts for them, so that it
// can rotate keys, serve bad key sets and count fetches.
package mockidp

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/assayhq/assay/fixtures"
	"github.com/assayhq/assay/mockidp/jwks"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/oauth"
)

// Party is a client or a grant issuer the harness plays.
type Party struct {
	Name       string   // A, B, P, H, S, IdP-H, IdP-K
	ID         string   // client_id, or the issuer identifier
	AuthMethod string   // clients: private_key_jwt, client_secret_jwt, client_secret_basic
	Keys       keys.Set // private keys; the first is the default signing key
	Secret     string   // client_secret_jwt and client_secret_basic; a grant issuer's MAC key
	SigningAlg string   // registered token_endpoint_auth_signing_alg, if any; a grant issuer's HS* with Secret
}

// Key returns the party's key with kid, or its default key when kid is "".
func (p Party) Key(kid string) (keys.Key, bool) {
	if kid == "" {
		if len(p.Keys) == 0 {
			return keys.Key{}, false
		}
		return p.Keys[0], true
	}
	return p.Keys.Find(kid)
}

// KeyFor returns the party's first key for alg.
func (p Party) KeyFor(alg string) (keys.Key, bool) {
	for _, k := range p.Keys {
		if k.Alg() == alg {
			return k, true
		}
	}
	return keys.Key{}, false
}

// Cast is the full set of parties of a run (catalog.md §0.4).
type Cast struct {
	A, B, P, H, S Party
	IdPH, IdPK    Party
	User          string // a user IdP-H may assert (grant sub)
	// Spares are clients registered like A, each with a key set of its
	// own (WithSpares): the rotation scenarios run on them, one each, so
	// that they can wait on the target's key cache side by side.
	Spares []Party
}

// WithSpares adds n spare clients modelled on A: the same authentication
// method, algorithm and keys, client_id <A's>-spare<i> and a key set of
// their own, hosted as party "A<i>".
func (c Cast) WithSpares(n int) Cast {
	c.Spares = append([]Party(nil), c.Spares...)
	for i := len(c.Spares) + 1; len(c.Spares) < n; i++ {
		sp := c.A
		sp.Name, sp.ID = fmt.Sprintf("%s%d", c.A.Name, i), fmt.Sprintf("%s-spare%d", c.A.ID, i)
		c.Spares = append(c.Spares, sp)
	}
	return c
}

// Secrets lists the shared secrets of the cast (clients H and S, and a
// grant issuer that signs with one), the values no output may carry.
func (c Cast) Secrets() []string {
	var out []string
	for _, p := range []Party{c.H, c.S, c.IdPH} {
		if p.Secret != "" {
			out = append(out, p.Secret)
			out = append(out, BasicCredentials(p.ID, p.Secret)...)
		}
	}
	return out
}

// BasicCredentials lists the spellings of a client's HTTP Basic credentials
// a server may log: base64 of "id:secret" with each part form-encoded
// (RFC 6749 §2.3.1) and raw, standard and URL-safe, padded and not.
func BasicCredentials(id, secret string) []string {
	var out []string
	seen := map[string]bool{}
	for _, pair := range []string{url.QueryEscape(id) + ":" + url.QueryEscape(secret), id + ":" + secret} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if v := enc.EncodeToString([]byte(pair)); !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

// Parties lists the parties that publish keys.
func (c Cast) Parties() []Party {
	return append([]Party{c.A, c.B, c.P, c.IdPH, c.IdPK}, c.Spares...)
}

// FixtureCast is the cast built from the committed test-only fixtures.
func FixtureCast() (Cast, error) {
	load := func(names ...string) (keys.Set, error) {
		var s keys.Set
		for _, n := range names {
			k, err := keys.Fixture(n)
			if err != nil {
				return nil, err
			}
			s = append(s, k)
		}
		return s, nil
	}
	var c Cast
	var err error
	mk := func(name, id, method string, keyNames ...string) Party {
		if err != nil {
			return Party{}
		}
		var ks keys.Set
		ks, err = load(keyNames...)
		return Party{Name: name, ID: id, AuthMethod: method, Keys: ks}
	}
	c.A = mk("A", "client-a", oauth.AuthPrivateKeyJWT, "client-a.es256", "client-a.ps256", "client-a.rs256", "client-a.eddsa",
		// Last, so that no default pick lands on them: an algorithm nobody
		// advertises (A-JO-04) and a key marked for encryption (A-JO-23).
		"client-a.es384", "client-a.enc-es256")
	c.B = mk("B", "client-b", oauth.AuthPrivateKeyJWT, "client-b.es256", "client-b.ps256", "client-b.rs256", "client-b.eddsa")
	c.P = mk("P", "client-p", oauth.AuthPrivateKeyJWT, "client-p.ps256", "client-p.es256")
	c.P.SigningAlg = "PS256"
	c.IdPH = mk("IdP-H", "https://idp-h.assay.test", "", "idp-h.eddsa")
	c.IdPK = mk("IdP-K", "https://idp-k.assay.test", "", "idp-k.es256")
	if err != nil {
		return Cast{}, fmt.Errorf("load fixture cast: %w", err)
	}
	c.H = Party{Name: "H", ID: "client-h", AuthMethod: oauth.AuthClientSecretJWT}
	if c.H.Secret, err = fixtures.Secret("client-h"); err != nil {
		return Cast{}, err
	}
	c.S = Party{Name: "S", ID: "client-s", AuthMethod: oauth.AuthClientSecretBasic}
	if c.S.Secret, err = fixtures.Secret("client-s"); err != nil {
		return Cast{}, err
	}
	c.User = "user1"
	return c, nil
}

// Config configures the mock IdP.
type Config struct {
	Parties []Party
	MaxAge  time.Duration       // Cache-Control max-age of every JWKS
	Sleep   func(time.Duration) // implements JWKS delays; nil disables them
}

// IdP hosts one JWKS per party at JWKSPath(party name).
type IdP struct {
	mux  *http.ServeMux
	sets map[string]*jwks.Handler
}

// New returns a mock IdP.
func New(cfg Config) *IdP {
	m := &IdP{mux: http.NewServeMux(), sets: map[string]*jwks.Handler{}}
	for _, p := range cfg.Parties {
		if p.Name == "" {
			continue // a client the config does not name
		}
		h := jwks.New(jwks.Static(p.Keys...), cfg.MaxAge, cfg.Sleep)
		m.sets[p.Name] = h
		m.mux.Handle(JWKSPath(p.Name), h)
	}
	m.mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	return m
}

// JWKSPath is where the party's key set is served.
func JWKSPath(name string) string { return "/jwks/" + strings.ToLower(name) + ".json" }

// JWKS returns the handler of a party's key set (its knobs), or nil.
func (m *IdP) JWKS(name string) *jwks.Handler { return m.sets[name] }

// ServeHTTP implements http.Handler.
func (m *IdP) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.mux.ServeHTTP(w, r) }
