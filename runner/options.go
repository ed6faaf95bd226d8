package runner

import (
	"errors"
	"fmt"
	"strings"

	"github.com/assayhq/assay/runner/config"
)

// loadConfig reads the config (or the defaults), overlays the flags the
// user set explicitly, and validates everything at once (design.md R2).
func loadConfig(o runOptions, set map[string]bool, getenv func(string) string) (config.Config, error) {
	cfg := config.Default()
	if o.config != "" {
		var err error
		if cfg, err = config.Load(o.config); err != nil {
			return cfg, &ExitError{Code: ExitUsage, Err: listErrors("invalid config "+o.config, err)}
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
	if len(errs) > 0 {
		name := "invalid config"
		if o.config != "" {
			name += " " + o.config
		}
		return cfg, &ExitError{Code: ExitUsage, Err: listErrors(name, errors.Join(errs...))}
	}
	return cfg, nil
}

// listErrors renders joined errors as one headline plus one line each.
func listErrors(head string, err error) error {
	var lines []string
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		lines = append(lines, e.Error())
	}
	walk(err)
	return fmt.Errorf("%s: %d problem(s)\n  %s", head, len(lines), strings.Join(lines, "\n  "))
}
