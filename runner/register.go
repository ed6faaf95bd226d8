package runner

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"

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
	hc := &http.Client{Timeout: cfg.Timeouts.Request.Duration, Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	tokenEndpoint := ep.TokenEndpoint
	trust := len(reg.TrustIssuerCommand) > 0 && cfg.Grant.On()
	if tokenEndpoint == "" && (reg.Mode == config.RegistrationCommand || trust) {
		// A hook gets the token endpoint also when the metadata names it;
		// one that cannot be found leaves the variable empty, and the
		// suites report the metadata.
		tokenEndpoint, _ = provision.TokenEndpoint(ctx, hc, ep.Issuer, ep.MetadataURL, cfg.Profile.Rules().OpenIDDiscovery)
	}
	hook := func(cmd []string) provision.Hook {
		env := append(os.Environ(), "ASSAY_MOCKIDP_URL="+idpURL, "ASSAY_ISSUER="+ep.Issuer, "ASSAY_TOKEN_ENDPOINT="+tokenEndpoint)
		return provision.Hook{Command: cmd, Env: env, Timeout: provision.DefaultHookTimeout}
	}
	grants := []string{"client_credentials"}
	if cfg.Grant.On() {
		grants = append(grants, cfg.Grant.URN)
	}
	var r provision.Registrar
	switch reg.Mode {
	case config.RegistrationDynamic:
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
	if trust {
		t, err := trustInput(cfg, cast, idpURL)
		if err != nil {
			return err
		}
		if err := provision.TrustIssuer(ctx, hook(reg.TrustIssuerCommand), t); err != nil {
			return err
		}
	}
	return nil
}

// trustInput is what the trust-issuer hook is told about the grant issuer
// (IdP-H, or under self-signed the client named by grant.client): its
// issuer, its keys (by URL and inline, public only), the algorithm and kid
// it signs with, and the subjects its grant assertions name.
func trustInput(cfg config.Config, cast *mockidp.Cast, idpURL string) (provision.Trust, error) {
	is := cast.IdPH
	if g := cfg.Grant; g.TrustModel == config.TrustSelfSigned && g.Client != "" {
		// The client signs its own grants, with its registered keys.
		is = map[string]mockidp.Party{"A": cast.A, "B": cast.B, "P": cast.P}[g.Client]
	}
	t := provision.Trust{Issuer: is.ID, JWKSURI: idpURL + mockidp.JWKSPath(is.Name), Subject: cast.User}
	if k, ok := is.Key(""); ok {
		t.Alg, t.Kid = k.Alg(), k.ID()
		if cfg.Grant.KID != "" {
			t.Kid = cfg.Grant.KID
		}
		b, err := json.Marshal(is.Keys.Public())
		if err != nil {
			return t, fmt.Errorf("trust issuer %s: encode its JWKS: %w", is.ID, err)
		}
		t.JWKS = b
	} else if is.SigningAlg != "" {
		t.Alg = is.SigningAlg
	}
	if cfg.Grant.TrustModel == config.TrustServiceAccount {
		t.Subject = is.ID // iss = sub
	}
	t.Subjects = []string{t.Subject}
	for _, sub := range cfg.Grant.KnownSubjects {
		if !slices.Contains(t.Subjects, sub) {
			t.Subjects = append(t.Subjects, sub)
		}
	}
	return t, nil
}
