package discovery

import (
	"slices"
	"testing"

	"github.com/assayhq/assay/suites/check"
)

// TestMetadataURLs: both well-known locations are tried, the profile's own
// first (RFC 8414 §3 inserts the suffix before the issuer's path, OpenID
// Discovery §4 appends it).
func TestMetadataURLs(t *testing.T) {
	const iss = "https://as.example/tenant"
	oauth := "https://as.example/.well-known/oauth-authorization-server/tenant"
	oidc := "https://as.example/tenant/.well-known/openid-configuration"
	for p, want := range map[check.Profile][]string{
		check.BASE: {oauth, oidc}, check.BIS: {oauth, oidc}, check.BCP: {oauth, oidc},
		check.OIDC: {oidc, oauth}, check.OIDCE3: {oidc, oauth}, check.FAPI2: {oidc, oauth},
	} {
		if got := MetadataURLs(iss, p); !slices.Equal(got, want) {
			t.Errorf("MetadataURLs(%s) = %v, want %v", p, got, want)
		}
	}
}
