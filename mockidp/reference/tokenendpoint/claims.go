package tokenendpoint

import (
	"encoding/json"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
)

// assertedClient finds the client the assertion speaks for: iss and sub must
// both be the client_id (RFC 7523 §3 items 1-2, Simple String Comparison).
func (s *Server) assertedClient(a *clientAuth) *rejection {
	t := a.t
	get := str
	if s.has(defect.CoerceClaimTypes) {
		get = coerceString
	}
	iss, hasIss, err1 := get(t.claims, "iss")
	sub, hasSub, err2 := get(t.claims, "sub")
	if err1 != nil || err2 != nil {
		return invalidClient("iss and sub must be strings")
	}
	id := iss
	if s.has(defect.IgnoreIssuer) {
		id = sub
	} else if !hasIss {
		return invalidClient("iss is required")
	}
	c := s.lookup(id)
	if c == nil {
		if s.has(defect.UnknownClientInvalidGrant) {
			return invalidGrant("unknown client")
		}
		e := invalidClient("client authentication failed")
		e.echo = id
		return e
	}
	same := func(v string) bool {
		return v == c.ID || (s.has(defect.FoldCaseClientID) && strings.EqualFold(v, c.ID))
	}
	if !s.has(defect.IgnoreIssuer) && !same(iss) {
		return invalidClient("iss does not identify the client")
	}
	if !s.has(defect.IgnoreSubject) && (!hasSub || !same(sub)) {
		return invalidClient("sub must equal the client_id")
	}
	a.c = c
	return nil
}

// spendJTIEarly is defect.ConsumeRejectedJTI: the jti is recorded before
// the signature is checked, so a forged assertion spends a valid one.
func (s *Server) spendJTIEarly(a *clientAuth) *rejection {
	if !s.has(defect.ConsumeRejectedJTI) {
		return nil
	}
	if jti, ok, _ := str(a.t.claims, "jti"); ok && !s.replay.use(s.replayKey(a.c, jti, a.t), s.cfg.Clock().Add(s.cfg.MaxLifetime)) {
		return s.replayed(invalidClient)
	}
	return nil
}

// spendJTIByKey is defect.ConsumeJTIBeforeClaims: the jti is recorded
// for the client whose key verifies the signature, before iss is compared
// with that client and before the times and aud are checked, so a validly
// signed assertion that is then refused still spends its jti.
func (s *Server) spendJTIByKey(a *clientAuth) *rejection {
	if !s.has(defect.ConsumeJTIBeforeClaims) {
		return nil
	}
	jti, ok, _ := str(a.t.claims, "jti")
	if !ok {
		return nil
	}
	for i := range s.cfg.Clients {
		owner := &s.cfg.Clients[i]
		if s.clientSignature(&clientAuth{ctx: a.ctx, t: a.t, alg: a.alg, c: owner}) != nil {
			continue
		}
		if !s.replay.use(s.replayKey(owner, jti, a.t), s.cfg.Clock().Add(s.cfg.MaxLifetime)) {
			return s.replayed(invalidClient)
		}
		return nil
	}
	return nil
}

// assertionTimes applies checkTimes to a client assertion and records
// until when its jti must be remembered.
func (s *Server) assertionTimes(a *clientAuth) *rejection {
	exp, rej := s.checkTimes(a.t, invalidClient, defect.IgnoreExpiry, defect.UnboundedLifetime)
	a.exp = exp
	return rej
}

// knownClaims is defect.RejectUnknownClaims: a claim RFC 7523 §3 does not
// name is refused, where RFC 7519 §4 says to ignore claims not understood.
func (s *Server) knownClaims(a *clientAuth) *rejection {
	if !s.has(defect.RejectUnknownClaims) {
		return nil
	}
	for name := range a.t.claims {
		switch name {
		case "iss", "sub", "aud", "exp", "nbf", "iat", "jti":
		default:
			return invalidClient("unknown claim " + name)
		}
	}
	return nil
}

// jtiPresent: a jti is a string, and required where the profile says so
// (profile.Rules.RequireJTI: OIDC Core §9; RFC 7523 §3 item 7 leaves it
// optional).
func (s *Server) jtiPresent(a *clientAuth) *rejection {
	_, hasJTI, err := str(a.t.claims, "jti")
	if err != nil {
		return invalidClient(err.Error())
	}
	if !hasJTI && s.cfg.Profile.Rules().RequireJTI && !s.has(defect.AllowMissingJTI) {
		return invalidClient("jti is required")
	}
	return nil
}

// jtiUnused: a jti is accepted once while its assertion is acceptable
// (RFC 7523 §3 item 7).
func (s *Server) jtiUnused(a *clientAuth) *rejection {
	jti, hasJTI, _ := str(a.t.claims, "jti") // jtiPresent refused one that is not a string
	if hasJTI && !s.has(defect.ConsumeRejectedJTI) && !s.has(defect.ConsumeJTIBeforeClaims) && !s.has(defect.IgnoreReplay) && !s.replay.use(s.replayKey(a.c, jti, a.t), a.exp) {
		return s.replayed(invalidClient)
	}
	return nil
}

// replayed answers a jti seen before with fail's code (RFC 6749 §5.2), or
// under defect.ReplayCustomCode with a code of the server's own.
func (s *Server) replayed(fail func(string) *rejection) *rejection {
	if s.has(defect.ReplayCustomCode) {
		return reject(oauth.ErrorCode("jti_known"), "the jti has been seen before")
	}
	return fail("the assertion has been used before")
}

// clientAudience applies the profile's aud rule to a client assertion
// (RFC 7523 §3 item 3; 7523bis §4; OIDC Core §9 errata 3; FAPI 2.0 SP
// §5.3.2.1 item 8).
func (s *Server) clientAudience(a *clientAuth) *rejection {
	if s.has(defect.IgnoreAudience) {
		return nil
	}
	values, isArray, ok := audValues(a.t.claims)
	if !ok && s.has(defect.AudTypeConfusion) {
		return nil // CVE-2020-26160: an aud of an unexpected type is skipped.
	}
	if !ok {
		return invalidClient("aud is missing or malformed")
	}
	rules := s.cfg.Profile.Rules()
	strict := rules.IssuerAudience
	teAllowed := !strict && !s.has(defect.RejectTokenEndpointAudience) || strict && s.has(defect.AcceptTokenEndpointAudience)
	if strict && isArray {
		if len(values) > 1 && !s.has(defect.AcceptAudienceArray) {
			return invalidClient("aud must hold the issuer identifier as its sole value")
		}
		if len(values) == 1 && rules.AudienceString && !s.has(defect.AcceptSingleElementArray) {
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
func (s *Server) checkTimes(t *token, fail func(string) *rejection, ignoreExpiry, unbounded defect.Name) (time.Time, *rejection) {
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
	case hasExp && exp < 1e9 && s.has(defect.EpochExpUnset):
		// A zero-valued or epoch-era exp read as "unset", as servers whose
		// time type treats the zero time as no expiry do.
	case hasExp:
		expiry = unix(exp)
		if now.Sub(expiry) > s.cfg.ClockSkew && !s.has(ignoreExpiry) {
			return time.Time{}, fail("the assertion has expired")
		}
		if expiry.Sub(now) > s.cfg.MaxLifetime+s.cfg.ClockSkew && !s.has(unbounded) {
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
