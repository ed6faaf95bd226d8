// Package oauth holds the protocol vocabulary shared by the harness and the
// reference server: error codes, URNs, token and error responses, and
// authorization server metadata.
package oauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// URNs and parameter values (RFC 7521, RFC 7523).
const (
	GrantJWTBearer       = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	GrantJWTBearerLegacy = "http://oauth.net/grant_type/jwt/1.0/bearer"
	GrantClientCreds     = "client_credentials"
	AssertionTypeJWT     = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	AssertionTypeSAML    = "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"

	TypClientAuth = "client-authentication+jwt" // draft-ietf-oauth-rfc7523bis §4
	TypAccess     = "at+jwt"                    // RFC 9068 §2.1

	AuthPrivateKeyJWT     = "private_key_jwt"
	AuthClientSecretJWT   = "client_secret_jwt"
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
	AuthNone              = "none"
)

// ErrorCode is an RFC 6749 §5.2 error code.
type ErrorCode string

// Registered token endpoint error codes (RFC 6749 §5.2).
const (
	InvalidRequest       ErrorCode = "invalid_request"
	InvalidClient        ErrorCode = "invalid_client"
	InvalidGrant         ErrorCode = "invalid_grant"
	UnauthorizedClient   ErrorCode = "unauthorized_client"
	UnsupportedGrantType ErrorCode = "unsupported_grant_type"
	InvalidScope         ErrorCode = "invalid_scope"
)

// Registered reports whether c is one of the RFC 6749 §5.2 codes.
func (c ErrorCode) Registered() bool {
	switch c {
	case InvalidRequest, InvalidClient, InvalidGrant, UnauthorizedClient, UnsupportedGrantType, InvalidScope:
		return true
	}
	return false
}

// ErrorResponse is the RFC 6749 §5.2 error body.
type ErrorResponse struct {
	Error       ErrorCode `json:"error"`
	Description string    `json:"error_description,omitempty"`
	URI         string    `json:"error_uri,omitempty"`
}

// TokenResponse is the RFC 6749 §5.1 success body.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in,omitempty"`
	Scope       string `json:"scope,omitempty"`
}

// Metadata is RFC 8414 §2 authorization server metadata, with the OpenID
// Connect Discovery 1.0 §3 members assay reads. Unknown members are kept in Raw.
type Metadata struct {
	Issuer                            string   `json:"issuer"`
	TokenEndpoint                     string   `json:"token_endpoint,omitempty"`
	JWKSURI                           string   `json:"jwks_uri,omitempty"`
	RegistrationEndpoint              string   `json:"registration_endpoint,omitempty"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint,omitempty"`
	RevocationEndpoint                string   `json:"revocation_endpoint,omitempty"`
	ResponseTypesSupported            []string `json:"response_types_supported,omitempty"`
	GrantTypesSupported               []string `json:"grant_types_supported,omitempty"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	TokenEndpointAuthSigningAlgs      []string `json:"token_endpoint_auth_signing_alg_values_supported,omitempty"`
	ScopesSupported                   []string `json:"scopes_supported,omitempty"`
	SubjectTypesSupported             []string `json:"subject_types_supported,omitempty"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported,omitempty"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint,omitempty"`

	Raw map[string]json.RawMessage `json:"-"`
}

// ParseMetadata decodes a metadata document, keeping every member in Raw.
// Member names match exactly (RFC 8414 §2): encoding/json alone would fill
// TokenEndpoint from "Token_Endpoint".
func ParseMetadata(b []byte) (Metadata, error) {
	var m Metadata
	if err := json.Unmarshal(b, &m.Raw); err != nil {
		return Metadata{}, err
	}
	if m.Raw == nil {
		return Metadata{}, errors.New("metadata is not a JSON object")
	}
	v := reflect.ValueOf(&m).Elem()
	for i := 0; i < v.NumField(); i++ {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		raw, ok := m.Raw[name]
		if !ok || name == "-" {
			continue
		}
		if err := json.Unmarshal(raw, v.Field(i).Addr().Interface()); err != nil {
			return Metadata{}, fmt.Errorf("metadata member %s: %w", name, err)
		}
	}
	return m, nil
}

// SupportsAuthMethod reports whether token_endpoint_auth_methods_supported
// lists method; RFC 8414 §2 makes client_secret_basic the default when absent.
func (m Metadata) SupportsAuthMethod(method string) bool {
	if len(m.TokenEndpointAuthMethodsSupported) == 0 {
		return method == AuthClientSecretBasic
	}
	return contains(m.TokenEndpointAuthMethodsSupported, method)
}

// SupportsGrant reports whether grant_types_supported lists grant; RFC 8414
// §2 defaults to ["authorization_code", "implicit"] when absent.
func (m Metadata) SupportsGrant(grant string) bool {
	if len(m.GrantTypesSupported) == 0 {
		return grant == "authorization_code" || grant == "implicit"
	}
	return contains(m.GrantTypesSupported, grant)
}

// SupportsSigningAlg reports whether alg is listed for token endpoint auth.
func (m Metadata) SupportsSigningAlg(alg string) bool {
	return contains(m.TokenEndpointAuthSigningAlgs, alg)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// DescriptionCharsetOK reports whether s uses only the characters RFC 6749
// §5.2 allows in error and error_description: %x20-21 / %x23-5B / %x5D-7E.
func DescriptionCharsetOK(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// SplitTokens splits a comma-separated header value (Cache-Control) into
// lower-cased trimmed tokens.
func SplitTokens(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}
