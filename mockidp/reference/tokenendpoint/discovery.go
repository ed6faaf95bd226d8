package tokenendpoint

import (
	"crypto/sha1" //nolint:gosec // x5t is a SHA-1 thumbprint (RFC 7517 §4.8), not a signature
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"slices"
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

// metadataDocument is the published metadata (RFC 8414 §2, OpenID Connect
// Discovery §3): the clean document, then the edit of each metadata defect
// switched on, then signed_metadata (RFC 8414 §2.1) over the result.
func (s *Server) metadataDocument() map[string]any {
	algs := s.SigningAlgs()
	m := map[string]any{
		"issuer":                                           s.cfg.Issuer,
		"token_endpoint":                                   s.TokenEndpoint(),
		"jwks_uri":                                         s.cfg.Issuer + "/jwks",
		"response_types_supported":                         []string{"code"},
		"authorization_endpoint":                           s.cfg.Issuer + "/authorize",
		"subject_types_supported":                          []string{"public"},
		"id_token_signing_alg_values_supported":            []string{"RS256", "ES256"},
		"grant_types_supported":                            []string{oauth.GrantClientCreds, oauth.GrantJWTBearer},
		"token_endpoint_auth_methods_supported":            []string{oauth.AuthPrivateKeyJWT, oauth.AuthClientSecretJWT, oauth.AuthClientSecretBasic},
		"token_endpoint_auth_signing_alg_values_supported": algs,
		"scopes_supported":                                 []string{"read", "write"},
		"introspection_endpoint":                           s.IntrospectionEndpoint(),
		"revocation_endpoint":                              s.RevocationEndpoint(),
		"registration_endpoint":                            s.cfg.Issuer + "/register",
	}
	if s.cfg.Profile.Rules().PrivateKeyJWTOnly {
		m["token_endpoint_auth_methods_supported"] = []string{oauth.AuthPrivateKeyJWT}
	}
	// The introspection endpoint authenticates clients as the token
	// endpoint does (RFC 7662 §2.1, RFC 8414 §2).
	m["introspection_endpoint_auth_methods_supported"] = m["token_endpoint_auth_methods_supported"]
	m["introspection_endpoint_auth_signing_alg_values_supported"] = algs
	m["revocation_endpoint_auth_methods_supported"] = m["token_endpoint_auth_methods_supported"]
	m["revocation_endpoint_auth_signing_alg_values_supported"] = algs
	for _, d := range metadataDefects {
		if s.has(d.defect) {
			d.edit(s, m)
		}
	}
	if sm, err := s.signedMetadata(m); err == nil {
		m["signed_metadata"] = sm
	}
	return m
}

// metadataDefects are the defects that alter the metadata document (catalog
// A.9), each with its edit of the clean document; an edit changes only the
// member its defect names. The response (defect.MetadataNotJSON), the
// routes (defect.NoOAuthMetadata) and the signed copy
// (defect.SignedMetadataNoIss) are altered where they are made.
var metadataDefects = []struct {
	defect defect.Name
	edit   func(s *Server, m map[string]any)
}{
	{defect.MetadataAdvertiseNone, appendMember("token_endpoint_auth_signing_alg_values_supported", "none")},
	{defect.MetadataNoGrantType, func(_ *Server, m map[string]any) { m["grant_types_supported"] = []string{oauth.GrantClientCreds} }},
	{defect.MetadataIssuerSlash, func(s *Server, m map[string]any) { m["issuer"] = s.cfg.Issuer + "/" }},
	{defect.MetadataNoTokenEndpoint, dropMember("token_endpoint")},
	{defect.MetadataNoSigningAlgs, dropMember("token_endpoint_auth_signing_alg_values_supported")},
	{defect.MetadataEmptyArray, func(_ *Server, m map[string]any) { m["claims_supported"] = []string{} }},
	{defect.MetadataIssuerQuery, func(s *Server, m map[string]any) { m["issuer"] = s.cfg.Issuer + "?tenant=assay" }},
	{defect.MetadataNoIssuer, dropMember("issuer")},
	{defect.MetadataNoResponseTypes, dropMember("response_types_supported")},
	{defect.MetadataNoSubjectTypes, dropMember("subject_types_supported")},
	{defect.MetadataJWKSURIHTTP, func(s *Server, m map[string]any) {
		m["jwks_uri"] = "http://" + strings.TrimPrefix(s.cfg.Issuer, "https://") + "/jwks"
	}},
	{defect.MetadataNoPrivateKeyJWT, func(_ *Server, m map[string]any) {
		list, _ := m["token_endpoint_auth_methods_supported"].([]string)
		var out []string
		for _, x := range list {
			if x != oauth.AuthPrivateKeyJWT {
				out = append(out, x)
			}
		}
		m["token_endpoint_auth_methods_supported"] = out
	}},
	{defect.AdvertiseAuthNone, appendMember("token_endpoint_auth_methods_supported", oauth.AuthNone)},
}

// dropMember is the edit that removes a member.
func dropMember(name string) func(*Server, map[string]any) {
	return func(_ *Server, m map[string]any) { delete(m, name) }
}

// appendMember is the edit that adds v to a list member, in a copy: the
// clean document may share the list with another member.
func appendMember(name, v string) func(*Server, map[string]any) {
	return func(_ *Server, m map[string]any) {
		list, _ := m[name].([]string)
		m[name] = append(slices.Clip(list), v)
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
		// x5t and x5t#S256 are the SHA-1 and SHA-256 thumbprints of the
		// x5c certificate (RFC 7517 §4.8, §4.9).
		thumbOf := der
		if s.has(defect.JWKSX5tMismatch) {
			thumbOf = append([]byte("another certificate: "), der...)
		}
		s1, s256 := sha1.Sum(thumbOf), sha256.Sum256(thumbOf)
		edit(0, func(m map[string]any) {
			m["x5c"] = []string{base64.StdEncoding.EncodeToString(der)}
			m["x5t"] = base64.RawURLEncoding.EncodeToString(s1[:])
			m["x5t#S256"] = base64.RawURLEncoding.EncodeToString(s256[:])
		})
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
