package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/profile"
	"go.yaml.in/yaml/v3"
)

// dump renders a Config for failure messages.
func dump(c Config) string {
	b, _ := yaml.Marshal(c)
	return string(b)
}

// paths lists the Path of every *FieldError in errs (and fails on any other
// error type).
func paths(t *testing.T, errs []error) []string {
	t.Helper()
	out := make([]string, 0, len(errs))
	for _, err := range errs {
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Fatalf("%v is a %T, want *FieldError", err, err)
		}
		out = append(out, fe.Path)
	}
	return out
}

// joined unpacks an errors.Join result, also under one fmt.Errorf wrap (as
// Load adds); any other error comes back whole.
func joined(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if j, ok := errors.Unwrap(err).(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestDefaultIsValid(t *testing.T) {
	if errs := Default().Validate(); errs != nil {
		t.Errorf("Default().Validate() = %v", errs)
	}
	d := Default()
	if d.Target.Kind != KindReference || d.Profile != profile.BASE || !d.Grant.On() ||
		d.Timeouts.ClockSkew.Duration != 10*time.Second || d.MockIdP.Listen != "127.0.0.1:0" {
		t.Errorf("unexpected defaults:\n%s", dump(d))
	}
}

func TestDefaultsAreFresh(t *testing.T) {
	a := Default()
	*a.TokenState.Enabled = false
	if !Default().TokenState.On() {
		t.Error("Default() shares its TokenState.Enabled pointer between calls")
	}
}

func TestLoadReference(t *testing.T) {
	cfg, err := Load("../../fixtures/targets/reference.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if errs := cfg.Validate(); errs != nil {
		t.Errorf("Validate: %v", errs)
	}
	if cfg.Target.Kind != KindReference {
		t.Errorf("kind = %q", cfg.Target.Kind)
	}
}

func TestLoadFull(t *testing.T) {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load(filepath.Join(dir, "full.yaml"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if errs := got.Validate(); errs != nil {
		t.Errorf("Validate: %v", errs)
	}
	off, on := false, true
	in := func(p string) string { return filepath.Join(dir, p) }
	want := Config{
		Version: "v1",
		Name:    "example AS",
		Target: Target{
			Kind:                  KindProcess,
			Issuer:                "https://127.0.0.1:8443/realms/assay",
			TokenEndpoint:         "https://127.0.0.1:8443/realms/assay/token",
			MetadataURL:           "https://127.0.0.1:8443/realms/assay/.well-known/oauth-authorization-server",
			IntrospectionEndpoint: "https://127.0.0.1:8443/realms/assay/introspect",
			RevocationEndpoint:    "https://127.0.0.1:8443/realms/assay/revoke",
			CAFile:                in("certs/ca.pem"),
			Product:               "Example AS",
			Version:               "1.2.3",
			Process: &Process{
				Command: []string{in("bin/example-as"), "--port", "8443"},
				Dir:     in("work"),
				Env:     map[string]string{"EXAMPLE_LOG": "debug"},
				Ready:   Ready{URL: "https://127.0.0.1:8443/health", Log: "started", Timeout: Duration{45 * time.Second}},
			},
		},
		Profile: profile.FAPI2,
		MockIdP: MockIdP{Listen: "127.0.0.1:9400", PublicURL: "http://127.0.0.1:9400"},
		Clients: Clients{
			A: &Client{ID: "client-a", Keys: KeysGenerate, SigningAlg: "PS256"},
			B: &Client{ID: "client-b", Keys: in("keys/client-b.jwks.json"), SigningAlg: "ES256"},
			P: &Client{ID: "client-p", Keys: KeysFixture, SigningAlg: "PS256"},
			H: &SecretClient{ID: "client-h", SecretEnv: "ASSAY_CLIENT_H_SECRET"},
			S: &SecretClient{ID: "client-s", SecretEnv: "ASSAY_CLIENT_S_SECRET"},
		},
		Registration: Registration{
			Mode:               RegistrationStatic,
			TrustIssuerCommand: []string{in("hooks/trust-idp.sh"), "--realm", "assay"},
		},
		Grant: Grant{
			Enabled:          &off,
			URN:              GrantURNLegacy,
			TrustModel:       TrustSelfSigned,
			Issuer:           "https://idp.example",
			Key:              in("keys/grant.pem"),
			KID:              "grant-1",
			Audience:         AudienceTokenEndpoint,
			ClientAuth:       ClientAuthNone,
			ClientAuthMethod: AuthNone,
			Subject:          "alice",
			SigningAlg:       "PS256",
		},
		Audience: "https://127.0.0.1:8443/realms/assay",
		Scope:    "openid profile",
		Timeouts: Timeouts{
			Request:   Duration{5 * time.Second},
			Start:     Duration{2 * time.Minute},
			ClockSkew: Duration{8 * time.Second},
			Check:     Duration{time.Minute},

			MaxGrantLifetime: Duration{30 * time.Minute},
		},
		TokenState: TokenState{Enabled: &on, Client: "S", OtherClient: "H", TokenFrom: TokenFromCommand,
			TokenCommand: []string{in("hooks/get-token.sh"), "--realm", "assay"},
			Resource:     "https://127.0.0.1:8443/api/me", MaxWait: Duration{15 * time.Second}},
		ExpectedFailures: []Expected{
			{ID: "A-CA-05", Reason: "trailing slash normalised (vendor ticket 123)"},
			{ID: "B-ALG-06/client", Reason: "accepts HS256 signed with the RSA public key (CVE pending)", Source: in("baseline.yaml")},
			{ID: "A-CA-05.2", Source: in("baseline.yaml")},
		},
		ExpectedFailuresFile: in("baseline.yaml"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load(full.yaml) =\n%s\nwant\n%s", dump(got), dump(want))
	}
}

func TestParseFillsSectionDefaults(t *testing.T) {
	cfg, err := Parse([]byte("version: v1\ntarget: {kind: url, issuer: 'https://as.example'}\nclients: {A: {id: a}, B: {id: b}, P: {id: p}}\n"), "")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if a := cfg.Clients.A; a.Keys != KeysFixture || a.SigningAlg != "ES256" {
		t.Errorf("client A defaults: %+v", a)
	}
	if p := cfg.Clients.P; p.SigningAlg != "PS256" {
		t.Errorf("client P default alg: %+v", p)
	}
	if cfg.MockIdP.Listen != DefaultListen {
		t.Errorf("listen = %q, want %q", cfg.MockIdP.Listen, DefaultListen)
	}
	if cfg.Grant.URN != GrantURN || cfg.Timeouts.Request.Duration != 10*time.Second {
		t.Errorf("defaults lost:\n%s", dump(cfg))
	}
	if errs := cfg.Validate(); errs != nil {
		t.Errorf("Validate: %v", errs)
	}
}

func TestParseContainerLeavesListenToRunner(t *testing.T) {
	cfg, err := Load("testdata/container.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.MockIdP.Listen != "" {
		t.Errorf("listen = %q; a container target must leave it to target.MockIdPBindHost", cfg.MockIdP.Listen)
	}
	if want, _ := filepath.Abs(filepath.Join("testdata", "image")); cfg.Target.Container.Build.Context != want {
		t.Errorf("build context = %q, want %q", cfg.Target.Container.Build.Context, want)
	}
	if errs := cfg.Validate(); errs != nil {
		t.Errorf("Validate: %v", errs)
	}
}

func TestParseKeepsPathsWithoutDir(t *testing.T) {
	cfg, err := Parse([]byte("version: v1\ntarget: {caFile: ca.pem}\nregistration: {command: [hook.sh], mode: command}\n"), "")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if cfg.Target.CAFile != "ca.pem" || cfg.Registration.Command[0] != "hook.sh" {
		t.Errorf("paths changed without a dir: %+v", cfg)
	}
}

func TestParseResolvesOnlyExplicitProgramPaths(t *testing.T) {
	cfg, err := Parse([]byte("version: v1\nregistration: {mode: command, command: [register-client], trustIssuerCommand: [/usr/bin/trust]}\n"), "/etc/assay")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if cfg.Registration.Command[0] != "register-client" {
		t.Errorf("a PATH program was resolved: %q", cfg.Registration.Command[0])
	}
	if cfg.Registration.TrustIssuerCommand[0] != "/usr/bin/trust" {
		t.Errorf("an absolute program changed: %q", cfg.Registration.TrustIssuerCommand[0])
	}
}

// TestThreeMistakes is the contract of Validate: every problem at once,
// each with its field path.
func TestThreeMistakes(t *testing.T) {
	cfg, err := Load("testdata/three-mistakes.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	errs := cfg.Validate()
	want := []string{
		`clients.A.signingAlg: unknown algorithm "XS256" (want one of ES256, PS256, RS256, EdDSA)`,
		`clients.B.id: same client_id as clients.A.id ("client-a"); clients must be distinct`,
		`timeouts.request: must be positive, got 0s`,
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Validate() =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	paths(t, errs) // all *FieldError
}

func TestExpectedFailuresFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("merged after the inline entries", func(t *testing.T) {
		write("b.yaml", "- {id: B-ALG-01}\n- {id: B-ALG-02, reason: known}\n")
		cfg, err := Parse([]byte("version: v1\nexpectedFailures: [{id: A-CA-01}]\nexpectedFailuresFile: b.yaml\n"), dir)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		var ids []string
		for _, e := range cfg.ExpectedFailures {
			ids = append(ids, e.ID+"@"+filepath.Base(e.Source))
		}
		if want := []string{"A-CA-01@.", "B-ALG-01@b.yaml", "B-ALG-02@b.yaml"}; !reflect.DeepEqual(ids, want) {
			t.Errorf("entries %v, want %v", ids, want)
		}
	})
	t.Run("empty file", func(t *testing.T) {
		write("empty.yaml", "# nothing expected\n")
		if _, err := Parse([]byte("version: v1\nexpectedFailuresFile: empty.yaml\n"), dir); err != nil {
			t.Errorf("Parse: %v", err)
		}
	})
	t.Run("errors are pathed into the file", func(t *testing.T) {
		write("bad.yaml", "- {id: A-CA-01}\n- {idd: A-CA-02}\n")
		_, err := Parse([]byte("version: v1\nexpectedFailuresFile: bad.yaml\n"), dir)
		if got := paths(t, joined(err)); !reflect.DeepEqual(got, []string{"expectedFailuresFile[1].idd"}) {
			t.Errorf("error paths %v (%v)", got, err)
		}
	})
	t.Run("validation names the file's entries", func(t *testing.T) {
		write("ids.yaml", "- {id: A-CA-01}\n- {id: not-an-id}\n")
		cfg, err := Parse([]byte("version: v1\nexpectedFailures: [{id: A-CA-01}]\nexpectedFailuresFile: ids.yaml\n"), dir)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		got := paths(t, cfg.Validate())
		if want := []string{"expectedFailuresFile[0].id", "expectedFailuresFile[1].id"}; !reflect.DeepEqual(got, want) {
			t.Errorf("paths %v, want %v", got, want)
		}
	})
	for name, file := range map[string]string{"missing": "nope.yaml", "not a regular file": "/dev/zero", "a directory": "."} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte("version: v1\nexpectedFailuresFile: "+file+"\n"), dir)
			if got := paths(t, joined(err)); !reflect.DeepEqual(got, []string{"expectedFailuresFile"}) {
				t.Errorf("got %v (%v)", got, err)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.yaml"))
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "load config: ") {
		t.Errorf("Load: %v", err)
	}
}

func TestDurationRoundTrip(t *testing.T) {
	b, err := yaml.Marshal(Default())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "clockSkew: 10s") {
		t.Errorf("marshalled durations are not strings:\n%s", b)
	}
	back, err := Parse(b, "")
	if err != nil {
		t.Fatalf("Parse(Marshal(Default())): %v", err)
	}
	if !reflect.DeepEqual(back, Default()) {
		t.Errorf("round trip changed the config:\n%s", dump(back))
	}
}

// TestRelativeHookPaths: "./hook.sh" in a config file named by a relative
// path ("--config cfg.yaml") resolves against the file's folder, to an
// absolute path, so it is never looked up in PATH.
func TestRelativeHookPaths(t *testing.T) {
	dir := t.TempDir()
	body := `version: v1
target: {kind: url, issuer: https://as.example}
registration:
  mode: command
  command: [./register.sh, --flag]
  trustIssuerCommand: [hooks/trust.sh]
`
	if err := os.WriteFile(filepath.Join(dir, "cfg.yaml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	cfg, err := Load("cfg.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Registration.Command[0], filepath.Join(dir, "register.sh"); got != want {
		t.Errorf("registration.command = %q, want %q", got, want)
	}
	if got, want := cfg.Registration.TrustIssuerCommand[0], filepath.Join(dir, "hooks", "trust.sh"); got != want {
		t.Errorf("registration.trustIssuerCommand = %q, want %q", got, want)
	}
}
