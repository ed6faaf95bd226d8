package tokenendpoint

import (
	"net/http"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
)

// RevocationEndpoint is the RFC 7009 revocation endpoint URL.
func (s *Server) RevocationEndpoint() string { return s.cfg.Issuer + "/revoke" }

// revoke is the RFC 7009 token revocation endpoint for the access tokens
// this server issued. The client authenticates as at the token endpoint
// (§2.1) and may revoke only tokens issued to it; a token the server does
// not know, or one already revoked or expired, is answered 200 too (§2.2).
// A revoked token then introspects inactive.
//
// https://datatracker.ietf.org/doc/html/rfc7009#section-2
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	form, rej := s.parseRequest(w, r)
	var c *Client
	anonymous := r.Header.Get("Authorization") == "" && !form.Has("client_assertion") && !form.Has("client_secret")
	if rej == nil && !(anonymous && s.has(defect.RevokeWithoutAuth)) {
		if c, rej = s.authenticate(r, form, false); rej == nil && c == nil {
			rej = invalidClient("client authentication is required")
		}
	}
	raw := form.Get("token")
	if rej == nil && raw == "" {
		rej = invalidRequest("token is required")
	}
	if rej == nil && s.has(defect.RevokeUnsupported) {
		// §2.2.1: the answer of a server that cannot revoke this type.
		rej = reject("unsupported_token_type", "access tokens cannot be revoked")
	}
	if rej == nil {
		if claims, exp, ok := s.accessToken(raw); ok {
			if owner, _ := claims["client_id"].(string); c != nil && owner != c.ID && !s.has(defect.RevokeAnyOwner) {
				rej = reject(oauth.UnauthorizedClient, "the token was issued to another client")
			} else if !s.has(defect.RevokeNoop) {
				s.revoked.add(tokenKey(raw, claims), exp)
			}
		}
	}
	if rej != nil {
		s.writeError(w, rej)
		return
	}
	s.noStore(w)
	w.WriteHeader(http.StatusOK)
}
