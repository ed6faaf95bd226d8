package tokenendpoint

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/defect"
)

// This file holds the broken verifiers that catalog B's defects switch on.
// Each reproduces a published class of bug (RFC 8725 §2; the CVEs named on
// the rows) so that the attack rows can be shown to catch it.

// quirkVerify reports whether a lenient signature check accepts t with key:
// the signature-bytes defects of B.2, and verifyLax when a parsing defect
// let through a token go-jose would refuse.
func (s *Server) quirkVerify(t *token, alg string, key any) bool {
	up := strings.ToUpper(alg)
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		if !strings.HasPrefix(up, "ES") {
			break
		}
		if s.has(defect.PsychicECDSA) && psychic(k, t.sig) {
			return true
		}
		if s.has(defect.AcceptDERECDSA) && verifyDER(k, t) {
			return true
		}
		if s.has(defect.CurveNotBound) && up == "ES256" && !curveFits(k, alg) && verifyAnyCurve(k, t) {
			return true
		}
		if s.has(defect.LaxSignatureSize) && len(t.sig) != 64 {
			return verifyLax(&token{si: t.si, sig: resize(t.sig, 64)}, alg, k) == nil
		}
	case *rsa.PublicKey:
		size := k.Size()
		if s.has(defect.LaxSignatureSize) && len(t.sig) != size {
			// Also try plain truncation: a signature that itself starts
			// with 0x00 (about 1 in 200) loses that byte to resize.
			return verifyLax(&token{si: t.si, sig: resize(t.sig, size)}, alg, k) == nil ||
				len(t.sig) > size && verifyLax(&token{si: t.si, sig: t.sig[:size]}, alg, k) == nil
		}
		if s.has(defect.LenientPKCS1) && strings.HasPrefix(up, "RS") && lenientPKCS1(k, t) {
			return true
		}
		if s.has(defect.TextbookRSA) && up == "RS256" && textbookPKCS1(k, t) {
			return true
		}
	}
	if s.has(defect.AcceptEmptySig) && len(t.sig) == 0 {
		return true
	}
	return s.laxParsing() && verifyLax(t, alg, key) == nil
}

// psychic is CVE-2022-21449: r and s reduced mod n but never checked to be
// in [1, n-1], so r = s = 0 "verifies" any message.
func psychic(k *ecdsa.PublicKey, sig []byte) bool {
	if len(sig) == 0 || len(sig)%2 != 0 {
		return false
	}
	n := k.Curve.Params().N
	r := new(big.Int).Mod(new(big.Int).SetBytes(sig[:len(sig)/2]), n)
	s := new(big.Int).Mod(new(big.Int).SetBytes(sig[len(sig)/2:]), n)
	return r.Sign() == 0 && s.Sign() == 0
}

func verifyDER(k *ecdsa.PublicKey, t *token) bool {
	var rs struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(t.sig, &rs); err != nil || len(rest) > 0 {
		return false
	}
	h := sha256.Sum256([]byte(t.si))
	return ecdsa.Verify(k, h[:], rs.R, rs.S)
}

// resize brings sig to n bytes the careless way: strip leading zeros, pad
// on the left, drop trailing bytes.
func resize(sig []byte, n int) []byte {
	for len(sig) > n && sig[0] == 0 {
		sig = sig[1:]
	}
	if len(sig) > n {
		return sig[:n]
	}
	return append(make([]byte, n-len(sig)), sig...)
}

// lenientPKCS1 is the Bleichenbacher-2006 class: the signature is raised to
// e without a range check and only the padding prefix and the trailing hash
// are compared, so the DigestInfo is never parsed.
func lenientPKCS1(k *rsa.PublicKey, t *token) bool {
	m := new(big.Int).Exp(new(big.Int).SetBytes(t.sig), big.NewInt(int64(k.E)), k.N)
	em := m.FillBytes(make([]byte, k.Size()))
	h := sha256.Sum256([]byte(t.si))
	if em[0] != 0 || em[1] != 1 || !bytes.HasSuffix(em, h[:]) {
		return false
	}
	i := 2
	for i < len(em) && em[i] == 0xff {
		i++
	}
	return i > 10 && i < len(em) && em[i] == 0
}

// headerKeyVerify is the family of defects that trust key material the
// token itself names (RFC 8725 §3.10; RFC 7515 §4.1.2-4.1.6): an embedded
// jwk, an x5c leaf without path validation, or keys fetched from jku/x5u.
func (s *Server) headerKeyVerify(ctx context.Context, t *token, alg string) bool {
	if raw, ok := t.header["jwk"]; ok && s.has(defect.TrustEmbeddedJWK) {
		var k jose.JSONWebKey
		if k.UnmarshalJSON(raw) == nil && verifyLax(t, alg, k.Key) == nil {
			return true
		}
	}
	if raw, ok := t.header["x5c"]; ok && s.has(defect.TrustX5C) {
		var chain []string
		if json.Unmarshal(raw, &chain) == nil && len(chain) > 0 {
			der, err := base64.StdEncoding.DecodeString(chain[0])
			if err == nil {
				if cert, err := x509.ParseCertificate(der); err == nil && verifyLax(t, alg, cert.PublicKey) == nil {
					return true
				}
			}
		}
	}
	if !s.has(defect.FetchHeaderURL) {
		return false
	}
	for _, name := range []string{"jku", "x5u"} {
		u, ok, err := str(t.header, name)
		if !ok || err != nil {
			continue
		}
		for _, k := range s.fetchKeys(ctx, u) {
			if verifyLax(t, alg, k.Key) == nil {
				return true
			}
		}
	}
	return false
}

