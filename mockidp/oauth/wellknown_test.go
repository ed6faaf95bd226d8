package oauth

import (
	"slices"
	"testing"
)

// TestMetadataURLs: both well-known locations are tried (RFC 8414 §3.1
// inserts the suffix before the issuer's path, OpenID Discovery §4.1
// appends it), in the order asked.
func TestMetadataURLs(t *testing.T) {
	for _, tc := range []struct {
		issuer      string
		oauth, oidc string
	}{
		{"https://as.example/tenant", "https://as.example/.well-known/oauth-authorization-server/tenant", "https://as.example/tenant/.well-known/openid-configuration"},
		{"https://as.example/tenant/", "https://as.example/.well-known/oauth-authorization-server/tenant", "https://as.example/tenant/.well-known/openid-configuration"},
		{"https://as.example", "https://as.example/.well-known/oauth-authorization-server", "https://as.example/.well-known/openid-configuration"},
	} {
		if got, want := MetadataURLs(tc.issuer, false), []string{tc.oauth, tc.oidc}; !slices.Equal(got, want) {
			t.Errorf("MetadataURLs(%s, false) = %v, want %v", tc.issuer, got, want)
		}
		if got, want := MetadataURLs(tc.issuer, true), []string{tc.oidc, tc.oauth}; !slices.Equal(got, want) {
			t.Errorf("MetadataURLs(%s, true) = %v, want %v", tc.issuer, got, want)
		}
	}
}
