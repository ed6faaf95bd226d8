package oauth

import (
	"net/url"
	"strings"
)

// OAuthMetadataURL is the RFC 8414 §3.1 location of issuer's metadata: the
// well-known suffix goes between the host and the issuer's path, so
// https://as.example/tenant publishes at
// https://as.example/.well-known/oauth-authorization-server/tenant.
func OAuthMetadataURL(issuer string) (string, error) {
	u, err := url.Parse(issuer)
	if err != nil {
		return "", err
	}
	u.Path = "/.well-known/oauth-authorization-server" + strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

// OIDCMetadataURL is the OpenID Connect Discovery 1.0 §4.1 location: the
// suffix is appended to the issuer.
func OIDCMetadataURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
}

// MetadataURLs lists the well-known locations where issuer's metadata may
// be, in the order to try them: a server may publish only RFC 8414
// metadata or only OpenID Discovery. openIDFirst puts OpenID Discovery
// first, for the profiles that read it (profile.Rules.OpenIDDiscovery).
// Harness discovery and registration both look here, so they find the
// same document.
func MetadataURLs(issuer string, openIDFirst bool) []string {
	oidc := OIDCMetadataURL(issuer)
	oauth, err := OAuthMetadataURL(issuer)
	switch {
	case err != nil:
		return []string{oidc}
	case openIDFirst:
		return []string{oidc, oauth}
	}
	return []string{oauth, oidc}
}
