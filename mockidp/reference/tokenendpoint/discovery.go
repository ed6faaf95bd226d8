package tokenendpoint

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/oauth"
)

// IntrospectionEndpoint is the RFC 7662 introspection endpoint URL.
func (s *Server) IntrospectionEndpoint() string { return s.cfg.Issuer + "/introspect" }

// metadataExtras adds the introspection endpoint (RFC 7662 §4) and
// signed_metadata (RFC 8414 §2.1) to the metadata document m, and applies
// the discovery defects of catalog A.9. It runs last, on the finished document.
func (s *Server) metadataExtras(m map[string]any) {
	m["introspection_endpoint"] = s.IntrospectionEndpoint()
	m["registration_endpoint"] = s.cfg.Issuer + "/register"
	m["introspection_endpoint_auth_methods_supported"] = m["token_endpoint_auth_methods_supported"]
	m["introspection_endpoint_auth_signing_alg_values_supported"] = m["token_endpoint_auth_signing_alg_values_supported"]
	if s.has(defect.MetadataIssuerQuery) {
		m["issuer"] = s.cfg.Issuer + "?tenant=assay"
	}
	if s.has(defect.MetadataNoIssuer) {
		delete(m, "issuer")
	}
	if s.has(defect.MetadataNoResponseTypes) {
		delete(m, "response_types_supported")
	}
	if s.has(defect.MetadataNoSubjectTypes) {
		delete(m, "subject_types_supported")
	}
	if s.has(defect.MetadataJWKSURIHTTP) {
		m["jwks_uri"] = "http://" + strings.TrimPrefix(s.cfg.Issuer, "https://") + "/jwks"
	}
	if methods, ok := m["token_endpoint_auth_methods_supported"].([]string); ok {
		var out []string
		for _, x := range methods {
			if x != oauth.AuthPrivateKeyJWT || !s.has(defect.MetadataNoPrivateKeyJWT) {
				out = append(out, x)
			}
		}
		if s.has(defect.AdvertiseAuthNone) {
			out = append(out, oauth.AuthNone)
		}
		m["token_endpoint_auth_methods_supported"] = out
	}
	if sm, err := s.signedMetadata(m); err == nil {
		m["signed_metadata"] = sm
	}
}

// signedMetadata signs every member of m as the claims of a JWT with the
// first AS key, plus iss (RFC 8414 §2.1: MUST contain iss).
func (s *Server) signedMetadata(m map[string]any) (string, error) {
	claims := map[string]any{}
	for k, v := range m {
		claims[k] = v
	}
	if !s.has(defect.SignedMetadataNoIss) {
		claims["iss"] = s.cfg.Issuer
	}
	key := s.cfg.Keys[0]
	opts := (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", key.ID())
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(key.Alg()), Key: key.Private()}, opts)
	if err != nil {
		return "", err
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

// jwksExtras adds an x5c chain to the first published key (RFC 7517 §4.7)
// and applies the JWKS defects of catalog A.10 to the published members.
func (s *Server) jwksExtras(members []json.RawMessage) []json.RawMessage {
	if len(members) == 0 {
		return members
	}
	edit := func(i int, f func(m map[string]any)) {
		var m map[string]any
		if json.Unmarshal(members[i], &m) != nil {
			return
		}
		f(m)
		if b, err := json.Marshal(m); err == nil {
			members[i] = b
		}
	}
	certKey := s.cfg.Keys[0]
	if s.has(defect.JWKSX5cMismatch) && len(s.cfg.Keys) > 1 {
		certKey = s.cfg.Keys[1]
	}
	if der, err := s.selfSigned(certKey); err == nil {
		edit(0, func(m map[string]any) { m["x5c"] = []string{base64.StdEncoding.EncodeToString(der)} })
	}
	if s.has(defect.JWKSUseKeyOpsConflict) {
		edit(0, func(m map[string]any) { m["key_ops"] = []string{"encrypt"} })
	}
	if s.has(defect.JWKSEncKeyWithoutUse) && len(members) > 1 {
		// An encryption key joins the set and the first key loses its use.
		var m map[string]any
		if json.Unmarshal(members[1], &m) == nil {
			m["kid"], m["use"] = "enc-1", "enc"
			delete(m, "alg")
			if b, err := json.Marshal(m); err == nil {
				members = append(members, b)
			}
		}
		edit(0, func(m map[string]any) { delete(m, "use") })
	}
	if s.has(defect.JWKSNoKty) {
		var m map[string]any
		if json.Unmarshal(members[0], &m) == nil {
			delete(m, "kty")
			delete(m, "x5c")
			m["kid"] = "no-kty"
			if b, err := json.Marshal(m); err == nil {
				members = append(members, b)
			}
		}
	}
	return members
}

// selfSigned is a self-signed certificate for k, valid around the
// injected clock: enough for x5c, whose first certificate must hold the
// JWK's key (RFC 7517 §4.7).
func (s *Server) selfSigned(k keys.Key) ([]byte, error) {
	now := s.cfg.Clock()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.Unix()),
		Subject:      pkix.Name{CommonName: "assay reference signing key " + k.ID() + " (test only)"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	return x509.CreateCertificate(s.cfg.Rand, tmpl, tmpl, k.PublicKey(), k.Private())
}
