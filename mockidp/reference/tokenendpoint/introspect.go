package tokenendpoint

import (
	"encoding/json"
	"net/http"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
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
	if rej == nil {
		var c *Client
		if c, rej = s.authenticate(r, form, false); rej == nil && c == nil {
			rej = invalidClient("client authentication is required")
		}
	}
	if rej == nil && form.Get("token") == "" {
		rej = invalidRequest("token is required")
	}
	if rej != nil {
		s.writeError(w, rej)
		return
	}
	s.noStore(w)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s.introspection(form.Get("token")))
}

// introspection answers {"active":false} for anything but a live access
// token signed by one of this server's keys (RFC 7662 §2.2).
func (s *Server) introspection(raw string) map[string]any {
	inactive := map[string]any{"active": false}
	algs := []jose.SignatureAlgorithm{}
	for _, k := range s.cfg.Keys {
		algs = append(algs, jose.SignatureAlgorithm(k.Alg()))
	}
	tok, err := jwt.ParseSigned(raw, algs)
	if err != nil || len(tok.Headers) != 1 {
		return inactive
	}
	key, ok := s.cfg.Keys.Find(tok.Headers[0].KeyID)
	if !ok {
		return inactive
	}
	var claims map[string]any
	var std jwt.Claims
	if tok.Claims(key.PublicKey(), &claims, &std) != nil {
		return inactive
	}
	if std.Issuer != s.cfg.Issuer || std.Expiry == nil || !s.cfg.Clock().Before(std.Expiry.Time()) {
		return inactive
	}
	out := map[string]any{"active": true, "token_type": "Bearer"}
	for _, n := range []string{"client_id", "sub", "scope", "exp", "iat", "iss", "aud", "jti"} {
		if v, ok := claims[n]; ok {
			out[n] = v
		}
	}
	return out
}
