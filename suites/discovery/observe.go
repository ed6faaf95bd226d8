package discovery

import (
	"context"
	"fmt"

	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/suites/check"
)

// Observations returns the informational discovery rows.
func Observations() []check.Observation {
	return []check.Observation{
		{ID: "A-SEC-04", Cite: cite("RFC9700-2.5"), Title: "whether asymmetric client authentication is offered (RECOMMENDED)",
			Observe: func(_ context.Context, e *check.Env) (string, error) {
				methods := e.Meta.TokenEndpointAuthMethodsSupported
				asym := e.Meta.SupportsAuthMethod(oauth.AuthPrivateKeyJWT) ||
					e.Meta.SupportsAuthMethod("tls_client_auth") || e.Meta.SupportsAuthMethod("self_signed_tls_client_auth")
				return fmt.Sprintf("token_endpoint_auth_methods_supported %v; asymmetric method offered: %t", methods, asym), nil
			}},
	}
}
