package runner

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/assayhq/assay/runner/config"
)

// loadConfig reads the config (or the defaults), overlays the flags the
// user set explicitly, and validates everything at once (design.md R2);
// the TLS flags replace the validated config's choice last (tlsFlags).
//
// Problems found past the file's own rules (preflight: key files, hooks,
// the mock IdP address, defect and check names) are listed with them;
// warnings go to stderr.
func loadConfig(o runOptions, set map[string]bool, getenv func(string) string, stderr io.Writer) (config.Config, error) {
	cfg := config.Default()
	if o.config != "" {
		var err error
		if cfg, err = config.Load(o.config); err != nil {
			return cfg, &ExitError{Code: ExitUsage, Err: listErrors("invalid config "+o.config, o.config, err)}
		}
	}
	if set["profile"] {
		cfg.Profile = o.profile
	}
	if set["defect"] {
		if cfg.Target.Kind != config.KindReference {
			return cfg, usageErr("--defect: only the built-in reference target has defects")
		}
		if cfg.Target.Reference == nil {
			cfg.Target.Reference = &config.Reference{}
		}
		cfg.Target.Reference.Defects = append(cfg.Target.Reference.Defects, o.defects...)
	}
	errs := append(cfg.Validate(), cfg.ValidateEnv(getenv)...)
	problems, warnings := preflight(cfg)
	errs = append(errs, problems...)
	if len(errs) > 0 {
		name := "invalid config"
		if o.config != "" {
			name += " " + o.config
		}
		return cfg, &ExitError{Code: ExitUsage, Err: listErrors(name, o.config, errors.Join(errs...))}
	}
	for _, w := range warnings {
		fmt.Fprintln(stderr, "assay: warning:", w)
	}
	if err := tlsFlags(o, set, &cfg); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// tlsFlags applies --ca-file and --insecure-skip-verify over the config:
// each replaces the config's choice of either (an explicit flag wins,
// design.md R2).
func tlsFlags(o runOptions, set map[string]bool, cfg *config.Config) error {
	if !set["ca-file"] && !set["insecure-skip-verify"] {
		return nil
	}
	if k := cfg.Target.Kind; k == config.KindReference || k == "" {
		return usageErr("--ca-file, --insecure-skip-verify: not used with the built-in reference target (it sets its own)")
	}
	switch {
	case set["ca-file"]:
		if o.caFile == "" {
			return usageErr("--ca-file: empty path")
		}
		cfg.Target.CAFile, cfg.Target.InsecureSkipVerify = o.caFile, false
	case set["insecure-skip-verify"]:
		cfg.Target.InsecureSkipVerify = o.insecure
		if o.insecure {
			cfg.Target.CAFile = ""
		}
	}
	return nil
}

// listErrors renders joined errors as one headline with their count plus
// one line each; a problem located in the file starts with
// file:line:column.
func listErrors(head, file string, err error) error {
	var lines []string
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var fe *config.FieldError
		if errors.As(e, &fe) && fe.Line > 0 && file != "" {
			lines = append(lines, file+":"+e.Error())
			return
		}
		lines = append(lines, e.Error())
	}
	walk(err)
	return fmt.Errorf("%s: %d problem(s)\n  %s", head, len(lines), strings.Join(lines, "\n  "))
}
