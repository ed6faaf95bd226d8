package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParseStrict(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // "path: message substring"
	}{
		{
			name: "unknown top-level field",
			yaml: "version: v1\nprofiles: BASE\n",
			want: []string{`profiles: unknown field (want one of audience, clients, `},
		},
		{
			name: "unknown nested field with a case-insensitive match",
			yaml: "version: v1\nclients:\n  A:\n    id: a\n    signingalg: ES256\n",
			want: []string{`5:5: clients.A.signingalg: unknown field; did you mean "signingAlg"?`},
		},
		{
			name: "unknown client name",
			yaml: "version: v1\nclients: {C: {id: c}}\n",
			want: []string{`2:11: clients.C: unknown field (want one of A, B, H, P, S, spareIDs, spares)`},
		},
		{
			name: "every unknown field at once",
			yaml: "version: v1\nfoo: 1\ntarget: {bar: 2}\ntimeouts: {baz: 3s}\n",
			want: []string{"foo: unknown field", "target.bar: unknown field", "timeouts.baz: unknown field"},
		},
		{
			name: "duplicate field",
			yaml: "version: v1\nprofile: BASE\nprofile: BIS\n",
			want: []string{"3:1: profile: duplicate field"},
		},
		{
			name: "duplicate map key",
			yaml: "version: v1\ntarget: {process: {env: {A: x, A: y}}}\n",
			want: []string{"target.process.env.A: duplicate key"},
		},
		{
			name: "mapping where a string goes",
			yaml: "version: v1\nprofile: {name: BASE}\n",
			want: []string{"2:10: profile: want a string, got a mapping"},
		},
		{
			name: "string where a mapping goes",
			yaml: "version: v1\ntarget: url\n",
			want: []string{`2:9: target: want a mapping, got "url"`},
		},
		{
			name: "string where a list goes",
			yaml: "version: v1\nexpectedFailures: A-CA-01\n",
			want: []string{`expectedFailures: want a list, got "A-CA-01"`},
		},
		{
			name: "not a boolean",
			yaml: "version: v1\ngrant: {enabled: yes please}\n",
			want: []string{`2:18: grant.enabled: want true or false, got "yes please"`},
		},
		{
			name: "quoted boolean",
			yaml: "version: v1\ntarget: {insecureSkipVerify: 'true'}\n",
			want: []string{`target.insecureSkipVerify: want true or false, got "true"`},
		},
		{
			name: "bare number duration",
			yaml: "version: v1\ntimeouts: {request: 10}\n",
			want: []string{`2:21: timeouts.request: want a duration like "10s", got "10"`},
		},
		{
			name: "bad duration",
			yaml: "version: v1\ntimeouts: {check: soon}\n",
			want: []string{`timeouts.check: want a duration like "10s", got "soon"`},
		},
		{
			name: "list element errors are indexed",
			yaml: "version: v1\nexpectedFailures:\n  - id: A-CA-01\n  - id: A-CA-02\n    why: x\n",
			want: []string{"5:5: expectedFailures[1].why: unknown field (want one of id, reason)"},
		},
		{
			name: "non-scalar key",
			yaml: "version: v1\n? [a, b]\n: c\n",
			want: []string{"(config): want a field name, got a list"},
		},
		{
			name: "document is a list",
			yaml: "- version: v1\n",
			want: []string{"1:1: (config): want a mapping, got a list"},
		},
		{
			name: "merge keys are not supported",
			yaml: "version: v1\nbase: &b {request: 1s}\ntimeouts:\n  <<: *b\n",
			want: []string{"base: unknown field", `timeouts["<<"]: unknown field`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "")
			errs := joined(err)
			if len(errs) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(tt.want), err)
			}
			for i, e := range errs {
				var fe *FieldError
				if !errors.As(e, &fe) {
					t.Errorf("error %d is %T, want *FieldError", i, e)
				}
				if !strings.Contains(e.Error(), tt.want[i]) {
					t.Errorf("error %d = %q, want it to contain %q", i, e, tt.want[i])
				}
			}
		})
	}
}

func TestParseDocumentErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"syntax error", "version: v1\ntarget: {kind: url\n", "(syntax): YAML syntax error: did not find expected"},
		{"two documents", "version: v1\n---\nversion: v1\n", "want one YAML document"},
		{"too large", "version: v1\n#" + strings.Repeat("x", maxFileBytes), "over the 1048576 byte limit"},
		{"tabs", "version: v1\ntarget:\n\tkind: url\n", "3: (syntax): YAML syntax error: found character that cannot start any token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse: got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseEmptyIsAMissingVersion(t *testing.T) {
	for _, doc := range []string{"", "# only a comment\n", "---\n", "~\n"} {
		cfg, err := Parse([]byte(doc), "")
		if err != nil {
			t.Errorf("Parse(%q): %v", doc, err)
			continue
		}
		if got := paths(t, cfg.Validate()); !reflect.DeepEqual(got, []string{"version"}) {
			t.Errorf("Parse(%q).Validate() paths = %v, want [version]", doc, got)
		}
	}
}

func TestParseAliases(t *testing.T) {
	cfg, err := Parse([]byte("version: v1\nclients:\n  A: &c {id: a, signingAlg: EdDSA}\n  B: *c\n"), "")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if cfg.Clients.B == nil || cfg.Clients.B.SigningAlg != "EdDSA" || cfg.Clients.A == cfg.Clients.B {
		t.Errorf("alias not decoded into its own value: %+v", cfg.Clients)
	}
}

// TestParseNodeBudget: Config's types nest no list in a list, so aliases
// cannot blow up exponentially, but many aliases can still cost many
// visits; the budget turns that into one error.
func TestParseNodeBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: v1\nexpectedFailures: [&x {id: A-CA-01}")
	for range maxNodes / 3 {
		b.WriteString(", *x")
	}
	b.WriteString("]\n")
	_, err := Parse([]byte(b.String()), "")
	if got := joined(err); len(got) != 1 || !strings.Contains(got[0].Error(), "]: document too complex") {
		t.Errorf("Parse: %v", err)
	}
}

func TestParseErrorCountIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: v1\n")
	for i := range 500 {
		fmt.Fprintf(&b, "unknown%d: x\n", i)
	}
	_, err := Parse([]byte(b.String()), "")
	if n := len(joined(err)); n != maxErrors+1 {
		t.Errorf("got %d errors, want %d (the last one saying it stopped)", n, maxErrors+1)
	}
}

// TestDecoderCoversConfig decodes a document that sets every field, so a
// new field of an unhandled kind fails here rather than in a user's run.
func TestDecoderCoversConfig(t *testing.T) {
	cfg, err := Load("testdata/full.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				return
			}
			walk(v.Elem(), path)
		case reflect.Struct:
			if v.Type() == reflect.TypeFor[Duration]() {
				return
			}
			for i := range v.NumField() {
				f := v.Type().Field(i)
				if f.Tag.Get("yaml") == "-" {
					continue
				}
				walk(v.Field(i), path+"."+f.Name)
			}
		case reflect.String, reflect.Bool, reflect.Int, reflect.Slice, reflect.Map:
		default:
			t.Errorf("%s: kind %s is not handled by the decoder", path, v.Kind())
		}
	}
	walk(reflect.ValueOf(cfg), "Config")
	cfg.Target.Container = &Container{Build: &Build{}} // the container branch of the types
	walk(reflect.ValueOf(cfg), "Config")
}

// TestDecodeVerifierRules: a decision rule's value is any YAML value, kept
// as JSON for the comparison with the verifier's answer.
func TestDecodeVerifierRules(t *testing.T) {
	c, err := Parse([]byte(`version: v1
verifier:
  url: https://pdp.example/evaluate
  audience: rooms
  allow: {status: [200], pointer: /0/actions/ORDER_FOOD, value: true}
  deny: {pointer: /decision, value: {effect: deny, codes: [1, 2]}}
`), ".")
	if err != nil {
		t.Fatal(err)
	}
	v := c.Verifier
	if got := string(v.Allow.Value.JSON); got != "true" || v.Allow.Status[0] != "200" || v.Allow.Pointer != "/0/actions/ORDER_FOOD" {
		t.Errorf("allow = %+v (value %s)", v.Allow, got)
	}
	if got := string(v.Deny.Value.JSON); got != `{"codes":[1,2],"effect":"deny"}` {
		t.Errorf("deny value = %s", got)
	}
}
