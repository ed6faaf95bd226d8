package runner

import (
	"flag"
	"fmt"
	"io"
)

// validateCommand checks a config file and reports every problem at once,
// each with its field path (exit 2), or says it is valid.
func validateCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var o runOptions
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.StringVar(&o.config, "config", "", "target config file to check (required)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if o.config == "" {
		return usageErr("validate: --config is required")
	}
	cfg, err := loadConfig(o, nil, getenv, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: valid (target kind %s, profile %s)\n", o.config, cfg.Target.Kind, cfg.Profile)
	return nil
}
