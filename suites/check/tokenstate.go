package check

import (
	"context"
	"time"

	"github.com/assayhq/assay/mockidp"
)

// Where suite tokenstate gets the tokens it introspects and revokes.
const (
	TokenFromClient  = "client"  // client_credentials, authenticated as TokenState.Client
	TokenFromGrant   = "grant"   // the jwt-bearer grant from IdP-H (Env.BearerGrant)
	TokenFromCommand = "command" // TokenState.Command prints one
)

// TokenState is the target's token state service (suite tokenstate): RFC
// 7662 introspection and RFC 7009 revocation, and a protected resource that
// consults introspection.
type TokenState struct {
	// Enabled runs the suite; false makes every row N/A.
	Enabled bool
	// Introspection and Revocation are the endpoint URLs; "" when the
	// target offers none (the metadata's introspection_endpoint and
	// revocation_endpoint fill them unless configured).
	Introspection string
	Revocation    string
	// Client authenticates to both endpoints, by its own method: a client
	// assertion (private_key_jwt, client_secret_jwt) or HTTP Basic
	// (client_secret_basic, RFC 6749 §2.3.1).
	Client mockidp.Party
	// Other is another client, which must not be able to revoke Client's
	// tokens (C-REV-05); its zero value (no ID) makes that row N/A.
	Other mockidp.Party
	// From is TokenFromClient, TokenFromGrant or TokenFromCommand.
	From string
	// Command obtains a token for From TokenFromCommand.
	Command func(ctx context.Context) (string, error)
	// Resource is a URL that takes Authorization: Bearer tokens and asks
	// introspection about each (C-REV-03); "" when there is none.
	Resource string
	// MaxWait is the longest a check waits for a token to expire (C-INT-03).
	MaxWait time.Duration
}
