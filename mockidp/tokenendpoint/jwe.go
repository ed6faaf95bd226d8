package tokenendpoint

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

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
	obj, err := jose.ParseEncrypted(raw, []jose.KeyAlgorithm{jose.ECDH_ES}, []jose.ContentEncryption{jose.A128GCM, jose.A256GCM})
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
	deadline := time.Now().Add(pbes2Budget)
	mac := hmac.New(sha256.New, nil)
	u := append(salt, 0, 0, 0, 1)
	for i := int64(0); i < h.P2C; i++ {
		if i%4096 == 0 && (time.Now().After(deadline) || ctx.Err() != nil) {
			return
		}
		mac.Reset()
		mac.Write(u)
		u = mac.Sum(u[:0])
	}
}
