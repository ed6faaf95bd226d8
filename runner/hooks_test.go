package runner_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assayhq/assay/runner/config"
)

// TestCommittedHooksExist: every hook a committed target config names by
// path (registration, trust issuer, token command) exists in the
// repository and is executable, so a seed config runs as shipped. (Process
// targets name binaries built into bin/, not committed.)
func TestCommittedHooksExist(t *testing.T) {
	paths, err := filepath.Glob(repoFile(t, "fixtures/targets/*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range paths {
		if strings.HasSuffix(p, ".baseline.yaml") {
			continue
		}
		cfg, err := config.Load(p)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
			continue
		}
		cmds := map[string][]string{
			"registration.command":            cfg.Registration.Command,
			"registration.trustIssuerCommand": cfg.Registration.TrustIssuerCommand,
			"tokenState.tokenCommand":         cfg.TokenState.TokenCommand,
		}
		for field, cmd := range cmds {
			if len(cmd) == 0 || !strings.Contains(cmd[0], "/") || strings.Contains(cmd[0], "$") {
				continue // a program from PATH, or a path made at run time
			}
			prog := cmd[0]
			if !filepath.IsAbs(prog) {
				prog = filepath.Join(filepath.Dir(p), prog)
			}
			n++
			st, err := os.Stat(prog)
			switch {
			case err != nil:
				t.Errorf("%s: %s names %s, which does not exist", filepath.Base(p), field, cmd[0])
			case st.Mode()&0o111 == 0:
				t.Errorf("%s: %s names %s, which is not executable", filepath.Base(p), field, cmd[0])
			}
		}
	}
	if n == 0 {
		t.Error("no committed config names a hook; the test checks nothing")
	}
}
