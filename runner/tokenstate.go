package runner

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/runner/config"
	"github.com/assayhq/assay/runner/provision"
	"github.com/assayhq/assay/suites/check"
)

// defaultTokenWait is how long C-INT-03 may wait for a token to expire when
// tokenState.maxWait is not set.
const defaultTokenWait = 20 * time.Second

// tokenState turns the config's tokenState into the suite's options. The
// endpoints left empty are filled from the metadata by suites.NewEnv; env
// is the hook environment of tokenState.tokenCommand.
func tokenState(cfg config.Config, cast mockidp.Cast, env []string) check.TokenState {
	ts := cfg.TokenState
	out := check.TokenState{
		Enabled:       ts.On(),
		Introspection: cfg.Target.IntrospectionEndpoint,
		Revocation:    cfg.Target.RevocationEndpoint,
		Client:        party(cast, ts.Client),
		From:          ts.TokenFrom,
		Resource:      ts.Resource,
		MaxWait:       ts.MaxWait.Duration,
	}
	if out.MaxWait == 0 {
		out.MaxWait = defaultTokenWait
		if c := cfg.Timeouts.Check.Duration; c > 0 && out.MaxWait >= c {
			out.MaxWait = c / 2
		}
	}
	if len(ts.TokenCommand) > 0 {
		h := provision.Hook{Command: ts.TokenCommand, Env: env, Timeout: provision.DefaultHookTimeout}
		out.Command = func(ctx context.Context) (string, error) {
			b, err := h.Run(ctx, struct{}{})
			if err != nil {
				return "", err
			}
			// The first non-empty line is the token.
			for _, l := range strings.Split(string(b), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					return l, nil
				}
			}
			return "", nil
		}
	}
	return out
}

// party is the cast member a config names (A, B, P, H, S); A by default.
func party(c mockidp.Cast, name string) mockidp.Party {
	switch name {
	case "B":
		return c.B
	case "P":
		return c.P
	case "H":
		return c.H
	case "S":
		return c.S
	}
	return c.A
}

// hookEnv is the environment of every hook command: assay's own plus
// where the mock IdP and the target are.
func hookEnv(idpURL, issuer, tokenEndpoint string) []string {
	return append(os.Environ(), "ASSAY_MOCKIDP_URL="+idpURL, "ASSAY_ISSUER="+issuer, "ASSAY_TOKEN_ENDPOINT="+tokenEndpoint)
}
