package tokenendpoint

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	josecipher "github.com/go-jose/go-jose/v4/cipher"

	"github.com/assayhq/assay/mockidp/keys"
)

// The reference publishes one encryption key (use "enc", ECDH-ES on P-256)
// next to its signing keys, as real authorization servers that take
// encrypted request objects or ID tokens do. It never decrypts a client
// assertion: a JWE proves nothing about its sender (RFC 8725bis §3.3), so
// a 5-segment token fails parseCompact like any other non-JWS. Only the
// defects below reach for the key.

// encKeyFixture names the committed test-only encryption key.
const encKeyFixture = "as.enc-es256"

// encAlg is the key management algorithm published with the key.
const encAlg = "ECDH-ES"

// loadEncKey reads the encryption key with its published alg.
func loadEncKey() (keys.Key, error) {
	k, err := keys.Fixture(encKeyFixture)
	if err != nil {
		return keys.Key{}, err
	}
	return k.With(k.ID(), encAlg), nil
}

// encMember is the JWKS member of the encryption key.
func (s *Server) encMember() (json.RawMessage, error) {
	j := s.enc.Public()
	j.Use = "enc"
	return json.Marshal(j)
}

// decryptedClaims is defect.DecryptJWE (CVE-2023-51774 json-jwt,
// CVE-2022-3102 jwcrypto): a JWE addressed to the AS's key is decrypted and
// its plaintext taken as authenticated claims, though anyone can encrypt
// to a public key.
func (s *Server) decryptedClaims(raw string) (map[string]json.RawMessage, bool) {
	obj, err := jose.ParseEncryptedCompact(raw, []jose.KeyAlgorithm{jose.ECDH_ES}, []jose.ContentEncryption{jose.A128GCM, jose.A256GCM})
	if err != nil {
		return nil, false
	}
	plain, err := obj.Decrypt(s.enc.Private())
	if err != nil {
		return nil, false
	}
	var claims map[string]json.RawMessage
	if json.Unmarshal(plain, &claims) != nil {
		return nil, false
	}
	return claims, true
}

// pbes2Budget bounds the work of defect.HonourP2C so that a self-test kill
// costs a second or so, well past the harness's latency slack.
const pbes2Budget = 1250 * time.Millisecond

// honourP2C is defect.HonourP2C (CVE-2022-36083 panva/jose, CVE-2023-52428
// Nimbus): before anything else, a PBES2 JWE's key is derived with the
// header's own p2c. The real count of 2^31-1 would take hours; this runs
// PBKDF2-HMAC-SHA256 until the count or pbes2Budget runs out.
func honourP2C(ctx context.Context, raw string) {
	seg, _, ok := strings.Cut(raw, ".")
	if !ok || strings.Count(raw, ".") != 4 {
		return
	}
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return
	}
	var h struct {
		Alg string `json:"alg"`
		P2S string `json:"p2s"`
		P2C int64  `json:"p2c"`
	}
	if json.Unmarshal(b, &h) != nil || !strings.HasPrefix(h.Alg, "PBES2-") || h.P2C <= 0 {
		return
	}
	salt := append([]byte(h.Alg+"\x00"), h.P2S...)
	// A context deadline, not the injected clock: the budget bounds real
	// CPU work, which a test clock does not see.
	ctx, cancel := context.WithTimeout(ctx, pbes2Budget)
	defer cancel()
	mac := hmac.New(sha256.New, nil)
	u := append(salt, 0, 0, 0, 1)
	for i := int64(0); i < h.P2C; i++ {
		if i%4096 == 0 && ctx.Err() != nil {
			return
		}
		mac.Reset()
		mac.Write(u)
		u = mac.Sum(u[:0])
	}
}

// inflateLimit is where defect.InflateUnbounded's worker "runs out of
// memory": a plaintext this large ends the request in a 500.
const inflateLimit = 8 << 20

