package check

import (
	"fmt"

	"github.com/assayhq/assay/mockidp/assertion"
)

// foreignSecret is the MAC key of a grant signed by "someone else" when
// the grant issuer signs with a shared secret: 32 octets, as RFC 7518 §3.2
// wants for HS256, and never a configured secret.
const foreignSecret = "assay: not the grant issuer's secret"

// ForeignGrantSigner signs a grant assertion, header alg and kid included,
// with a key the target must not accept for the configured grant issuer
// (RFC 8725 §3.8, RFC 7523 §3 item 9): under self-signed another client's
// key (client B's, else IdP-K's); for an issuer with a shared secret
// another secret under the same HS algorithm; else trusted issuer IdP-K's
// key.
func (e *Env) ForeignGrantSigner() (assertion.Mutation, error) {
	is := e.GrantIssuer()
	if len(is.Keys) == 0 && is.Secret != "" {
		return func(d *assertion.Draft) { d.Secret = []byte(foreignSecret) }, nil
	}
	if e.Grant.TrustModel == TrustSelfSigned && e.Cast.B.ID != "" && e.Cast.B.ID != is.ID {
		if k, ok := e.Cast.B.Key(""); ok {
			return assertion.SignWith(k), nil
		}
	}
	k, ok := e.Cast.IdPK.Key("")
	if !ok {
		return nil, fmt.Errorf("issuer %s has no key", e.Cast.IdPK.Name)
	}
	return assertion.SignWith(k), nil
}
