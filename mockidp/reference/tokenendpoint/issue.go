package tokenendpoint

import (
	"encoding/base64"
	"io"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
)

// issue mints an RFC 9068 JWT access token for sub, issued to clientID.
//
// https://datatracker.ietf.org/doc/html/rfc9068#section-2
func (s *Server) issue(sub, clientID, scope string) (*oauth.TokenResponse, *rejection) {
	now := s.cfg.Clock()
	key := s.cfg.Keys[0]
	typ := oauth.TypAccess
	if s.has(defect.AccessTokenUntyped) {
		typ = "JWT"
	}
	kid := key.ID()
	if s.has(defect.AccessTokenUnknownKid) {
		kid = "unknown-kid"
	}
	opts := (&jose.SignerOptions{}).WithType(jose.ContentType(typ)).WithHeader("kid", kid)
	if s.has(defect.AccessTokenJKU) {
		opts = opts.WithHeader("jku", s.cfg.Issuer+"/jwks")
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(key.Alg()), Key: key.Private()}, opts)
	if err != nil {
		return nil, &rejection{status: 500, code: "server_error", desc: "cannot sign"}
	}
	jtiBytes := make([]byte, 16)
	if _, err := io.ReadFull(s.cfg.Rand, jtiBytes); err != nil {
		return nil, &rejection{status: 500, code: "server_error", desc: "no randomness"}
	}
	iss := s.cfg.Issuer
	if s.has(defect.AccessTokenWrongIss) {
		iss += "/"
	}
	if s.has(defect.AccessTokenWrongSub) {
		sub, clientID = sub+"-other", clientID+"-other"
	}
	claims := map[string]any{
		"iss":       iss,
		"sub":       sub,
		"aud":       s.cfg.Resource,
		"iat":       now.Unix(),
		"exp":       now.Add(s.cfg.TokenTTL).Unix(),
		"client_id": clientID,
	}
	if clientID == "" {
		delete(claims, "client_id")
	}
	if !s.has(defect.AccessTokenNoJTI) {
		claims["jti"] = base64.RawURLEncoding.EncodeToString(jtiBytes)
	}
	if scope != "" && !s.has(defect.AccessTokenNoScope) {
		claims["scope"] = scope
	}
	at, err := jwt.Signed(signer).Claims(claims).Serialize()
	if s.has(defect.AccessTokenAlgNone) {
		at, err = unsignedJWT(typ, claims)
	}
	if err != nil {
		return nil, &rejection{status: 500, code: "server_error", desc: "cannot sign"}
	}
	return &oauth.TokenResponse{AccessToken: at, TokenType: "Bearer", ExpiresIn: int64(s.cfg.TokenTTL.Seconds()), Scope: scope}, nil
}