// inflateBomb is defect.InflateUnbounded (CVE-2024-28180 go-jose,
// CVE-2024-28176 panva/jose, CVE-2024-33664 python-jose): a JWE to the AS's
// key is decrypted (ECDH-ES direct, AES-GCM) and its zip:DEF plaintext
// inflated with no limit before anything looks at it. It reports whether
// the plaintext passed inflateLimit, i.e. whether the worker would die.
func (s *Server) inflateBomb(raw string) bool {
	p := strings.Split(raw, ".")
	if len(p) != 5 {
		return false
	}
	hb, err := base64.RawURLEncoding.DecodeString(p[0])
	if err != nil {
		return false
	}
	var h struct {
		Alg string           `json:"alg"`
		Enc string           `json:"enc"`
		Zip string           `json:"zip"`
		Apu string           `json:"apu"`
		Apv string           `json:"apv"`
		EPK *jose.JSONWebKey `json:"epk"`
	}
	if json.Unmarshal(hb, &h) != nil || h.Alg != "ECDH-ES" || h.Zip != "DEF" || h.EPK == nil {
		return false
	}
	size := map[string]int{"A128GCM": 16, "A192GCM": 24, "A256GCM": 32}[h.Enc]
	epk, ok := h.EPK.Key.(*ecdsa.PublicKey)
	priv, ok2 := s.enc.Private().(*ecdsa.PrivateKey)
	if size == 0 || !ok || !ok2 {
		return false
	}
	apu, _ := base64.RawURLEncoding.DecodeString(h.Apu)
	apv, _ := base64.RawURLEncoding.DecodeString(h.Apv)
	cek := josecipher.DeriveECDHES(h.Enc, apu, apv, priv, epk, size)
	iv, err1 := base64.RawURLEncoding.DecodeString(p[2])
	ct, err2 := base64.RawURLEncoding.DecodeString(p[3])
	tag, err3 := base64.RawURLEncoding.DecodeString(p[4])
	if err1 != nil || err2 != nil || err3 != nil {
		return false
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return false
	}
	gcm, err := cipher.NewGCMWithNonceSize(block, len(iv))
	if err != nil {
		return false
	}
	plain, err := gcm.Open(nil, iv, append(ct, tag...), []byte(p[0]))
	if err != nil {
		return false
	}
	n, _ := io.Copy(io.Discard, flate.NewReader(bytes.NewReader(plain)))
	return n > inflateLimit
}

// invalidCurve is defect.ECDHInvalidCurve (CVE-2016-9121 go-jose): an
// ECDH-ES JWE's epk is read by hand and multiplied by the AS's private key
// with no on-curve check. crypto/elliptic refuses the point by panicking,
// and the handler's recover turns that into a 500; a library without that
// guard leaks bits of the key instead. It reports whether that happened.
func (s *Server) invalidCurve(raw string) (crashed bool) {
	p := strings.Split(raw, ".")
	if len(p) != 5 {
		return false
	}
	hb, err := base64.RawURLEncoding.DecodeString(p[0])
	if err != nil {
		return false
	}
	var h struct {
		Alg string `json:"alg"`
		EPK struct {
			Crv, X, Y string
		} `json:"epk"`
	}
	if json.Unmarshal(hb, &h) != nil || h.Alg != "ECDH-ES" || h.EPK.Crv != "P-256" {
		return false
	}
	xb, err1 := base64.RawURLEncoding.DecodeString(h.EPK.X)
	yb, err2 := base64.RawURLEncoding.DecodeString(h.EPK.Y)
	priv, ok := s.enc.Private().(*ecdsa.PrivateKey)
	if err1 != nil || err2 != nil || !ok {
		return false
	}
	defer func() {
		if recover() != nil {
			crashed = true
		}
	}()
	elliptic.P256().ScalarMult(new(big.Int).SetBytes(xb), new(big.Int).SetBytes(yb), priv.D.Bytes()) //nolint:staticcheck // the defect is using the raw curve API
	return false
}
