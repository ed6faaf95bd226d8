package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzParse: Parse and Validate never panic, every problem is a
// *FieldError with a path (or a whole-document parse error), and a config
// that parses survives a YAML round trip unchanged.
//
// Seeds: testdata/*.yaml, plus testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds in testdata: %v", err)
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data, "")
		for _, e := range joined(err) {
			var fe *FieldError
			if errors.As(e, &fe) {
				if fe.Path == "" {
					t.Errorf("FieldError without a path: %v", fe)
				}
			} else if !strings.HasPrefix(e.Error(), "parse config: ") {
				t.Errorf("unexpected error type %T: %v", e, e)
			}
		}
		for _, e := range cfg.Validate() {
			var fe *FieldError
			if !errors.As(e, &fe) || fe.Path == "" {
				t.Errorf("Validate returned %T %v", e, e)
			}
		}
		_ = cfg.ValidateEnv(func(string) string { return "" })
		if err != nil || cfg.ExpectedFailuresFile != "" {
			return // a baseline would be appended twice on the way back
		}
		out, merr := yaml.Marshal(cfg)
		if merr != nil {
			t.Fatalf("marshal a parsed config: %v", merr)
		}
		back, perr := Parse(out, "")
		if perr != nil {
			t.Fatalf("reparse:\n%s\n%v", out, perr)
		}
		if !reflect.DeepEqual(back, cfg) {
			t.Errorf("round trip changed the config:\n%s\nto\n%s", out, dump(back))
		}
	})
}
