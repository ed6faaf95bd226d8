package tokenendpoint

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
)

// maxRegistered bounds the clients open registration may create.
const maxRegistered = 10000

// registry holds the clients registered at run time through RFC 7591
// dynamic registration; the configured clients stay in Server.clients.
type registry struct {
	mu sync.RWMutex
	m  map[string]*Client
}

func newRegistry() *registry { return &registry{m: map[string]*Client{}} }

// client returns the configured or registered client with id, or nil.
func (s *Server) client(id string) *Client {
	if c := s.clients[id]; c != nil {
		return c
	}
	s.reg.mu.RLock()
	defer s.reg.mu.RUnlock()
	return s.reg.m[id]
}

// registration is the client metadata the reference reads (RFC 7591 §2).
type registration struct {
	ClientID    string              `json:"client_id"` // proposed; the server assigns its own
	AuthMethod  string              `json:"token_endpoint_auth_method"`
	SigningAlg  string              `json:"token_endpoint_auth_signing_alg"`
	GrantTypes  []string            `json:"grant_types"`
	JWKS        *jose.JSONWebKeySet `json:"jwks"`
	JWKSURI     string              `json:"jwks_uri"`
	SoftwareID  string              `json:"software_id"`
	ClientName  string              `json:"client_name"`
	RedirectURI []string            `json:"redirect_uris"`
}

// register is open RFC 7591 dynamic client registration for confidential
// clients. The server assigns client_id (a client cannot pick one that looks
// like a user's sub, RFC 9700 §4.15.1) and issues secrets of 32 random
// octets, enough for HS256 (RFC 7518 §3.2). Keys are taken inline only: the
// reference fetches JWKS from its own mock IdP, never from a URL a stranger
// names.
//
// https://datatracker.ietf.org/doc/html/rfc7591#section-3
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	var md registration
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	if err != nil || json.Unmarshal(body, &md) != nil {
		s.registrationError(w, "invalid_client_metadata", "the body must be a JSON object of client metadata")
		return
	}
	c, desc := s.newClient(md)
	if c == nil {
		s.registrationError(w, "invalid_client_metadata", desc)
		return
	}
	s.reg.mu.Lock()
	full := len(s.reg.m) >= maxRegistered
	if !full {
		s.reg.m[c.ID] = c
	}
	s.reg.mu.Unlock()
	if full {
		s.registrationError(w, "invalid_client_metadata", "no more registrations")
		return
	}
	out := map[string]any{
		"client_id": c.ID, "client_id_issued_at": s.cfg.Clock().Unix(),
		"token_endpoint_auth_method": c.AuthMethod, "grant_types": c.Grants,
	}
	if c.Secret != "" {
		out["client_secret"], out["client_secret_expires_at"] = c.Secret, 0
	}
	if c.SigningAlg != "" {
		out["token_endpoint_auth_signing_alg"] = c.SigningAlg
	}
	s.noStore(w)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(out)
}

// newClient applies the registration rules; it returns nil and why on refusal.
func (s *Server) newClient(md registration) (*Client, string) {
	if md.AuthMethod == "" {
		md.AuthMethod = oauth.AuthClientSecretBasic // RFC 7591 §2 default
	}
	switch md.AuthMethod {
	case oauth.AuthPrivateKeyJWT:
		if md.JWKS == nil || len(md.JWKS.Keys) == 0 {
			return nil, "private_key_jwt needs inline jwks"
		}
	case oauth.AuthClientSecretJWT, oauth.AuthClientSecretBasic:
		if s.cfg.Profile.Rules().PrivateKeyJWTOnly {
			return nil, "FAPI 2.0 allows private_key_jwt only"
		}
	default:
		return nil, "unsupported token_endpoint_auth_method (confidential clients only)"
	}
	switch {
	case md.JWKSURI != "" && md.JWKS != nil && s.has(defect.AcceptJWKSAndURI):
		// The inline keys win and jwks_uri is silently dropped.
	case md.JWKSURI != "" && md.JWKS != nil:
		return nil, "jwks and jwks_uri must not both be present"
	case md.JWKSURI != "":
		return nil, "jwks_uri is not accepted here; send jwks"
	}
	if len(md.GrantTypes) == 0 {
		md.GrantTypes = []string{oauth.GrantClientCreds}
	}
	for _, g := range md.GrantTypes {
		if g != oauth.GrantClientCreds && g != oauth.GrantJWTBearer {
			return nil, "unsupported grant_types"
		}
	}
	rnd, err := s.random(16)
	if err != nil {
		return nil, "registration is unavailable"
	}
	id := "dyn-" + rnd
	if md.ClientID != "" && s.has(defect.HonorProposedClientID) && s.client(md.ClientID) == nil {
		id = md.ClientID
	}
	c := &Client{ID: id, AuthMethod: md.AuthMethod, SigningAlg: md.SigningAlg, Grants: md.GrantTypes, Scopes: []string{"read", "write"}}
	if md.JWKS != nil {
		b, err := json.Marshal(md.JWKS)
		if err != nil {
			return nil, "jwks does not encode"
		}
		ks, err := parseKeySet(b, false, false)
		if err != nil || len(ks) == 0 || len(ks) != len(md.JWKS.Keys) {
			// OIDC Registration §2: no private or symmetric keys in jwks.
			return nil, "jwks must hold public keys only"
		}
		c.JWKS = &jose.JSONWebKeySet{Keys: ks}
	}
	if md.AuthMethod != oauth.AuthPrivateKeyJWT {
		n := 32
		if s.has(defect.ShortClientSecret) {
			n = 12
		}
		if c.Secret, err = s.random(n); err != nil {
			return nil, "registration is unavailable"
		}
	}
	return c, ""
}

// random is n random octets, base64url: the text is longer than n octets.
func (s *Server) random(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (s *Server) registrationError(w http.ResponseWriter, code, desc string) {
	s.noStore(w)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}
