package tokenendpoint

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/oauth"
)

// clientSignature finds the client's key and verifies the signature
// (RFC 7523 §3 item 9; RFC 8725 §3.1, §3.8: the key belongs to iss, one
// algorithm per key).
func (s *Server) clientSignature(a *clientAuth) *rejection {
	ctx, t, alg, c := a.ctx, a.t, a.alg, a.c
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
			if s.confusedHMAC(t, alg, k) {
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
	if k.Use == "" && s.has(defect.RequireKeyUse) {
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

// confusions are the B-ALG-06 defects: each keys HMAC with the client's
// RSA public key in one encoding, as a library handed the key's bytes for
// any alg does (RFC 8725 §2.1).
var confusions = []struct {
	defect defect.Name
	enc    keys.Confusion
}{
	{defect.HMACPublicPEM, keys.ConfusePEM},
	{defect.HMACPublicPEMTrimmed, keys.ConfusePEMTrimmed},
	{defect.HMACPublicPKCS1, keys.ConfusePKCS1},
	{defect.HMACPublicDER, keys.ConfuseDER},
	{defect.HMACPublicJWK, keys.ConfuseJWK},
	{defect.HMACPublicModulus, keys.ConfuseModulus},
	{defect.HMACPublicModulusB64, keys.ConfuseModulusB64},
}

// confusedHMAC is the vulnerable verification of the B-ALG-06 defects
// switched on: an HMAC alg verified with the encoding of k that defect
// names.
func (s *Server) confusedHMAC(t *token, alg string, k jose.JSONWebKey) bool {
	for _, c := range confusions {
		if !s.has(c.defect) {
			continue
		}
		if secret, err := keys.ConfusionSecret(k, c.enc); err == nil && verifyLax(t, alg, secret) == nil {
			return true
		}
	}
	return false
}

// hmacWithPublic is the algorithm-confusion defect: HS256 verified with the
// client's public key bytes as the secret in any of several encodings, RSA
// or EC (catalog B-ALG-08, B-KEY-11).
func hmacWithPublic(t *token, k jose.JSONWebKey) bool {
	der, err := x509.MarshalPKIXPublicKey(k.Key)
	if err != nil {
		return false
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	jwk, _ := json.Marshal(k)
	secrets := [][]byte{pemKey, bytes.TrimRight(pemKey, "\n"), der, jwk}
	if ec, ok := k.Key.(*ecdsa.PublicKey); ok {
		secrets = append(secrets, ecPointSecrets(ec)...)
	}
	for _, secret := range secrets {
		if verifyLax(t, "HS256", secret) == nil {
			return true
		}
	}
	return false
}
