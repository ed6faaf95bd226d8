package tokenendpoint

import (
	"encoding/json"

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
