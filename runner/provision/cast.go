package provision

import (
	"context"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/oauth"
)

// ClientMetadata is the metadata assay registers for party p: its JWKS on
// the mock IdP at idpURL for private_key_jwt clients, its auth method,
// grantTypes, and for every private_key_jwt client the algorithm it signs
// with (token_endpoint_auth_signing_alg, OpenID Connect Dynamic Client
// Registration §2): some servers pin RS256 for a client that does not say.
// client_secret_jwt clients declare HS256 for the same reason.
func ClientMetadata(p mockidp.Party, idpURL string, grantTypes []string) Metadata {
	m := Metadata{
		ClientName:                  "assay-" + p.Name,
		TokenEndpointAuthMethod:     p.AuthMethod,
		TokenEndpointAuthSigningAlg: p.SigningAlg,
		GrantTypes:                  grantTypes,
	}
	if len(p.Keys) > 0 {
		m.JWKSURI = idpURL + mockidp.JWKSPath(p.Name)
		if m.TokenEndpointAuthSigningAlg == "" {
			m.TokenEndpointAuthSigningAlg = p.Keys[0].Alg()
		}
	}
	if p.AuthMethod == oauth.AuthClientSecretJWT && m.TokenEndpointAuthSigningAlg == "" {
		m.TokenEndpointAuthSigningAlg = "HS256"
	}
	return m
}

// Cast registers every configured client of cast (A, B, P, H, S and the
// spares; a party with no Name is not configured) and stores the assigned
// client_id, and client_secret where the registrar returned one. Client B
// gets client_credentials only: it is the client A-JG-11 expects to be
// refused the jwt-bearer grant; so do the spares, which only authenticate.
func Cast(ctx context.Context, r Registrar, cast *mockidp.Cast, idpURL string, grantTypes []string) error {
	parties := []*mockidp.Party{&cast.A, &cast.B, &cast.P, &cast.H, &cast.S}
	for i := range cast.Spares {
		parties = append(parties, &cast.Spares[i])
	}
	for _, p := range parties {
		if p.Name == "" {
			continue
		}
		gt := grantTypes
		if p == &cast.B || isSpare(cast, p) {
			gt = []string{"client_credentials"}
		}
		got, err := r.Register(ctx, ClientMetadata(*p, idpURL, gt))
		if err != nil {
			return err
		}
		p.ID = got.ClientID
		if got.ClientSecret != "" {
			p.Secret = got.ClientSecret
		}
	}
	return nil
}

// isSpare reports whether p is one of the cast's spare clients, which only
// authenticate (client_credentials), as B does.
func isSpare(cast *mockidp.Cast, p *mockidp.Party) bool {
	for i := range cast.Spares {
		if p == &cast.Spares[i] {
			return true
		}
	}
	return false
}
