package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxFileBytes bounds a config or expected-failures file.
const maxFileBytes = 1 << 20

// Load reads the config file at path over Default() (see Parse). Relative
// paths in the file are resolved against the file's directory.
func Load(path string) (Config, error) {
	data, err := readFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("load config: %w", err)
	}
	// Parse's problems are returned as they are (joined *FieldError
	// values), so that the caller can count and list them; the caller
	// names the file.
	// An absolute directory, so that "./hook.sh" in a file named by a
	// relative path ("--config cfg.yaml") still names the file's folder
	// and is never looked up in PATH.
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return Config{}, fmt.Errorf("load config: %w", err)
	}
	return Parse(data, dir)
}

// Parse decodes a Config v1 document over Default(), fills the defaults of
// sections the file introduces (a client's keys and algorithm, the mock
// IdP's listen address), resolves relative paths against dir (unless dir is
// empty), and appends the entries of ExpectedFailuresFile.
//
// The file must state its version. Decoding is strict and reports every
// problem it finds: the error joins one *FieldError per problem
// (errors.Join; list them with Unwrap() []error). Parse does not call
// Validate, so that the runner can overlay flags first.
func Parse(data []byte, dir string) (Config, error) {
	cfg := Default()
	cfg.Version = ""        // the file must say which version it is
	cfg.MockIdP.Listen = "" // its default depends on the target kind
	if len(data) > maxFileBytes {
		return cfg, fmt.Errorf("parse config: %d bytes is over the %d byte limit", len(data), maxFileBytes)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return cfg, syntaxError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return cfg, errors.New("parse config: want one YAML document, found more (or a syntax error after the first)")
	}
	d := &decoder{}
	if root.Kind != 0 {
		d.decode(&root, reflect.ValueOf(&cfg).Elem(), "")
	}
	cfg.fillDefaults()
	if dir != "" {
		cfg.resolve(dir)
	}
	if cfg.ExpectedFailuresFile != "" {
		d.expectedFailuresFile(&cfg)
	}
	if len(d.errs) > 0 {
		return cfg, errors.Join(d.errs...)
	}
	return cfg, nil
}

// fillDefaults sets the defaults that depend on what the file contains.
func (c *Config) fillDefaults() {
	if c.MockIdP.Listen == "" && c.Target.Kind != KindContainer {
		c.MockIdP.Listen = DefaultListen
	}
	for _, cl := range []*Client{c.Clients.A, c.Clients.B, c.Clients.P} {
		if cl != nil && cl.Keys == "" {
			cl.Keys = KeysFixture
		}
	}
	for _, cl := range []*Client{c.Clients.A, c.Clients.B} {
		if cl != nil && cl.SigningAlg == "" {
			cl.SigningAlg = DefaultSigningAlg
		}
	}
	if p := c.Clients.P; p != nil && p.SigningAlg == "" {
		p.SigningAlg = "PS256"
	}
}

// resolve makes the file's relative paths relative to dir.
func (c *Config) resolve(dir string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	// A program name without a slash is looked up in PATH; only an
	// explicit relative path ("./serve", "bin/serve") is the file's.
	program := func(cmd []string) {
		if len(cmd) > 0 && strings.Contains(cmd[0], "/") {
			abs(&cmd[0])
		}
	}
	abs(&c.Target.CAFile)
	if p := c.Target.Process; p != nil {
		abs(&p.Dir)
		program(p.Command)
	}
	if ct := c.Target.Container; ct != nil && ct.Build != nil {
		abs(&ct.Build.Context)
	}
	for _, cl := range []*Client{c.Clients.A, c.Clients.B, c.Clients.P} {
		if cl != nil && cl.Keys != KeysFixture && cl.Keys != KeysGenerate {
			abs(&cl.Keys)
		}
	}
	abs(&c.Grant.Key)
	program(c.Registration.Command)
	program(c.Registration.TrustIssuerCommand)
	program(c.TokenState.TokenCommand)
	abs(&c.ExpectedFailuresFile)
}

// expectedFailuresFile reads the baseline file and appends its entries.
func (d *decoder) expectedFailuresFile(c *Config) {
	const path = "expectedFailuresFile"
	data, err := readFile(c.ExpectedFailuresFile)
	if err != nil {
		d.errs = append(d.errs, &FieldError{Path: path, Msg: err.Error()})
		return
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		d.errs = append(d.errs, &FieldError{Path: path, Msg: fmt.Sprintf("parse %s: %v", c.ExpectedFailuresFile, err)})
		return
	}
	if root.Kind == 0 {
		return // an empty baseline
	}
	var list []Expected
	d.decode(&root, reflect.ValueOf(&list).Elem(), path)
	for i := range list {
		list[i].Source = c.ExpectedFailuresFile
	}
	c.ExpectedFailures = append(c.ExpectedFailures, list...)
}

// readFile reads a regular file of at most maxFileBytes.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("read %s: over the %d byte limit", path, maxFileBytes)
	}
	return data, nil
}

// yamlLine matches the position in a YAML syntax error ("yaml: line 4:
// mapping values are not allowed in this context").
var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

// syntaxError is a YAML syntax error as a *FieldError with its line.
func syntaxError(err error) error {
	msg := err.Error()
	e := &FieldError{Path: "(syntax)"}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	e.Msg = "YAML syntax error: " + msg
	return e
}
