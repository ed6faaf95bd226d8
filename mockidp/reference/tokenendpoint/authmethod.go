package tokenendpoint

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
)

// authenticate applies RFC 6749 §2.3 and RFC 7521 §4.2: at most one method,
// then that method's checks, then the client_id parameter must agree. It
// returns nil without error only for a jwt-bearer grant sent without
// client credentials when the configuration allows that.
func (s *Server) authenticate(r *http.Request, form url.Values, isBearer bool) (*Client, *rejection) {
	user, pass, hasBasic := r.BasicAuth()
	hasPost := form.Has("client_secret")
	hasAssertion := form.Has("client_assertion") || form.Has("client_assertion_type")
	n := 0
	for _, b := range []bool{hasBasic, hasPost, hasAssertion} {
		if b {
			n++
		}
	}
	if n > 1 && !s.has(defect.AllowMultipleAuth) {
		e := invalidRequest("more than one client authentication method")
		e.challenge = hasBasic
		return nil, e
	}
	if n > 0 && isBearer && s.has(defect.GrantSkipClientAuth) {
		return nil, nil
	}
	var c *Client
	var rej *rejection
	switch {
	case hasAssertion:
		c, rej = s.clientAssertion(r.Context(), form)
		rej = s.clientErrorCode(rej)
	case hasBasic:
		c, rej = s.basic(user, pass)
	case hasPost:
		c, rej = s.secretPost(form.Get("client_id"), form.Get("client_secret"))
	default:
		if id := form.Get("client_id"); id != "" && s.has(defect.NoClientAuth) {
			if c := s.client(id); c != nil {
				return c, nil
			}
		}
		if isBearer && s.cfg.GrantClientAuth != "required" {
			return nil, nil
		}
		return nil, invalidClient("client authentication is required")
	}
	if rej != nil {
		return nil, rej
	}
	id, hasID := form["client_id"]
	if hasID && id[0] != c.ID && !s.has(defect.IgnoreClientIDParam) {
		e := invalidClient("client_id does not match the authenticated client")
		e.challenge = hasBasic
		return nil, e
	}
	if !hasID && s.has(defect.RequireClientIDParam) {
		return nil, invalidRequest("client_id is required")
	}
	return c, nil
}

func (s *Server) lookup(id string) *Client {
	if c := s.client(id); c != nil {
		return c
	}
	if s.has(defect.FoldCaseClientID) {
		for _, c := range s.cfg.Clients {
			if strings.EqualFold(c.ID, id) {
				return &c
			}
		}
	}
	return nil
}

func (s *Server) basic(user, pass string) (*Client, *rejection) {
	fail := func(desc string) (*Client, *rejection) {
		e := invalidClient(desc)
		e.challenge = true
		return nil, e
	}
	// RFC 6749 §2.3.1: the credentials are form-urlencoded before Basic encoding.
	id, err1 := url.QueryUnescape(user)
	secret, err2 := url.QueryUnescape(pass)
	if err1 != nil || err2 != nil {
		return fail("malformed Basic credentials")
	}
	c := s.client(id)
	if c == nil {
		return fail("client authentication failed")
	}
	if s.has(defect.SecretForKeyClient) && c.Secret == "" {
		return c, nil // no secret on record: nothing compared, whatever the method
	}
	if c.AuthMethod != oauth.AuthClientSecretBasic && !s.has(defect.IgnoreAuthMethod) {
		return fail("client authentication failed")
	}
	if c.Secret == "" || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return fail("client authentication failed")
	}
	return c, nil
}

func (s *Server) secretPost(id, secret string) (*Client, *rejection) {
	c := s.client(id)
	if c != nil && c.Secret == "" && s.has(defect.SecretForKeyClient) {
		return c, nil
	}
	if c == nil || c.Secret == "" || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return nil, invalidClient("client authentication failed")
	}
	if c.AuthMethod != oauth.AuthClientSecretPost && !s.has(defect.IgnoreAuthMethod) {
		return nil, invalidClient("client authentication failed")
	}
	return c, nil
}

