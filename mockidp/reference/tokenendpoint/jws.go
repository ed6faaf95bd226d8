package tokenendpoint

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/go-jose/go-jose/v4"
)

// token is a compact JWS split and decoded, not yet verified.
type token struct {
	raw    string
	si     string
	sig    []byte
	header map[string]json.RawMessage
	claims map[string]json.RawMessage
	// lenient marks a token read by a defect path: verify it without
	// go-jose, whose own parsing would hide the defect.
	lenient  bool
	allowDER bool // defect.AcceptDERSignature: ES256 signatures may be DER
}

// parseCompact splits a compact JWS strictly: three segments of the base64url
// alphabet without padding (RFC 7515 §2, §7.1; 8725bis §3.14), canonical
// encoding, and header and claims that are complete UTF-8 JSON objects with
// no duplicate members (RFC 7515 §4, RFC 7519 §7.2).
func parseCompact(raw string, o parseOpts) (*token, error) {
	parts := strings.Split(raw, ".")
	if o.laxSegments && len(parts) > 3 {
		parts = parts[:3]
	}
	if o.emptySig && len(parts) == 2 {
		parts = append(parts, "")
	}
	if len(parts) != 3 {
		return nil, errors.New("not a compact JWS (want three segments)")
	}
	for _, p := range parts {
		for i := 0; i < len(p) && !o.laxBase64; i++ {
			c := p[i]
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return nil, errors.New("character outside the base64url alphabet")
			}
		}
	}
	if parts[0] == "" || parts[1] == "" {
		return nil, errors.New("empty header or payload")
	}
	var dec interface{ DecodeString(string) ([]byte, error) } = base64.RawURLEncoding.Strict()
	if o.laxBase64 {
		dec = laxBase64{}
	}
	hb, err := dec.DecodeString(parts[0])
	if err != nil {
		return nil, errors.New("header is not canonical base64url")
	}
	cb, err := dec.DecodeString(parts[1])
	if err != nil {
		return nil, errors.New("payload is not canonical base64url")
	}
	sig, err := dec.DecodeString(parts[2])
	if err != nil {
		return nil, errors.New("signature is not canonical base64url")
	}
	if o.rejectSpace && bytes.ContainsAny(hb, " \t\r\n") {
		return nil, errors.New("header: whitespace")
	}
	h, err := decodeObject(hb, o)
	if err != nil {
		return nil, errors.New("header: " + err.Error())
	}
	c, err := decodeObject(cb, o)
	if err != nil {
		return nil, errors.New("claims: " + err.Error())
	}
	return &token{raw: strings.Join(parts, "."), si: parts[0] + "." + parts[1], sig: sig, header: h, claims: c}, nil
}

// decodeSegment decodes one segment: only the base64url alphabet, no
// padding, canonical trailing bits (RFC 7515 §2; 8725bis §3.14).
func decodeSegment(p string) ([]byte, error) {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, errors.New("character outside the base64url alphabet")
		}
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(p)
	if err != nil {
		return nil, errors.New("not canonical base64url")
	}
	return b, nil
}

// decodeObject decodes a JSON object, refusing invalid UTF-8, duplicate
// member names and trailing data.
func decodeObject(b []byte, o parseOpts) (map[string]json.RawMessage, error) {
	if o.laxJSON {
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	} else if !utf8.Valid(b) {
		return nil, errors.New("not valid UTF-8")
	} else if hasLoneSurrogate(b) {
		return nil, errors.New("lone UTF-16 surrogate escape")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	t, err := d.Token()
	if err != nil || t != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	out := map[string]json.RawMessage{}
	for d.More() {
		kt, err := d.Token()
		if err != nil {
			return nil, errors.New("malformed JSON")
		}
		k, _ := kt.(string)
		if o.foldCase {
			k = foldMember(k)
		}
		_, dup := out[k]
		if dup && !o.firstDup && !o.foldCase {
			return nil, errors.New("duplicate member " + k)
		}
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return nil, errors.New("malformed JSON")
		}
		if !dup || !o.firstDup {
			out[k] = v
		}
	}
	if t, err := d.Token(); err != nil || t != json.Delim('}') {
		return nil, errors.New("malformed JSON")
	}
	if len(bytes.TrimSpace(b[d.InputOffset():])) > 0 && !o.laxJSON {
		return nil, errors.New("trailing data after the JSON object")
	}
	return out, nil
}

// str returns a member that must be a JSON string.
func str(m map[string]json.RawMessage, name string) (string, bool, error) {
	raw, ok := m[name]
	if !ok {
		return "", false, nil
	}
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", true, errors.New(name + " must be a string")
	}
	return s, true, nil
}

// numericDate returns a member that must be a JSON number (RFC 7519 §2).
func numericDate(m map[string]json.RawMessage, name string) (float64, bool, error) {
	raw, ok := m[name]
	if !ok {
		return 0, false, nil
	}
	var n json.Number
	if len(raw) == 0 || !(raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') || json.Unmarshal(raw, &n) != nil {
		return 0, true, errors.New(name + " must be a number")
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f < 0 || f > 1e11 {
		return 0, true, errors.New(name + " is out of range")
	}
	return f, true, nil
}

// verifyJOSE verifies t's signature with key through go-jose, naming the one
// allowed algorithm; for PS* it also enforces the RFC 7518 §3.5 salt length
// (go-jose accepts any) unless anySalt.
func verifyJOSE(t *token, alg string, key any, anySalt bool) error {
	obj, err := jose.ParseSignedCompact(t.raw, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		return err
	}
	if _, err := obj.Verify(key); err != nil {
		return err
	}
	if strings.HasPrefix(alg, "PS") && !anySalt {
		pub, ok := key.(*rsa.PublicKey)
		if !ok {
			return errors.New("PS algorithms need an RSA key")
		}
		h := sha256.Sum256([]byte(t.si))
		if alg != "PS256" {
			return nil // only PS256 is offered
		}
		if err := rsa.VerifyPSS(pub, crypto.SHA256, h[:], t.sig, &rsa.PSSOptions{SaltLength: 32}); err != nil {
			return errors.New("PS256 salt length is not 32")
		}
	}
	return nil
}

// verifyLax is the signature check of defect paths: no algorithm allowlist,
// the algorithm name compared case-insensitively, HMAC with any byte key.
func verifyLax(t *token, alg string, key any) error {
	si := []byte(t.si)
	h := sha256.Sum256(si)
	switch k := key.(type) {
	case []byte:
		m := hmac.New(sha256.New, k)
		m.Write(si)
		if !hmac.Equal(m.Sum(nil), t.sig) {
			return errors.New("bad MAC")
		}
		return nil
	case *ecdsa.PublicKey:
		if len(t.sig) != 64 && t.allowDER {
			if !ecdsa.VerifyASN1(k, h[:], t.sig) {
				return errors.New("bad DER ES256 signature")
			}
			return nil
		}
		if len(t.sig) != 64 {
			return errors.New("bad ES256 signature length")
		}
		r, s := new(big.Int).SetBytes(t.sig[:32]), new(big.Int).SetBytes(t.sig[32:])
		if !ecdsa.Verify(k, h[:], r, s) {
			return errors.New("bad ES256 signature")
		}
		return nil
	case *rsa.PublicKey:
		if strings.EqualFold(alg, "PS256") {
			return rsa.VerifyPSS(k, crypto.SHA256, h[:], t.sig, nil)
		}
		return rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], t.sig)
	case ed25519.PublicKey:
		if !ed25519.Verify(k, si, t.sig) {
			return errors.New("bad EdDSA signature")
		}
		return nil
	}
	return errors.New("unsupported key type")
}