func (s *Server) fetchKeys(ctx context.Context, u string) []jose.JSONWebKey {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil
	}
	resp, err := s.cfg.HTTP.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil
	}
	ks, _ := parseKeySet(b, false, false)
	return ks
}

var sqlLiteral = regexp.MustCompile(`(?i)union\s+select\s+'([^']*)'`)

// kidSecret is what a kid used as a file path or spliced into a query
// yields as the HMAC key (PortSwigger "kid path traversal"; jwt_tool
// playbook): /dev/null reads empty, randomize_va_space reads "2\n", a SQL
// UNION SELECT returns its literal.
func (s *Server) kidSecret(kid string) ([][]byte, bool) {
	if s.has(defect.KidPathLookup) && strings.Contains(kid, "/") {
		switch {
		case strings.HasSuffix(kid, "/dev/null"):
			return [][]byte{{}}, true
		case strings.HasSuffix(kid, "randomize_va_space"):
			return [][]byte{[]byte("2\n"), []byte("2")}, true
		}
	}
	if m := sqlLiteral.FindStringSubmatch(kid); m != nil && s.has(defect.KidInjection) {
		return [][]byte{[]byte(m[1])}, true
	}
	return nil, false
}

// slowKid is a kid handed to a shell: "sleep" costs time (U7).
func (s *Server) slowKid(ctx context.Context, kid string) {
	if !s.has(defect.SlowKid) || !strings.Contains(kid, "sleep") {
		return
	}
	if s.cfg.Pause != nil {
		s.cfg.Pause(slowKidDelay)
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(slowKidDelay):
	}
}

// slowKidDelay is what a "sleep" kid costs under defect.SlowKid.
const slowKidDelay = 2500 * time.Millisecond

// coerceString is the claim-type confusion of B-CLM-07: an array yields its
// first element, a NUL ends the string as in C.
func coerceString(m map[string]json.RawMessage, name string) (string, bool, error) {
	raw, ok := m[name]
	if !ok {
		return "", false, nil
	}
	var arr []string
	if json.Unmarshal(raw, &arr) == nil && len(arr) > 0 {
		return arr[0], true, nil
	}
	v, has, err := str(m, name)
	if i := strings.IndexByte(v, 0); i >= 0 {
		v = v[:i]
	}
	return v, has, err
}

// ecPointSecrets are the raw public-point encodings of an EC key that
// HMAC-confusion bugs key the MAC with (B-ALG-08).
func ecPointSecrets(k *ecdsa.PublicKey) [][]byte {
	size := (k.Curve.Params().BitSize + 7) / 8
	xy := make([]byte, 2*size)
	k.X.FillBytes(xy[:size])
	k.Y.FillBytes(xy[size:])
	return [][]byte{append([]byte{4}, xy...), xy}
}

// algFromKey marks a token whose alg is missing or not a string, under
// defect.AlgFromKey: the verifier takes the algorithm from the key.
const algFromKey = "\x00from-key"

// replayKey scopes a jti to its client (RFC 7523 §3 item 7: unique per
// issuer); the defects key it on the token bytes or on the jti alone.
func (s *Server) replayKey(c *Client, jti string, t *token) string {
	switch {
	case s.has(defect.ReplayByToken):
		return "client\x00" + c.ID + "\x00" + t.raw
	case s.has(defect.GlobalJTIScope):
		return "jti\x00" + jti
	}
	return "client\x00" + c.ID + "\x00" + jti
}

// hmacWithOwnKey is B-ALG-07: HS256 verified with the AS's own published
// public key as the secret.
func (s *Server) hmacWithOwnKey(t *token) bool {
	if !s.has(defect.HMACWithASKey) {
		return false
	}
	for _, k := range s.cfg.Keys.Public().Keys {
		if hmacWithPublic(t, k) {
			return true
		}
	}
	return false
}

// ownToken is B-CLM-19: a JWT this AS signed (an access token) taken as an
// assertion because the signature verifies (RFC 8725 §2.8 substitution).
func (s *Server) ownToken(t *token) (map[string]json.RawMessage, bool) {
	if !s.has(defect.TrustOwnTokens) {
		return nil, false
	}
	for _, k := range s.cfg.Keys.Public().Keys {
		if verifyLax(t, "ES256", k.Key) == nil {
			return t.claims, true
		}
	}
	return nil, false
}
