package oauth_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/assayhq/assay/mockidp/oauth"
)

func TestDescriptionCharsetOK(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", true},
		{"invalid_client", true},
		{"client authentication failed: aud !#$%&'()*+,-./:;<=>?@[]^_`{|}~", true},
		{" ", true},
		{"~", true},
		{`say "no"`, false},   // %x22 excluded
		{`back\slash`, false}, // %x5C excluded
		{"tab\there", false},
		{"line\nbreak", false},
		{"cr\r", false},
		{"nul\x00", false},
		{"del\x7f", false},
		{"café", false}, // non-ASCII
		{"\x1f", false},
	}
	for _, tt := range tests {
		if got := oauth.DescriptionCharsetOK(tt.in); got != tt.want {
			t.Errorf("DescriptionCharsetOK(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	// Every byte: exactly %x20-21 / %x23-5B / %x5D-7E pass.
	for c := 0; c < 256; c++ {
		want := c >= 0x20 && c <= 0x21 || c >= 0x23 && c <= 0x5b || c >= 0x5d && c <= 0x7e
		if got := oauth.DescriptionCharsetOK(string([]byte{byte(c)})); got != want {
			t.Errorf("byte %#x: %v, want %v", c, got, want)
		}
	}
}

func TestSplitTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"no-store", []string{"no-store"}},
		{"No-Store, Max-Age=0", []string{"no-store", "max-age=0"}},
		{" ,, private ,\tno-cache,", []string{"private", "no-cache"}},
		{"", nil},
		{",", nil},
	}
	for _, tt := range tests {
		if got := oauth.SplitTokens(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("SplitTokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestErrorCodeRegistered(t *testing.T) {
	for _, c := range []oauth.ErrorCode{oauth.InvalidRequest, oauth.InvalidClient, oauth.InvalidGrant, oauth.UnauthorizedClient, oauth.UnsupportedGrantType, oauth.InvalidScope} {
		if !c.Registered() {
			t.Errorf("%s not registered", c)
		}
	}
	for _, c := range []oauth.ErrorCode{"", "jti_known", "Invalid_Client", "server_error", "invalid_client "} {
		if c.Registered() {
			t.Errorf("%q registered", c)
		}
	}
}

func TestResponsesJSON(t *testing.T) {
	b, _ := json.Marshal(oauth.ErrorResponse{Error: oauth.InvalidClient})
	if string(b) != `{"error":"invalid_client"}` {
		t.Errorf("ErrorResponse %s", b)
	}
	b, _ = json.Marshal(oauth.TokenResponse{AccessToken: "a", TokenType: "Bearer"})
	if string(b) != `{"access_token":"a","token_type":"Bearer"}` {
		t.Errorf("TokenResponse %s", b)
	}
}

func TestParseMetadata(t *testing.T) {
	doc := `{
		"issuer": "https://as.example",
		"token_endpoint": "https://as.example/token",
		"jwks_uri": "https://as.example/jwks",
		"grant_types_supported": ["client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
		"token_endpoint_auth_methods_supported": ["private_key_jwt"],
		"token_endpoint_auth_signing_alg_values_supported": ["ES256", "PS256"],
		"x_vendor": {"nested": [1, 2]},
		"claims_supported": []
	}`
	m, err := oauth.ParseMetadata([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if m.Issuer != "https://as.example" || m.TokenEndpoint != "https://as.example/token" || m.JWKSURI != "https://as.example/jwks" {
		t.Errorf("fields: %+v", m)
	}
	if len(m.Raw) != 8 {
		t.Errorf("Raw has %d members, want every one of 8", len(m.Raw))
	}
	if string(m.Raw["x_vendor"]) != `{"nested": [1, 2]}` || string(m.Raw["claims_supported"]) != `[]` {
		t.Errorf("Raw does not keep members verbatim: %s %s", m.Raw["x_vendor"], m.Raw["claims_supported"])
	}
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"auth method listed", m.SupportsAuthMethod("private_key_jwt"), true},
		{"auth method not listed", m.SupportsAuthMethod("client_secret_basic"), false},
		{"grant listed", m.SupportsGrant(oauth.GrantJWTBearer), true},
		{"grant not listed", m.SupportsGrant("authorization_code"), false},
		{"alg listed", m.SupportsSigningAlg("PS256"), true},
		{"alg not listed", m.SupportsSigningAlg("RS256"), false},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %v", tt.name, tt.got)
		}
	}

	for _, bad := range []string{``, `null`, `[]`, `"x"`, `{"issuer":5}`, `{"grant_types_supported":"client_credentials"}`, `{"issuer":"a"`} {
		if _, err := oauth.ParseMetadata([]byte(bad)); err == nil {
			t.Errorf("ParseMetadata(%q) succeeded", bad)
		}
	}
}

// TestParseMetadataExactNames: member names are case-sensitive (RFC 8259
// §8.3, RFC 8414 §2); encoding/json matches struct fields case-insensitively,
// which would let "Token_Endpoint" stand in for token_endpoint.
func TestParseMetadataExactNames(t *testing.T) {
	m, err := oauth.ParseMetadata([]byte(`{"issuer":"https://as.example","Token_Endpoint":"https://evil.example/token","JWKS_URI":"x","Grant_Types_Supported":["client_credentials"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.TokenEndpoint != "" || m.JWKSURI != "" || m.GrantTypesSupported != nil {
		t.Errorf("members with other case filled typed fields: %+v", m)
	}
	if m.Issuer != "https://as.example" || len(m.Raw) != 4 {
		t.Errorf("issuer %q, %d raw members", m.Issuer, len(m.Raw))
	}
	if m.SupportsGrant("client_credentials") {
		t.Error("Grant_Types_Supported counted as grant_types_supported")
	}
}

// TestSupportsDefaults: RFC 8414 §2 defaults when a member is absent.
func TestSupportsDefaults(t *testing.T) {
	m, err := oauth.ParseMetadata([]byte(`{"issuer":"https://as.example"}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		// token_endpoint_auth_methods_supported defaults to client_secret_basic.
		{"client_secret_basic", m.SupportsAuthMethod(oauth.AuthClientSecretBasic), true},
		{"private_key_jwt", m.SupportsAuthMethod(oauth.AuthPrivateKeyJWT), false},
		{"client_secret_post", m.SupportsAuthMethod(oauth.AuthClientSecretPost), false},
		// grant_types_supported defaults to authorization_code and implicit.
		{"authorization_code", m.SupportsGrant("authorization_code"), true},
		{"implicit", m.SupportsGrant("implicit"), true},
		{"client_credentials", m.SupportsGrant(oauth.GrantClientCreds), false},
		{"jwt-bearer", m.SupportsGrant(oauth.GrantJWTBearer), false},
		// No default for token_endpoint_auth_signing_alg_values_supported.
		{"ES256", m.SupportsSigningAlg("ES256"), false},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("absent member: supports %s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

// FuzzParseMetadata: never panics; an accepted document keeps every
// top-level member in Raw, and the typed fields agree with Raw.
func FuzzParseMetadata(f *testing.F) {
	f.Add([]byte(`{"issuer":"https://as.example","token_endpoint":"https://as.example/token"}`))
	f.Add([]byte(`{"issuer":"https://as.example","grant_types_supported":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := oauth.ParseMetadata(b)
		if err != nil {
			return
		}
		_ = m.SupportsAuthMethod(oauth.AuthPrivateKeyJWT)
		_ = m.SupportsGrant(oauth.GrantJWTBearer)
		_ = m.SupportsSigningAlg("ES256")
		var generic map[string]json.RawMessage
		if json.Unmarshal(b, &generic) == nil && len(generic) != len(m.Raw) {
			t.Fatalf("Raw has %d members, document %d", len(m.Raw), len(generic))
		}
	})
}
