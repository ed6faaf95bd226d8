package tokenendpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/assayhq/assay/mockidp/defect"
)

// introspect is a minimal RFC 7662 token introspection endpoint for the
// access tokens this server issued. Callers authenticate as clients, by the
// same rules as at the token endpoint (client assertions included), so the
// endpoint doubles as the principal oracle of catalog.md §0.4 and as a
// second endpoint URL for the audience rows (A-CA-10).
//
// https://datatracker.ietf.org/doc/html/rfc7662#section-2
func (s *Server) introspect(w http.ResponseWriter, r *http.Request) {
	form, rej := s.parseRequest(w, r)
	// RFC 7662 §2.1: the endpoint MUST require authorization, so that
	// tokens cannot be scanned.
	anonymous := r.Header.Get("Authorization") == "" && !form.Has("client_assertion") && !form.Has("client_secret")
	if rej == nil && !(anonymous && s.has(defect.IntrospectWithoutAuth)) {
		var c *Client
		if c, rej = s.authenticate(r, form, false); rej == nil && c == nil {
			rej = invalidClient("client authentication is required")
		}
	}
	if rej == nil && form.Get("token") == "" {
		rej = invalidRequest("token is required")
	}
	var body map[string]any
	if rej == nil {
		body, rej = s.introspection(form.Get("token"))
	}
	if rej != nil {
		s.writeError(w, rej)
		return
	}
	s.noStore(w)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

// introspection answers {"active":false} for anything but a live, unrevoked
// access token signed by one of this server's keys (RFC 7662 §2.2: also for
// a token that "does not exist on this server").
func (s *Server) introspection(raw string) (map[string]any, *rejection) {
	inactive := map[string]any{"active": false}
	claims, exp, ok := s.accessToken(raw)
	if !ok {
		if s.has(defect.IntrospectUnknownError) && claims == nil {
			return nil, invalidRequest("the token is not a JWT this server can read")
		}
		return inactive, nil
	}
	if !s.has(defect.IntrospectIgnoreExpiry) && !s.cfg.Clock().Before(exp) {
		return inactive, nil
	}
	if s.revoked.has(tokenKey(raw, claims)) {
		return inactive, nil
	}
	var active any = true
	if s.has(defect.IntrospectActiveString) {
		active = "true"
	}
	out := map[string]any{"active": active, "token_type": "Bearer"}
	for _, n := range []string{"client_id", "sub", "scope", "exp", "iat", "iss", "aud", "jti"} {
		if v, ok := claims[n]; ok {
			out[n] = v
		}
	}
	return out, nil
}

// accessToken reads raw as an access token this server issued: a JWS by one
// of its keys, its issuer, an exp. It returns the claims and exp, and ok
// when all of that holds; claims is nil when raw is not even a JWS.
func (s *Server) accessToken(raw string) (map[string]any, time.Time, bool) {
	algs := []jose.SignatureAlgorithm{}
	for _, k := range s.cfg.Keys {
		algs = append(algs, jose.SignatureAlgorithm(k.Alg()))
	}
	tok, err := jwt.ParseSigned(raw, algs)
	if err != nil || len(tok.Headers) != 1 {
		return nil, time.Time{}, false
	}
	var claims map[string]any
	var std jwt.Claims
	if s.has(defect.IntrospectNoSignature) {
		err = tok.UnsafeClaimsWithoutVerification(&claims, &std)
	} else if key, found := s.cfg.Keys.Find(tok.Headers[0].KeyID); found {
		err = tok.Claims(key.PublicKey(), &claims, &std)
	} else {
		return map[string]any{}, time.Time{}, false
	}
	if err != nil {
		return map[string]any{}, time.Time{}, false
	}
	if std.Issuer != s.cfg.Issuer || std.Expiry == nil {
		return claims, time.Time{}, false
	}
	return claims, std.Expiry.Time(), true
}

// tokenKey names a token in the revocation list: its jti, or a hash of the
// token when it has none.
func tokenKey(raw string, claims map[string]any) string {
	if jti, ok := claims["jti"].(string); ok && jti != "" {
		return "jti:" + jti
	}
	h := sha256.Sum256([]byte(raw))
	return "sha256:" + hex.EncodeToString(h[:])
}

// revocations are the tokens revoked (RFC 7009 §2), each kept until it
// would have expired anyway.
type revocations struct {
	clock func() time.Time
	mu    sync.Mutex
	until map[string]time.Time
}

func newRevocations(clock func() time.Time) *revocations {
	return &revocations{clock: clock, until: map[string]time.Time{}}
}

func (r *revocations) add(key string, exp time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clock()
	for k, t := range r.until {
		if !now.Before(t) {
			delete(r.until, k)
		}
	}
	r.until[key] = exp
}

func (r *revocations) has(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.until[key]
	return ok
}
