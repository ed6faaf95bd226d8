package tokenendpoint

import (
	"context"
	"net/url"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
)

// bearerGrant handles grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer
// from a trusted external issuer (RFC 7523 §2.1, §3, §3.1; catalog.md §0.5).
func (s *Server) bearerGrant(form url.Values, c *Client) (*oauth.TokenResponse, *rejection) {
	fail := invalidGrant
	if s.has(defect.GrantWrongErrorCode) {
		fail = invalidClient
	}
	if c != nil && !allowed(c.Grants, oauth.GrantJWTBearer) && !s.has(defect.GrantIgnoreClientGrants) {
		return nil, reject(oauth.UnauthorizedClient, "the client may not use the jwt-bearer grant")
	}
	raw, ok := form["assertion"]
	if !ok {
		if s.has(defect.GrantMissingAssertionCode) {
			return nil, invalidGrant("assertion is required")
		}
		return nil, invalidRequest("assertion is required")
	}
	if s.has(defect.RejectGrant) {
		return nil, fail("the grant is refused")
	}
	t, err := s.parse(raw[0])
	if err != nil {
		e := fail("malformed assertion")
		e.echo = err.Error()
		s.crash(e, err)
		return nil, e
	}
	if claims, ok := s.ownToken(t); ok {
		sub, _, _ := str(claims, "sub")
		return s.issue(sub, "", "")
	}
	alg, rej := s.checkHeader(t, fail, true)
	if rej != nil {
		return nil, rej
	}
	iss, _, err := str(t.claims, "iss")
	if err != nil {
		return nil, fail(err.Error())
	}
	is := s.issuers[iss]
	if is == nil && !s.has(defect.GrantIgnoreIssuer) {
		if s.has(defect.AcceptClientAssertionAsGrant) {
			if cl := s.client(iss); cl != nil {
				is = &Issuer{ID: cl.ID, JWKSURI: cl.JWKSURI, JWKS: cl.JWKS, Subjects: []string{cl.ID}}
			}
		}
		if is == nil {
			return nil, fail("the assertion issuer is not trusted")
		}
	}
	if !s.has(defect.GrantIgnoreSignature) {
		if rej := s.verifyGrantSignature(context.Background(), t, alg, is, fail); rej != nil {
			return nil, rej
		}
	}
	if !s.has(defect.GrantIgnoreAudience) {
		values, _, ok := audValues(t.claims)
		good := false
		for _, v := range values {
			switch {
			case len(s.cfg.GrantAudiences) > 0:
				good = good || allowed(s.cfg.GrantAudiences, v)
			// 7523bis §4 keeps the issuer or the token endpoint URL for grants.
			case v == s.cfg.Issuer || (v == s.TokenEndpoint() && !s.has(defect.GrantRejectTokenEndpointAud)):
				good = true
			}
		}
		if !ok || !good {
			return nil, fail("aud does not identify this authorization server")
		}
	}
	sub, hasSub, err := str(t.claims, "sub")
	if err != nil {
		return nil, fail(err.Error())
	}
	known := is != nil && (allowed(is.Subjects, sub) || is.SubjectIsIssuer && sub == is.ID)
	if is == nil { // only under defect.GrantIgnoreIssuer: any trusted issuer's users
		for _, x := range s.cfg.Issuers {
			known = known || allowed(x.Subjects, sub)
		}
	}
	// Under defect.GrantSubjectOptional an empty sub reads as absent, and
	// the subject rules apply only to a non-empty one.
	if s.has(defect.GrantSubjectOptional) && sub == "" {
		hasSub, known = true, true
	}
	if !s.has(defect.GrantIgnoreSubject) && (!hasSub || !known) {
		return nil, fail("the subject is not known")
	}
	exp, rej := s.checkTimes(t, fail, defect.GrantIgnoreExpiry, defect.GrantUnboundedLifetime)
	if rej != nil {
		return nil, rej
	}
	jti, hasJTI, err := str(t.claims, "jti")
	if err != nil {
		return nil, fail(err.Error())
	}
	key := "grant\x00" + iss + "\x00" + jti
	if c != nil && s.has(defect.GrantReplayPerClient) {
		key += "\x00" + c.ID
	}
	if hasJTI && !s.has(defect.IgnoreReplay) && !s.replay.use(key, exp) {
		return nil, s.replayed(fail)
	}
	clientID := ""
	scope := ""
	if c != nil {
		clientID = c.ID
		var rej *rejection
		if scope, rej = s.grantScope(c, form.Get("scope")); rej != nil {
			return nil, rej
		}
	} else if form.Get("scope") != "" {
		for _, sc := range strings.Fields(form.Get("scope")) {
			if sc != "read" && !s.has(defect.IgnoreScope) {
				return nil, reject(oauth.InvalidScope, "scope not allowed")
			}
		}
		scope = form.Get("scope")
	}
	return s.issue(sub, clientID, scope)
}

func (s *Server) verifyGrantSignature(ctx context.Context, t *token, alg string, is *Issuer, fail func(string) *rejection) *rejection {
	if alg == "none" || strings.EqualFold(alg, "none") {
		if s.has(defect.AcceptAlgNone) {
			return nil
		}
		return fail("unsecured JWTs are not accepted")
	}
	kid, _, _ := str(t.header, "kid")
	load := func(is *Issuer) []jose.JSONWebKey {
		if is.Secret != nil {
			return nil
		}
		if is.JWKS != nil {
			return is.JWKS.Keys
		}
		ks, _ := s.keys.get(ctx, is.JWKSURI, false)
		return ks
	}
	var candidates []jose.JSONWebKey
	if is != nil && is.Secret != nil {
		if alg == "HS256" && verifyJOSE(t, alg, is.Secret, false) == nil {
			return nil
		}
		if !s.has(defect.GrantAnyIssuerKey) {
			return fail("signature verification failed")
		}
	} else if is != nil {
		candidates = load(is)
	}
	if is == nil || s.has(defect.GrantAnyIssuerKey) {
		for i := range s.cfg.Issuers {
			candidates = append(candidates, load(&s.cfg.Issuers[i])...)
		}
	}
	if s.headerKeyVerify(ctx, t, alg) || strings.HasPrefix(alg, "HS") && s.hmacWithOwnKey(t) {
		return nil
	}
	for _, k := range candidates {
		if kid != "" && k.KeyID != kid {
			continue
		}
		if !s.keyFits(k, alg) {
			continue
		}
		if s.quirkVerify(t, alg, k.Key) {
			return nil
		}
		verify := func() error { return verifyJOSE(t, alg, k.Key, s.has(defect.AnyPSSSalt)) }
		if s.lax(t, alg) {
			verify = func() error { return verifyLax(t, alg, k.Key) }
		}
		if verify() == nil {
			return nil
		}
	}
	return fail("signature verification failed")
}
