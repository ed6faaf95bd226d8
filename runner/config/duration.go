package config

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// Duration is a time.Duration written as a Go duration string ("10s",
// "1m30s") in YAML. A bare number is refused: its unit would be a guess.
type Duration struct{ time.Duration }

// UnmarshalYAML reads a duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return fmt.Errorf("want a duration like \"10s\", got %s", describe(n))
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("want a duration like \"10s\", got %q", n.Value)
	}
	d.Duration = v
	return nil
}

// MarshalYAML writes the duration string, so a Config round-trips.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }
