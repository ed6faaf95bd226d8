// Package tokenissuer is IdP-V, the token issuer the harness controls for
// verifier targets: discovery, a jwks_uri whose keys rotate (or a shared
// HMAC secret), and RFC 9068 access tokens minted on demand, which the
// target under test must verify (suites/resource shapes them into ID Tokens
// or plain JWTs where the verifier takes those). The reference resource server that takes them lives in
// mockidp/reference/resource.
//
// https://datatracker.ietf.org/doc/html/rfc9068#section-2
package tokenissuer

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/jwks"
	"github.com/assayhq/assay/mockidp/keys"
)

// Config configures an Issuer.
type Config struct {
	ID       string        // issuer identifier: the URL the Handler is served at
	Audience string        // default aud of minted tokens
	Schedule keys.Schedule // key rotation; a zero Period rotates only on RotateNow
	Clock    func() time.Time
	Rand     io.Reader
	Sleep    func(time.Duration) // the JWKS delay knob; nil disables it

	// Alg is the signing algorithm: ES256 (default), RS256, PS256 or EdDSA
	// with rotating keys of that type, or HS256, HS384 or HS512 keyed with
	// Secret (RFC 7518 §3.2: at least as many bytes as the hash output).
	Alg    string
	Secret []byte
	// Typ is the header's typ; default at+jwt (RFC 9068 §2.1).
	Typ string
	// Claims are added to every token (a required Role, a tenant).
	Claims map[string]string
	// Scope is the scope claim; default "read".
	Scope string
	// Iss is the iss claim and the metadata's issuer; default ID. An HMAC
	// verifier compares iss with a configured string, not a URL.
	Iss string
}

// Issuer mints access tokens with rotating keys (or a shared secret) and
// publishes the public keys, with one static RSA key (for the
// algorithm-confusion rows), at ID+"/jwks".
type Issuer struct {
	cfg  Config
	rot  *keys.Rotator
	rsa  keys.Key
	jwks *jwks.Handler
	mux  *http.ServeMux
}

// New returns an issuer whose generation-0 key is current at once.
func New(cfg Config) (*Issuer, error) {
	if cfg.Clock == nil || cfg.Rand == nil {
		return nil, fmt.Errorf("configure issuer %s: clock and rand are required", cfg.ID)
	}
	if cfg.Alg == "" {
		cfg.Alg = "ES256"
	}
	if cfg.Typ == "" {
		cfg.Typ = "at+jwt"
	}
	if cfg.Scope == "" {
		cfg.Scope = "read"
	}
	if cfg.Iss == "" {
		cfg.Iss = cfg.ID
	}
	switch cfg.Alg {
	case "ES256", "RS256", "PS256", "EdDSA":
	case "HS256", "HS384", "HS512":
		if n := hmacMin(cfg.Alg); len(cfg.Secret) < n {
			return nil, fmt.Errorf("configure issuer %s: %s needs a secret of at least %d bytes, have %d (RFC 7518 §3.2)", cfg.ID, cfg.Alg, n, len(cfg.Secret))
		}
	default:
		return nil, fmt.Errorf("configure issuer %s: unsupported algorithm %q (ES256, RS256, PS256, EdDSA, HS256, HS384, HS512)", cfg.ID, cfg.Alg)
	}
	keyAlg := cfg.Alg
	if cfg.Symmetric() {
		keyAlg = "ES256" // published but never used: the secret signs
	}
	rsaKey, err := keys.Fixture("as.ps256")
	if err != nil {
		return nil, fmt.Errorf("configure issuer %s: %w", cfg.ID, err)
	}
	is := &Issuer{cfg: cfg, rsa: rsaKey.With("idp-v-rs", "RS256"), mux: http.NewServeMux()}
	is.rot = keys.NewRotator(cfg.Clock(), cfg.Schedule, cfg.Clock, func(g int) (keys.Key, error) {
		return keys.Generate(keyAlg, "idp-v-"+strconv.Itoa(g), cfg.Rand)
	})
	is.jwks = jwks.New(is.published, 0, cfg.Sleep)
	is.routes()
	return is, nil
}

func (is *Issuer) published() (keys.Set, error) {
	ks, err := is.rot.Published()
	if err != nil {
		return nil, err
	}
	return append(ks, is.rsa), nil
}

// routes lists every path the issuer serves, relative to its ID.
func (is *Issuer) routes() {
	is.mux.HandleFunc("/.well-known/openid-configuration", is.metadata)
	is.mux.HandleFunc("/.well-known/oauth-authorization-server", is.metadata)
	is.mux.Handle("/jwks", is.jwks)
	is.mux.HandleFunc("/mint", is.mint)
}

// ServeHTTP implements http.Handler; mount it at the path of ID (strip the prefix).
func (is *Issuer) ServeHTTP(w http.ResponseWriter, r *http.Request) { is.mux.ServeHTTP(w, r) }

// ID is the URL the issuer is served at.
func (is *Issuer) ID() string { return is.cfg.ID }

// Iss is the issuer identifier its tokens carry (ID unless configured).
func (is *Issuer) Iss() string { return is.cfg.Iss }

// JWKSURI is where the issuer's keys are published.
func (is *Issuer) JWKSURI() string { return is.cfg.ID + "/jwks" }

// Audience is the default aud of minted tokens.
func (is *Issuer) Audience() string { return is.cfg.Audience }

// JWKS is the handler of the published key set (its knobs and hit counter).
func (is *Issuer) JWKS() *jwks.Handler { return is.jwks }

// RotateNow makes the next generation's key current; the previous one stays
// published while the schedule's Retire allows.
func (is *Issuer) RotateNow() { is.rot.RotateNow() }

// Generation is the generation of the current key.
func (is *Issuer) Generation() int { return is.rot.Generation() }

// Key is the key of generation g (also retired ones).
func (is *Issuer) Key(g int) (keys.Key, error) { return is.rot.Key(g) }

// RSAKey is the static RSA key the issuer publishes but never signs with.
func (is *Issuer) RSAKey() keys.Key { return is.rsa }

// hmacMin is the least secret length of an HMAC algorithm (RFC 7518 §3.2:
// the size of the hash output).
func hmacMin(alg string) int {
	switch alg {
	case "HS384":
		return 48
	case "HS512":
		return 64
	}
	return 32
}

// Symmetric says the issuer signs with a shared secret (HS*).
func (c Config) Symmetric() bool { return len(c.Alg) == 5 && c.Alg[:2] == "HS" }

// Symmetric says the issuer signs with a shared secret (HS*): there are no
// keys to rotate or to confuse.
func (is *Issuer) Symmetric() bool { return is.cfg.Symmetric() }

// Alg is the signing algorithm.
func (is *Issuer) Alg() string { return is.cfg.Alg }

// Secret is the shared HMAC secret (nil for asymmetric issuers).
func (is *Issuer) Secret() []byte { return is.cfg.Secret }

// Draft is a valid RFC 9068 access token (§2.1, §2.2), signed by the
// current key (or the secret): header {alg, kid, typ}; claims {iss, sub,
// aud, client_id, scope, iat, exp, jti} and the configured extra claims,
// valid for lifetime.
func (is *Issuer) Draft(now time.Time, jti string, lifetime time.Duration) (*assertion.Draft, error) {
	d := &assertion.Draft{Now: now}
	if is.Symmetric() {
		d.Secret = is.cfg.Secret
		d.Header = d.Header.Set("alg", is.cfg.Alg).Set("typ", is.cfg.Typ)
	} else {
		k, err := is.rot.Current()
		if err != nil {
			return nil, fmt.Errorf("mint access token: %w", err)
		}
		d.Key = k
		d.Header = d.Header.Set("alg", k.Alg()).Set("kid", k.ID()).Set("typ", is.cfg.Typ)
	}
	d.Claims = d.Claims.
		Set("iss", is.cfg.Iss).
		Set("sub", "user1").
		Set("aud", is.cfg.Audience).
		Set("client_id", "client-a").
		Set("scope", is.cfg.Scope).
		Set("iat", now.Unix()).
		Set("exp", now.Add(lifetime).Unix()).
		Set("jti", jti)
	names := make([]string, 0, len(is.cfg.Claims))
	for n := range is.cfg.Claims {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		d.Claims = d.Claims.Set(n, is.cfg.Claims[n])
	}
	return d, nil
}

func (is *Issuer) metadata(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"issuer":                                is.cfg.Iss,
		"jwks_uri":                              is.JWKSURI(),
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{is.cfg.Alg},
	})
}

// mint answers GET /mint?aud=&sub=&scope=&ttl= with a fresh access token
// (test keys only): for teams pointing their own verifier at mockidp.
func (is *Issuer) mint(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ttl := 5 * time.Minute
	if v := q.Get("ttl"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			http.Error(w, "ttl: "+err.Error(), http.StatusBadRequest)
			return
		}
		ttl = d
	}
	jti, err := assertion.NewJTI(is.cfg.Rand)
	if err == nil {
		var d *assertion.Draft
		if d, err = is.Draft(is.cfg.Clock(), jti, ttl); err == nil {
			for _, name := range []string{"aud", "sub", "scope", "client_id"} {
				if v := q.Get(name); v != "" {
					d.Claims = d.Claims.Set(name, v)
				}
			}
			var tok string
			if tok, err = d.Sign(is.cfg.Rand); err == nil {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Cache-Control", "no-store")
				_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int(ttl / time.Second)})
				return
			}
		}
	}
	http.Error(w, "mint: "+err.Error(), http.StatusInternalServerError)
}
