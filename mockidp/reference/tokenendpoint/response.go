package tokenendpoint

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
)

// responseBody is the RFC 6749 §5.1 body of resp, with the response
// defects of catalog A.7 applied.
func (s *Server) responseBody(resp *oauth.TokenResponse) any {
	m := map[string]any{"access_token": resp.AccessToken, "token_type": resp.TokenType}
	if resp.ExpiresIn != 0 {
		m["expires_in"] = resp.ExpiresIn
	}
	if resp.Scope != "" && !s.has(defect.NarrowScopeSilently) {
		m["scope"] = resp.Scope
	}
	switch {
	case s.has(defect.TokenResponseNoType):
		delete(m, "token_type")
	case s.has(defect.TokenTypeJWT):
		m["token_type"] = "JWT"
	}
	if s.has(defect.ExpiresInString) {
		m["expires_in"] = strconv.FormatInt(resp.ExpiresIn, 10)
	}
	return m
}

// unsignedJWT is defect.AccessTokenAlgNone: an access token with alg none.
func unsignedJWT(typ string, claims map[string]any) (string, error) {
	h, err := json.Marshal(map[string]string{"alg": "none", "typ": typ})
	if err != nil {
		return "", err
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc(h) + "." + enc(c) + ".", nil
}

// passwordGrant is defect.AllowPasswordGrant: the resource owner password
// grant that RFC 9700 §2.4 says MUST NOT be used, issuing a token for any
// username once the client authenticates.
func (s *Server) passwordGrant(r *http.Request, form url.Values) (*oauth.TokenResponse, *rejection) {
	c, rej := s.authenticate(r, form, false)
	if rej != nil {
		return nil, rej
	}
	if c == nil || form.Get("username") == "" {
		return nil, invalidRequest("username and client authentication are required")
	}
	return s.issue(form.Get("username"), c.ID, "")
}