// clientAuth is a client assertion on its way through the rules: each rule
// reads what the earlier ones found, and rejects or records more.
type clientAuth struct {
	ctx context.Context
	t   *token
	alg string    // the header's alg; "" only under defect.InferAlgFromKey
	c   *Client   // the client that iss and sub name
	exp time.Time // until when the assertion is acceptable: how long its jti is kept
}

// clientAssertionRules are the rules a parsed client assertion must pass,
// in order (RFC 7523 §3; RFC 8725 §3).
var clientAssertionRules = []func(*Server, *clientAuth) *rejection{
	(*Server).assertionHeader, // alg, crit, typ
	(*Server).assertedClient,  // iss and sub are the client_id
	(*Server).spendJTIByKey,   // only under defect.ConsumeJTIBeforeClaims
	(*Server).spendJTIEarly,   // only under defect.ConsumeRejectedJTI
	(*Server).clientSignature, // the client's key or secret
	(*Server).assertionTimes,  // exp, nbf, iat
	(*Server).clientAudience,  // aud, by profile
	(*Server).knownClaims,     // only under defect.RejectUnknownClaims
	(*Server).jtiPresent,      // a string; required by profile
	(*Server).jtiUnused,       // no replay
}

// clientAssertion authenticates a client by a JWT (RFC 7523 §2.2, §3, §3.2):
// the request parameters, the defects that act on the raw value, parsing,
// then clientAssertionRules in order.
func (s *Server) clientAssertion(ctx context.Context, form url.Values) (*Client, *rejection) {
	jwt, c, rej := s.rawClientAssertion(ctx, form)
	if c != nil || rej != nil {
		return c, rej
	}
	t, err := s.parse(jwt)
	if err != nil {
		e := invalidClient("malformed client assertion")
		e.echo = err.Error()
		s.crash(e, err)
		return nil, e
	}
	if claims, ok := s.ownToken(t); ok {
		if id, _, _ := str(claims, "client_id"); s.clients[id] != nil {
			return s.clients[id], nil
		}
	}
	a := &clientAuth{ctx: ctx, t: t}
	for _, rule := range clientAssertionRules {
		if rej := rule(s, a); rej != nil {
			return nil, rej
		}
	}
	return a.c, nil
}

// rawClientAssertion reads client_assertion_type and client_assertion
// (RFC 7523 §2.2) and applies the defects that act on the raw value. It
// returns the JWT to parse, or the client or rejection a defect decided on.
func (s *Server) rawClientAssertion(ctx context.Context, form url.Values) (string, *Client, *rejection) {
	typ := form.Get("client_assertion_type")
	if !s.has(defect.IgnoreAssertionType) {
		if typ == "" {
			return "", nil, invalidRequest("client_assertion_type is required")
		}
		if typ != oauth.AssertionTypeJWT {
			return "", nil, invalidClient("unsupported client_assertion_type")
		}
	}
	raw, present := form["client_assertion"]
	if !present {
		return "", nil, invalidRequest("client_assertion is required")
	}
	if raw[0] == "" && s.has(defect.EmptyParamAsValue) {
		if c := s.client(form.Get("client_id")); c != nil {
			return "", c, nil
		}
	}
	jwt := raw[0]
	if s.has(defect.FirstJWTOfList) {
		// A list of separators only has no first JWT: parse it as it is.
		if list := strings.FieldsFunc(jwt, func(r rune) bool { return r == ',' || r == ' ' }); len(list) > 0 {
			jwt = list[0]
		}
	}
	if s.has(defect.InflateUnbounded) && s.inflateBomb(jwt) {
		return "", nil, serverError("out of memory")
	}
	if s.has(defect.ECDHInvalidCurve) && s.invalidCurve(jwt) {
		return "", nil, serverError("internal error")
	}
	if s.has(defect.HonourP2C) {
		honourP2C(ctx, jwt)
	}
	if s.has(defect.DecryptJWE) {
		if claims, ok := s.decryptedClaims(jwt); ok {
			if iss, _, _ := str(claims, "iss"); s.client(iss) != nil {
				return "", s.client(iss), nil
			}
		}
	}
	return jwt, nil, nil
}
