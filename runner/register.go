package runner

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"os"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/runner/config"
	"github.com/assayhq/assay/runner/provision"
	tgt "github.com/assayhq/assay/runner/target"
)

// register makes the started target know the cast (registration.mode) and
// trust IdP-H (registration.trustIssuerCommand). It runs after the target
// is up and before the suites see it; any failure is a harness ERROR.
func register(ctx context.Context, cfg config.Config, cast *mockidp.Cast, idpURL string, ep tgt.Endpoint, tlsCfg *tls.Config, getenv func(string) string) error {
	reg := cfg.Registration
	hook := func(cmd []string) provision.Hook {
		env := append(os.Environ(), "ASSAY_MOCKIDP_URL="+idpURL, "ASSAY_ISSUER="+ep.Issuer, "ASSAY_TOKEN_ENDPOINT="+ep.TokenEndpoint)
		return provision.Hook{Command: cmd, Env: env, Timeout: provision.DefaultHookTimeout}
	}
	grants := []string{"client_credentials"}
	if cfg.Grant.On() {
		grants = append(grants, cfg.Grant.URN)
	}
	var r provision.Registrar
	switch reg.Mode {
	case config.RegistrationDynamic:
		hc := &http.Client{Timeout: cfg.Timeouts.Request.Duration, Transport: &http.Transport{TLSClientConfig: tlsCfg}}
		endpoint := reg.Endpoint
		if endpoint == "" {
			var err error
			if endpoint, err = provision.RegistrationEndpoint(ctx, hc, ep.Issuer, ep.MetadataURL, cfg.Profile.Rules().OpenIDDiscovery); err != nil {
				return fmt.Errorf("dynamic registration: %w", err)
			}
		}
		d := provision.Dynamic{Endpoint: endpoint, Client: hc}
		if reg.InitialAccessTokenEnv != "" {
			d.InitialAccessToken = getenv(reg.InitialAccessTokenEnv)
		}
		r = d
	case config.RegistrationCommand:
		r = provision.Command{Hook: hook(reg.Command)}
	}
	if r != nil {
		if err := provision.Cast(ctx, r, cast, idpURL, grants); err != nil {
			return fmt.Errorf("%s registration: %w", reg.Mode, err)
		}
	}
	if len(reg.TrustIssuerCommand) > 0 && cfg.Grant.On() {
		t := provision.Trust{Issuer: cast.IdPH.ID, JWKSURI: idpURL + mockidp.JWKSPath(cast.IdPH.Name)}
		if err := provision.TrustIssuer(ctx, hook(reg.TrustIssuerCommand), t); err != nil {
			return err
		}
	}
	return nil
}
