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

// tokenState turns the config's tokenState into the suite's options, but
// for the token command (tokenCommand). The endpoints left empty are
// filled from the metadata by suites.NewEnv; port replaces
// ${ASSAY_TARGET_PORT} in the URLs (a process target's free port).
func tokenState(cfg config.Config, cast mockidp.Cast, port string) check.TokenState {
	ts := cfg.TokenState
	out := check.TokenState{
		Enabled:       ts.On(),
		Introspection: expandPort(cfg.Target.IntrospectionEndpoint, port),
		Revocation:    expandPort(cfg.Target.RevocationEndpoint, port),
		Client:        party(cast, ts.Client),
		From:          ts.TokenFrom,
		Resource:      expandPort(ts.Resource, port),
		MaxWait:       ts.MaxWait.Duration,
	}
	if ts.OtherClient != "" {
		out.Other = party(cast, ts.OtherClient)
	}
	if out.MaxWait == 0 {
		out.MaxWait = defaultTokenWait
		if c := cfg.Timeouts.Check.Duration; c > 0 && out.MaxWait >= c {
			out.MaxWait = c / 2
		}
	}
	return out
}

// tokenCommand runs tokenState.tokenCommand for a fresh token (its first
// non-empty output line), or is nil when none is configured. env is the
// hook environment, with the token endpoint the run found.
func tokenCommand(ts config.TokenState, env []string) func(context.Context) (string, error) {
	if len(ts.TokenCommand) == 0 {
		return nil
	}
	h := provision.Hook{Command: ts.TokenCommand, Env: env, Timeout: provision.DefaultHookTimeout}
	return func(ctx context.Context) (string, error) {
		b, err := h.Run(ctx, struct{}{})
		if err != nil {
			return "", err
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				return l, nil
			}
		}
		return "", nil
	}
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
