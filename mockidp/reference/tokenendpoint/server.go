// Package tokenendpoint is assay's strict reference authorization server: a
// token endpoint for client_credentials (private_key_jwt, client_secret_jwt,
// client_secret_basic) and the JWT bearer grant (RFC 7523), with RFC 8414 and
// OpenID discovery, its own JWKS, RFC 9068 JWT access tokens, an atomic jti
// replay store, and per-profile audience rules. Every rule can be switched
// off by a named defect (mockidp/defect) so that the self-test can prove each
// check able to fail.
//
// https://datatracker.ietf.org/doc/html/rfc7523
package tokenendpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/profile"
)

// Client is a registered client.
type Client struct {
	ID         string
	AuthMethod string              // private_key_jwt, client_secret_jwt, client_secret_basic
	JWKSURI    string              // where the client's keys are fetched (private_key_jwt)
	JWKS       *jose.JSONWebKeySet // inline keys instead of JWKSURI
	Secret     string              // client_secret_jwt / client_secret_basic
	SigningAlg string              // token_endpoint_auth_signing_alg, "" for any allowed
	Grants     []string            // allowed grant types
	Scopes     []string            // allowed scopes
}

// Issuer is a trusted JWT bearer grant issuer (catalog.md §0.5): an
// external issuer, a client whose registered key signs its own grants
// (self-signed), or a service account (SubjectIsIssuer).
type Issuer struct {
	ID       string
	JWKSURI  string
	JWKS     *jose.JSONWebKeySet
	Subjects []string // users the issuer may assert
	// Secret, when set, is the issuer's shared HS256 key: its assertions
	// are verified with it and no JWKS (RFC 7518 §3.2).
	Secret []byte
	// SubjectIsIssuer makes the issuer a service account: the only sub it
	// may assert is its own ID.
	SubjectIsIssuer bool
}

// Config configures the reference server.
type Config struct {
	Issuer  string          // issuer identifier; the token endpoint is Issuer+"/token"
	Profile profile.Profile // "" is BASE; its rules (profile.Rules) are enforced
	Clock   func() time.Time
	Rand    io.Reader
	HTTP    *http.Client // fetches client and issuer JWKS
	// Pause implements the server's simulated slowness (defect.SlowKid)
	// on its clock: a virtual clock's Advance makes it cost no wall time.
	// Nil waits in real time.
	Pause func(time.Duration)

	Clients []Client
	Issuers []Issuer
	Keys    keys.Set // signing keys for access tokens; the first signs

	// ClockSkew is how far in the future iat/nbf may be, and how far past exp
	// an assertion is still accepted. FAPI 2.0 SP §5.3.2.1 item 13: accept
	// up to 10 s, reject beyond 60 s.
	ClockSkew time.Duration
	// MaxLifetime bounds exp-now of an assertion (RFC 7523 §3 item 4 allows
	// rejecting an exp unreasonably far in the future).
	MaxLifetime time.Duration
	// TokenTTL is the access token lifetime.
	TokenTTL time.Duration
	// KeyCacheTTL is how long fetched JWKS are cached (OIDC Core §10.1.1).
	KeyCacheTTL time.Duration
	// KeyRefetchMin is the least time between two fetches of one JWKS that
	// an unknown kid may trigger (default 1 s).
	KeyRefetchMin time.Duration
	// KeyFetchTimeout bounds one JWKS fetch (default 5 s).
	KeyFetchTimeout time.Duration
	// MaxBody limits the request body (413 beyond).
	MaxBody int64
	// GrantClientAuth: "required", "optional" (default) or "none".
	GrantClientAuth string
	// GrantAudiences, when set, are the only aud values a grant assertion
	// may carry (a server configured with one URL, RFC 7523 §3 item 3);
	// empty means the issuer identifier or the token endpoint URL.
	GrantAudiences []string
	// Resource is the aud of issued access tokens.
	Resource string

	Defects defect.Set
}

// Server is the reference authorization server.
type Server struct {
	cfg     Config
	clients map[string]*Client
	issuers map[string]*Issuer
	keys    *keyCache
	replay  *replayStore
	revoked *revocations // RFC 7009
	reg     *registry    // clients registered at run time (RFC 7591)
	enc     keys.Key     // the published encryption key (jwe.go)
	mux     *http.ServeMux
}

