package runner

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/runner/config"
)

// TestTokenCommand: tokenState.tokenCommand's first non-empty line is the
// token; it gets the hook environment; a failing command is an error with
// its stderr.
func TestTokenCommand(t *testing.T) {
	env := hookEnv("http://idp.test", "https://as.test", "https://as.test/token")
	run := tokenCommand(config.TokenState{TokenCommand: []string{"sh", "-c", `printf '\n  tok-%s  \nsecond\n' "${ASSAY_TOKEN_ENDPOINT#https://}"`}}, env)
	if tok, err := run(context.Background()); err != nil || tok != "tok-as.test/token" {
		t.Errorf("token %q, err %v", tok, err)
	}
	run = tokenCommand(config.TokenState{TokenCommand: []string{"sh", "-c", "echo no token here >&2; exit 3"}}, env)
	if _, err := run(context.Background()); err == nil || !strings.Contains(err.Error(), "no token here") {
		t.Errorf("failing command: err %v", err)
	}
	if tokenCommand(config.TokenState{}, env) != nil {
		t.Error("no tokenCommand must give no Command")
	}
}

// TestTokenStateOptions: the config's tokenState becomes the suite's, with
// the free port in its URLs and maxWait's default kept under the check
// timeout.
func TestTokenStateOptions(t *testing.T) {
	cast, err := mockidp.FixtureCast()
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Target.IntrospectionEndpoint = "http://127.0.0.1:${ASSAY_TARGET_PORT}/introspect"
	cfg.TokenState.Client, cfg.TokenState.OtherClient = "S", "B"
	cfg.TokenState.Resource = "http://127.0.0.1:${ASSAY_TARGET_PORT}/api"
	ts := tokenState(cfg, cast, "4242")
	if !ts.Enabled || ts.Client.ID != cast.S.ID || ts.Other.ID != cast.B.ID || ts.From != config.TokenFromClient ||
		ts.Introspection != "http://127.0.0.1:4242/introspect" || ts.Resource != "http://127.0.0.1:4242/api" || ts.MaxWait != 20*time.Second {
		t.Errorf("tokenState: client %s, other %s, from %s, introspection %s, resource %s, maxWait %s",
			ts.Client.ID, ts.Other.ID, ts.From, ts.Introspection, ts.Resource, ts.MaxWait)
	}
	cfg.Timeouts.Check = config.Duration{Duration: 20 * time.Second}
	if ts := tokenState(cfg, cast, ""); ts.MaxWait != 10*time.Second {
		t.Errorf("maxWait %s under a 20s check timeout, want 10s", ts.MaxWait)
	}
	cfg.TokenState.MaxWait = config.Duration{Duration: 5 * time.Second}
	if ts := tokenState(cfg, cast, ""); ts.MaxWait != 5*time.Second {
		t.Errorf("maxWait %s, want the configured 5s", ts.MaxWait)
	}
}
