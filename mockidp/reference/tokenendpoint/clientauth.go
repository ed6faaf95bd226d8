package tokenendpoint

import (
	"context"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

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
	if c == nil || c.Secret == "" || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return nil, invalidClient("client authentication failed")
	}
	if c.AuthMethod != oauth.AuthClientSecretPost && !s.has(defect.IgnoreAuthMethod) {
		return nil, invalidClient("client authentication failed")
	}
	return c, nil
}

// clientAssertion authenticates a client by a JWT (RFC 7523 §2.2, §3, §3.2).
func (s *Server) clientAssertion(ctx context.Context, form url.Values) (*Client, *rejection) {
	typ := form.Get("client_assertion_type")
	if !s.has(defect.IgnoreAssertionType) {
		if typ == "" {
			return nil, invalidRequest("client_assertion_type is required")
		}
		if typ != oauth.AssertionTypeJWT {
			return nil, invalidClient("unsupported client_assertion_type")
		}
	}
	raw, present := form["client_assertion"]
	if !present {
		return nil, invalidRequest("client_assertion is required")
	}
	if raw[0] == "" && s.has(defect.EmptyParamAsValue) {
		if c := s.client(form.Get("client_id")); c != nil {
			return c, nil
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
		return nil, serverError("out of memory")
	}
	if s.has(defect.ECDHInvalidCurve) && s.invalidCurve(jwt) {
		return nil, serverError("internal error")
	}
	if s.has(defect.HonourP2C) {
		honourP2C(ctx, jwt)
	}
	if s.has(defect.DecryptJWE) {
		if claims, ok := s.decryptedClaims(jwt); ok {
			if iss, _, _ := str(claims, "iss"); s.client(iss) != nil {
				return s.client(iss), nil
			}
		}
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
	alg, rej := s.checkHeader(t, invalidClient, false)
	if rej != nil {
		return nil, rej
	}
	c, rej := s.assertedClient(t)
	if rej != nil {
		return nil, rej
	}
	early := s.has(defect.ConsumeRejectedJTI)
	if early {
		if jti, ok, _ := str(t.claims, "jti"); ok && !s.replay.use(s.replayKey(c, jti, t), s.cfg.Clock().Add(s.cfg.MaxLifetime)) {
			return nil, invalidClient("client assertion has been used before")
		}
	}
	if rej := s.verifyClientSignature(ctx, t, alg, c); rej != nil {
		return nil, rej
	}
	exp, rej := s.checkTimes(t, invalidClient, defect.IgnoreExpiry)
	if rej != nil {
		return nil, rej
	}
	if !s.has(defect.IgnoreAudience) {
		if _, _, ok := audValues(t.claims); !ok && s.has(defect.AudTypeConfusion) {
			// CVE-2020-26160: an aud of an unexpected type is skipped.
		} else if rej := s.checkClientAudience(t); rej != nil {
			return nil, rej
		}
	}
	if s.has(defect.RejectUnknownClaims) {
		for name := range t.claims {
			switch name {
			case "iss", "sub", "aud", "exp", "nbf", "iat", "jti":
			default:
				return nil, invalidClient("unknown claim " + name)
			}
		}
	}
	jti, hasJTI, err := str(t.claims, "jti")
	if err != nil {
		return nil, invalidClient(err.Error())
	}
	requireJTI := s.cfg.Profile == OIDC || s.cfg.Profile == OIDCE3 || s.cfg.Profile == FAPI2
	if !hasJTI && requireJTI && !s.has(defect.AllowMissingJTI) {
		return nil, invalidClient("jti is required")
	}
	if hasJTI && !early && !s.has(defect.IgnoreReplay) && !s.replay.use(s.replayKey(c, jti, t), exp) {
		return nil, invalidClient("client assertion has been used before")
	}
	return c, nil
}

// checkHeader applies the JOSE header rules shared by both carriers and
// returns the algorithm (RFC 7515 §4.1, RFC 8725 §3.1, §3.11).
func (s *Server) checkHeader(t *token, fail func(string) *rejection, grant bool) (string, *rejection) {
	alg, has, err := str(t.header, "alg")
	if err == nil && !has && !grant && s.has(defect.InferAlgFromKey) {
		return "", nil
	}
	if (err != nil || !has) && s.has(defect.AlgFromKey) && !grant {
		return algFromKey, nil
	}
	if err != nil || !has {
		return "", fail("alg is missing or not a string")
	}
	switch {
	case alg == "none" && s.has(defect.AcceptAlgNone):
	case alg == "none":
		return "", fail("unsecured JWTs are not accepted")
	case alg == "Ed25519" && s.has(defect.AlgAlias):
		// The defect: the RFC 9864 name mapped onto EdDSA without being
		// advertised or checked against the key's registration.
	case s.has(defect.CaseInsensitiveAlg):
		// The defect: a case-sensitive blocklist instead of an allowlist
		// (8725bis §2.11), so "nOnE" and "es256" get through.
	default:
		ok := false
		for _, a := range s.SigningAlgs() {
			if a == alg || (s.has(defect.CaseInsensitiveAlg) && strings.EqualFold(a, alg)) {
				ok = true
			}
		}
		ok = ok || s.has(defect.AnyJOSEAlg) && anyJOSEAlg(alg)
		if !ok {
			e := fail("algorithm not allowed")
			e.echo = alg
			return "", e
		}
	}
	up := strings.ToUpper(alg)
	switch {
	case (strings.HasPrefix(up, "RS") || strings.HasPrefix(up, "PS")) && s.has(defect.RejectRSA),
		strings.HasPrefix(up, "ES") && s.has(defect.RejectEC),
		up == "EDDSA" && s.has(defect.RejectEdDSA),
		strings.HasPrefix(up, "HS") && s.has(defect.RejectHMAC):
		return "", fail("algorithm not allowed")
	}
	if crit, has := t.header["crit"]; has && !s.has(defect.IgnoreCrit) && !(s.has(defect.AcceptB64False) && critIsB64(t)) && !(s.has(defect.UnencodedPayload) && string(crit) == `["b64"]`) {
		return "", fail("unsupported critical header parameter")
	}
	typ, hasTyp, err := str(t.header, "typ")
	if err != nil {
		return "", fail(err.Error())
	}
	lt := strings.ToLower(strings.TrimPrefix(strings.ToLower(typ), "application/"))
	if grant {
		if lt == oauth.TypClientAuth && !s.has(defect.AcceptClientAssertionAsGrant) {
			return "", fail("a client authentication JWT is not a grant")
		}
		if hasTyp && lt != "jwt" && lt != oauth.TypClientAuth {
			return "", fail("unexpected typ")
		}
		return alg, nil
	}
	switch {
	case !hasTyp && s.has(defect.RequireTyp):
		return "", fail("typ is required")
	case lt == oauth.TypClientAuth && s.has(defect.RejectTypedAssertion):
		return "", fail("typ not accepted")
	case hasTyp && lt != "jwt" && lt != oauth.TypClientAuth && !s.has(defect.IgnoreTyp):
		e := fail("typ is not client-authentication+jwt")
		e.echo = typ
		return "", e
	}
	return alg, nil
}

// assertedClient finds the client the assertion speaks for: iss and sub must
// both be the client_id (RFC 7523 §3 items 1-2, Simple String Comparison).
func (s *Server) assertedClient(t *token) (*Client, *rejection) {
	get := str
	if s.has(defect.CoerceClaimTypes) {
		get = coerceString
	}
	iss, hasIss, err1 := get(t.claims, "iss")
	sub, hasSub, err2 := get(t.claims, "sub")
	if err1 != nil || err2 != nil {
		return nil, invalidClient("iss and sub must be strings")
	}
	id := iss
	if s.has(defect.IgnoreIssuer) {
		id = sub
	} else if !hasIss {
		return nil, invalidClient("iss is required")
	}
	c := s.lookup(id)
	if c == nil {
		if s.has(defect.UnknownClientInvalidGrant) {
			return nil, invalidGrant("unknown client")
		}
		e := invalidClient("client authentication failed")
		e.echo = id
		return nil, e
	}
	same := func(a string) bool {
		return a == c.ID || (s.has(defect.FoldCaseClientID) && strings.EqualFold(a, c.ID))
	}
	if !s.has(defect.IgnoreIssuer) && !same(iss) {
		return nil, invalidClient("iss does not identify the client")
	}
	if !s.has(defect.IgnoreSubject) && (!hasSub || !same(sub)) {
		return nil, invalidClient("sub must equal the client_id")
	}
	return c, nil
}

// verifyClientSignature finds the client's key and verifies the signature
// (RFC 7523 §3 item 9; RFC 8725 §3.1, §3.8: the key belongs to iss, one
// algorithm per key).
func (s *Server) verifyClientSignature(ctx context.Context, t *token, alg string, c *Client) *rejection {
	if s.has(defect.SkipSignatureCheck) {
		return nil
	}
	if alg == "" { // only under defect.InferAlgFromKey
		return s.verifyInferred(ctx, t, c)
	}
	if strings.EqualFold(alg, "none") {
		if s.has(defect.AcceptAlgNone) || (s.has(defect.CaseInsensitiveAlg) && alg != "none") {
			return nil
		}
		return invalidClient("unsecured JWTs are not accepted")
	}
	if c.AuthMethod == oauth.AuthClientSecretBasic || c.AuthMethod == oauth.AuthClientSecretPost {
		if !s.has(defect.IgnoreAuthMethod) {
			return invalidClient("the client is not registered for JWT authentication")
		}
	}
	isHMAC := strings.HasPrefix(strings.ToUpper(alg), "HS")
	if c.AuthMethod == oauth.AuthClientSecretJWT || (s.has(defect.IgnoreAuthMethod) && c.Secret != "" && isHMAC) {
		if !isHMAC {
			return invalidClient("client_secret_jwt requires an HMAC algorithm")
		}
		if err := verifyJOSE(t, alg, []byte(c.Secret), true); err != nil {
			if s.has(defect.TruncatedHMACKey) && len(c.Secret) > 16 && verifyLax(t, alg, []byte(c.Secret[:16])) == nil {
				return nil // the key was cut to 128 bits
			}
			return invalidClient("client authentication failed")
		}
		return nil
	}
	if c.SigningAlg != "" && alg != c.SigningAlg && !s.has(defect.IgnoreRegisteredAlg) && !s.has(defect.AlgNotBound) {
		return invalidClient("the client is registered for another signing algorithm")
	}
	if s.headerKeyVerify(ctx, t, alg) {
		return nil
	}
	if isHMAC && s.has(defect.HMACEmptySecret) && verifyLax(t, alg, []byte(c.Secret)) == nil {
		return nil
	}
	if isHMAC && s.has(defect.GuessableHMACSecret) && verifyLax(t, alg, []byte(defaultHMACSecret)) == nil {
		return nil
	}
	if isHMAC && s.hmacWithOwnKey(t) {
		return nil
	}
	candidates, rej := s.clientKeys(ctx, t, c)
	if rej != nil {
		return rej
	}
	if alg == algFromKey {
		for _, k := range candidates {
			if k.Algorithm != "" && verifyLax(t, k.Algorithm, k.Key) == nil {
				return nil
			}
		}
		return invalidClient("alg is missing or not a string")
	}
	for _, k := range candidates {
		if secret, ok := k.Key.([]byte); ok {
			if isHMAC && verifyLax(t, alg, secret) == nil {
				return nil // only defect paths put secrets here
			}
			continue
		}
		if isHMAC {
			if s.has(defect.HMACWithPublicKey) && hmacWithPublic(t, k) {
				return nil
			}
			if secret, ok := k.Key.([]byte); ok && s.has(defect.ClientJWKSSymmetricKeys) && verifyLax(t, alg, secret) == nil {
				return nil
			}
			continue
		}
		if !s.keyFits(k, alg) {
			continue
		}
		if g, ok := k.Key.(*bigRSA); ok {
			if s.has(defect.GiantRSAKey) && verifyGiant(ctx, g, t) {
				return nil
			}
			continue
		}
		if s.quirkVerify(t, alg, k.Key) {
			return nil
		}
		var err error
		if s.lax(t, alg) {
			err = verifyLax(t, alg, k.Key)
		} else {
			err = verifyJOSE(t, alg, k.Key, s.has(defect.AnyPSSSalt))
		}
		if err == nil {
			return nil
		}
	}
	if s.has(defect.KidFallback) {
		ks, _ := s.keys.get(ctx, c.JWKSURI, false)
		for _, k := range ks {
			if s.keyFits(k, alg) && verifyLax(t, alg, k.Key) == nil {
				return nil
			}
		}
	}
	// The same words as for an unknown client: a description that names
	// the cause would tell a caller which client_ids exist (B-ERR-03).
	return invalidClient("client authentication failed")
}

// clientKeys returns the keys to try: the one named by kid, or every key
// when the header has no kid. An unknown kid triggers one refetch.
func (s *Server) clientKeys(ctx context.Context, t *token, c *Client) ([]jose.JSONWebKey, *rejection) {
	kid, hasKid, err := str(t.header, "kid")
	switch {
	case err != nil && s.has(defect.KidTypeCoercion):
		hasKid = false
	case err != nil:
		return nil, invalidClient("kid must be a string")
	}
	s.slowKid(ctx, kid)
	if s.has(defect.X5tLookup) {
		if got := s.x5tKeys(ctx, t); got != nil {
			return got, nil
		}
	}
	if secrets, ok := s.kidSecret(kid); ok {
		var out []jose.JSONWebKey
		for _, b := range secrets {
			out = append(out, jose.JSONWebKey{Key: b, KeyID: kid})
		}
		return out, nil
	}
	var fetchErr error
	load := func(c *Client, refresh bool) []jose.JSONWebKey {
		if c.JWKS != nil {
			return c.JWKS.Keys
		}
		if c.JWKSURI == "" {
			return nil
		}
		ks, err := s.keys.get(ctx, c.JWKSURI, refresh)
		if err != nil {
			fetchErr = err
		}
		return ks
	}
	ks := load(c, false)
	if fetchErr != nil && s.has(defect.JWKSFailureServerError) {
		return nil, serverError("cannot load the client's keys")
	}
	if !hasKid {
		if s.has(defect.KidlessServerError) && len(ks) > 1 {
			return nil, serverError("several keys and no kid")
		}
		return ks, nil
	}
	if s.has(defect.KidIgnored) && len(ks) > 0 {
		return ks[:1], nil
	}
	pick := func(ks []jose.JSONWebKey) []jose.JSONWebKey {
		var out []jose.JSONWebKey
		for _, k := range ks {
			if k.KeyID == kid {
				out = append(out, k)
				if s.has(defect.DuplicateKidFirstKey) {
					break
				}
			}
		}
		return out
	}
	if got := pick(ks); len(got) > 0 {
		return got, nil
	}
	if !s.has(defect.NoRefetchUnknownKid) {
		fetchErr = nil
		got := pick(load(c, true))
		if fetchErr != nil && s.has(defect.JWKSFailureServerError) {
			return nil, serverError("cannot load the client's keys")
		}
		if len(got) > 0 {
			return got, nil
		}
	}
	if s.has(defect.KidInjection) && strings.Contains(kid, "*") {
		// An LDAP filter "(kid=<kid>)" with a wildcard matches every key.
		var all []jose.JSONWebKey
		for i := range s.cfg.Clients {
			all = append(all, load(&s.cfg.Clients[i], false)...)
		}
		return all, nil
	}
	if s.has(defect.AnyClientKey) {
		for i := range s.cfg.Clients {
			if got := pick(load(&s.cfg.Clients[i], false)); len(got) > 0 {
				return got, nil
			}
		}
	}
	e := invalidClient("no key with this kid")
	e.echo = kid
	return nil, e
}

// keyFits applies RFC 7517 §4.2-4.4 and RFC 7518 §3.3-§3.5: a verification
// key is for signatures, matches the algorithm (for ECDSA, its curve too),
// and RSA keys have at least 2048 bits and a public exponent of at least
// 65537 (RFC 8017 §3.1 allows 3; FAPI 2.0 and NIST SP 800-56B do not).
func (s *Server) keyFits(k jose.JSONWebKey, alg string) bool {
	if k.Use != "" && k.Use != "sig" && !s.has(defect.IgnoreKeyUse) && !s.has(defect.AcceptEncKeys) {
		return false
	}
	if k.Algorithm != "" && k.Algorithm != alg && !s.has(defect.IgnoreKeyAlg) && !s.has(defect.CaseInsensitiveAlg) && !s.has(defect.AlgNotBound) && !s.has(defect.AlgAlias) {
		return false
	}
	if rk, ok := k.Key.(*rsa.PublicKey); ok && rk.N.BitLen() < 2048 && !s.has(defect.AcceptShortRSA) {
		return false
	}
	if rk, ok := k.Key.(*rsa.PublicKey); ok && rk.E < minRSAExponent && !s.has(defect.AcceptSmallRSAExp) && !s.has(defect.TextbookRSA) {
		return false
	}
	if !curveFits(k.Key, alg) && !s.has(defect.CurveNotBound) {
		return false
	}
	return true
}

// lax reports whether a defect path must verify t without go-jose, whose
// own checks (crit, exact alg names) would hide the defect.
func (s *Server) lax(t *token, alg string) bool {
	_, crit := t.header["crit"]
	return t.lenient || (s.has(defect.CaseInsensitiveAlg) && !isCanonicalAlg(alg)) ||
		(crit && (s.has(defect.IgnoreCrit) || s.has(defect.AcceptB64False)))
}

func isCanonicalAlg(alg string) bool {
	switch alg {
	case "RS256", "PS256", "ES256", "EdDSA", "HS256":
		return true
	}
	return false
}

// checkClientAudience applies the profile's aud rule to a client assertion
// (RFC 7523 §3 item 3; 7523bis §4; OIDC Core §9 errata 3; FAPI 2.0 SP
// §5.3.2.1 item 8).
func (s *Server) checkClientAudience(t *token) *rejection {
	values, isArray, ok := audValues(t.claims)
	if !ok {
		return invalidClient("aud is missing or malformed")
	}
	strict := s.cfg.Profile == OIDCE3 || s.cfg.Profile == BIS || s.cfg.Profile == FAPI2 || s.cfg.Profile == BCP
	teAllowed := !strict && !s.has(defect.RejectTokenEndpointAudience) || strict && s.has(defect.AcceptTokenEndpointAudience)
	if strict && isArray {
		if len(values) > 1 && !s.has(defect.AcceptAudienceArray) {
			return invalidClient("aud must hold the issuer identifier as its sole value")
		}
		if len(values) == 1 && (s.cfg.Profile == OIDCE3 || s.cfg.Profile == FAPI2) && !s.has(defect.AcceptSingleElementArray) {
			return invalidClient("aud must be a string, not an array")
		}
	}
	for _, v := range values {
		if s.audEqual(v, s.cfg.Issuer) && !s.has(defect.RejectIssuerAudience) {
			return nil
		}
		if teAllowed && s.audEqual(v, s.TokenEndpoint()) {
			return nil
		}
		if s.has(defect.AcceptEndpointAudience) && v == s.IntrospectionEndpoint() {
			return nil
		}
	}
	e := invalidClient("aud does not identify this authorization server")
	e.echo = strings.Join(values, " ")
	return e
}

// audEqual is Simple String Comparison (RFC 3986 §6.2.1), or a normalising
// comparison under defect.NormalizeAudience.
func (s *Server) audEqual(a, b string) bool {
	if a == b {
		return true
	}
	if !s.has(defect.NormalizeAudience) {
		return false
	}
	norm := func(x string) string {
		u, err := url.Parse(x)
		if err != nil {
			return x
		}
		u.Host = strings.ToLower(strings.TrimSuffix(u.Host, ":443"))
		u.Scheme = strings.ToLower(u.Scheme)
		p, err := url.PathUnescape(u.Path)
		if err == nil {
			u.Path = p
		}
		u.RawPath = ""
		return strings.TrimSuffix(u.String(), "/")
	}
	return norm(a) == norm(b)
}

// audValues returns aud as a list; ok is false when it is missing, empty or
// not a string or an array of strings (RFC 7519 §4.1.3).
func audValues(claims map[string]json.RawMessage) (values []string, isArray, ok bool) {
	raw, has := claims["aud"]
	if !has || len(raw) == 0 {
		return nil, false, false
	}
	if raw[0] == '"' {
		var v string
		if json.Unmarshal(raw, &v) != nil || v == "" {
			return nil, false, false
		}
		return []string{v}, false, true
	}
	if raw[0] == '[' {
		var vs []string
		if json.Unmarshal(raw, &vs) != nil || len(vs) == 0 {
			return nil, true, false
		}
		for _, v := range vs {
			if v == "" {
				return nil, true, false
			}
		}
		return vs, true, true
	}
	return nil, false, false
}

// checkTimes applies exp, nbf and iat rules (RFC 7523 §3 items 4-6; FAPI 2.0
// SP §5.3.2.1 item 13) and returns until when the assertion is acceptable
// (exp plus the allowed skew): how long its jti must be remembered.
func (s *Server) checkTimes(t *token, fail func(string) *rejection, ignoreExpiry defect.Name) (time.Time, *rejection) {
	now := s.cfg.Clock()
	skew := s.cfg.ClockSkew
	if s.has(defect.NoClockSkew) {
		skew = 0
	}
	// Seconds and nanoseconds apart: f*1e9 overflows int64 past 2262, well
	// inside the 1e11 numericDate allows.
	unix := func(f float64) time.Time {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9))
	}
	exp, hasExp, err := s.numericDate(t.claims, "exp")
	skipExp := err != nil && s.has(defect.LaxTimeClaims)
	if err != nil && !skipExp {
		return time.Time{}, fail(err.Error())
	}
	expiry := now.Add(s.cfg.MaxLifetime)
	switch {
	case skipExp:
	case !hasExp && !s.has(defect.AllowMissingExp) && !s.has(ignoreExpiry):
		return time.Time{}, fail("exp is required")
	case hasExp:
		expiry = unix(exp)
		if now.Sub(expiry) > s.cfg.ClockSkew && !s.has(ignoreExpiry) {
			return time.Time{}, fail("the assertion has expired")
		}
		if expiry.Sub(now) > s.cfg.MaxLifetime+s.cfg.ClockSkew && !s.has(defect.UnboundedLifetime) {
			return time.Time{}, fail("exp is unreasonably far in the future")
		}
	}
	nbf, hasNbf, err := s.numericDate(t.claims, "nbf")
	if err != nil && s.has(defect.LaxTimeClaims) {
		hasNbf, err = false, nil
	}
	if err != nil {
		return time.Time{}, fail(err.Error())
	}
	if hasNbf && unix(nbf).Sub(now) > skew && !s.has(defect.IgnoreNotBefore) {
		return time.Time{}, fail("the assertion is not valid yet (nbf)")
	}
	iat, hasIat, err := s.numericDate(t.claims, "iat")
	if err != nil && s.has(defect.LaxTimeClaims) {
		hasIat, err = false, nil
	}
	if err != nil {
		return time.Time{}, fail(err.Error())
	}
	if hasIat && unix(iat).Sub(now) > skew && !s.has(defect.AcceptFutureIat) {
		return time.Time{}, fail("iat is in the future")
	}
	if expiry.Before(now) {
		expiry = now.Add(s.cfg.MaxLifetime)
	}
	// The assertion stays acceptable until ClockSkew past exp, so its jti
	// must be remembered that long, or it can be replayed in between.
	return expiry.Add(s.cfg.ClockSkew), nil
}