// New validates cfg, fills defaults and returns a server.
func New(cfg Config) (*Server, error) {
	var errs []error
	if cfg.Issuer == "" {
		errs = append(errs, errors.New("issuer: empty"))
	}
	if cfg.Clock == nil {
		errs = append(errs, errors.New("clock: nil"))
	}
	if cfg.Rand == nil {
		errs = append(errs, errors.New("rand: nil"))
	}
	if cfg.HTTP == nil {
		errs = append(errs, errors.New("http client: nil"))
	}
	if len(cfg.Keys) == 0 {
		errs = append(errs, errors.New("keys: none"))
	}
	if cfg.Profile == "" {
		cfg.Profile = profile.BASE
	}
	if _, err := profile.Parse(string(cfg.Profile)); err != nil {
		errs = append(errs, fmt.Errorf("profile: %w", err))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("configure reference server: %w", errors.Join(errs...))
	}
	if cfg.ClockSkew == 0 {
		cfg.ClockSkew = 10 * time.Second
	}
	if cfg.MaxLifetime == 0 {
		cfg.MaxLifetime = time.Hour
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = 5 * time.Minute
	}
	if cfg.KeyCacheTTL == 0 {
		cfg.KeyCacheTTL = 5 * time.Minute
	}
	if cfg.KeyRefetchMin == 0 {
		cfg.KeyRefetchMin = time.Second
	}
	if cfg.KeyFetchTimeout == 0 {
		cfg.KeyFetchTimeout = 5 * time.Second
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 64 << 10
	}
	if cfg.GrantClientAuth == "" {
		cfg.GrantClientAuth = "optional"
	}
	if cfg.Resource == "" {
		cfg.Resource = "https://rs.assay.test"
	}
	if cfg.Defects == nil {
		cfg.Defects = defect.Set{}
	}
	enc, err := loadEncKey()
	if err != nil {
		return nil, fmt.Errorf("configure reference server: encryption key: %w", err)
	}
	s := &Server{cfg: cfg, clients: map[string]*Client{}, issuers: map[string]*Issuer{}, enc: enc}
	for i := range cfg.Clients {
		c := &cfg.Clients[i]
		s.clients[c.ID] = c
	}
	for i := range cfg.Issuers {
		is := &cfg.Issuers[i]
		s.issuers[is.ID] = is
	}
	s.keys = newKeyCache(cfg.HTTP, cfg.Clock, cfg.KeyCacheTTL, cfg.KeyRefetchMin, cfg.KeyFetchTimeout, s.has)
	s.replay = newReplayStore(cfg.Clock)
	s.revoked = newRevocations(cfg.Clock)
	s.reg = newRegistry()
	s.replay.racy = s.has(defect.NonAtomicReplay)
	s.mux = http.NewServeMux()
	s.routes()
	return s, nil
}

// routes lists every path the reference serves.
func (s *Server) routes() {
	s.mux.HandleFunc("/token", s.token)
	s.mux.HandleFunc("/jwks", s.jwks)
	s.mux.HandleFunc("/introspect", s.introspect)
	s.mux.HandleFunc("/revoke", s.revoke)
	s.mux.HandleFunc("/register", s.register)
	s.mux.HandleFunc("/.well-known/openid-configuration", s.metadata)
	if !s.has(defect.NoOAuthMetadata) {
		s.mux.HandleFunc("/.well-known/oauth-authorization-server", s.metadata)
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// KeyCache is the client key cache's timing, defaults filled in: how long
// a fetched JWKS is used, the least time between two unknown-kid refetches,
// and the bound on one fetch.
func (s *Server) KeyCache() (ttl, refetchMin, fetchTimeout time.Duration) {
	return s.cfg.KeyCacheTTL, s.cfg.KeyRefetchMin, s.cfg.KeyFetchTimeout
}

// TokenEndpoint is the token endpoint URL.
func (s *Server) TokenEndpoint() string { return s.cfg.Issuer + "/token" }

func (s *Server) has(d defect.Name) bool { return s.cfg.Defects.Has(d) }

// SigningAlgs are the client authentication algorithms the profile allows
// (profile.Rules.SigningAlgs; FAPI 2.0 SP §5.4.1 limits them to PS256,
// ES256 and EdDSA), or every one the reference implements.
func (s *Server) SigningAlgs() []string {
	if algs := s.cfg.Profile.Rules().SigningAlgs; algs != nil && !s.has(defect.IgnoreAlgAllowlist) {
		return algs
	}
	return []string{"RS256", "PS256", "ES256", "EdDSA", "HS256"}
}

func (s *Server) metadata(w http.ResponseWriter, r *http.Request) {
	if s.has(defect.MetadataNotJSON) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html><body>metadata</body></html>")
		return
	}
	m := s.metadataDocument()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=300")
	_ = json.NewEncoder(w).Encode(m)
}

func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if s.has(defect.JWKSNoKeysArray) {
		_, _ = io.WriteString(w, `{"key":[]}`)
		return
	}
	set := s.cfg.Keys.Public()
	var members []json.RawMessage
	for _, k := range set.Keys {
		b, err := json.Marshal(k)
		if err != nil {
			http.Error(w, "key set unavailable", http.StatusInternalServerError)
			return
		}
		members = append(members, b)
	}
	if s.has(defect.JWKSPrivateMembers) {
		priv := jose.JSONWebKey{Key: s.cfg.Keys[0].Private(), KeyID: s.cfg.Keys[0].ID() + "-leak", Algorithm: s.cfg.Keys[0].Alg(), Use: "sig"}
		pb, err := json.Marshal(priv)
		if err == nil {
			members = append(members, pb)
		}
	}
	if s.has(defect.JWKSDuplicateKid) && len(members) > 1 {
		dup := strings.Replace(string(members[1]), `"kid":"`+s.cfg.Keys[1].ID()+`"`, `"kid":"`+s.cfg.Keys[0].ID()+`"`, 1)
		members[1] = json.RawMessage(dup)
	}
	if s.has(defect.JWKSWeakKey) {
		if weak, err := keys.Fixture("weak.rs1024"); err == nil {
			b, _ := json.Marshal(weak.Public())
			members = append(members, b)
		}
	}
	members = s.jwksExtras(members)
	if b, err := s.encMember(); err == nil {
		members = append(members, b)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": members})
}
