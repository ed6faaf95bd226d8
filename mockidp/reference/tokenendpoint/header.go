package tokenendpoint

import (
	"strings"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
)

// assertionHeader applies checkHeader to a client assertion and records
// its algorithm.
func (s *Server) assertionHeader(a *clientAuth) *rejection {
	alg, rej := s.checkHeader(a.t, invalidClient, false)
	a.alg = alg
	return rej
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
