package runner

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/oracle"
	"github.com/assayhq/assay/mockidp/reference"
	"github.com/assayhq/assay/mockidp/tokenissuer"
	"github.com/assayhq/assay/runner/config"
	"github.com/assayhq/assay/runner/provision"
	tgt "github.com/assayhq/assay/runner/target"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/rotation"
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

// running is a started target with its Env.
type running struct {
	name    string
	env     *check.Env
	logs    func() []byte
	cleanup []func()
}

func (r *running) close() {
	for i := len(r.cleanup) - 1; i >= 0; i-- {
		r.cleanup[i]()
	}
}

func (r *running) defer_(f func()) { r.cleanup = append(r.cleanup, f) }

// start brings up the mock IdP and the target the config describes.
func start(ctx context.Context, cfg config.Config, stdout io.Writer, getenv func(string) string) (*running, error) {
	p, _ := check.ParseProfile(cfg.Profile)
	if cfg.Target.Kind == config.KindReference || cfg.Target.Kind == "" {
		var ds []defect.Name
		if cfg.Target.Reference != nil {
			for _, d := range cfg.Target.Reference.Defects {
				ds = append(ds, defect.Name(d))
			}
		}
		return startReference(ctx, cfg, p, defect.Of(ds...))
	}
	r := &running{name: targetName(cfg)}
	ok := false
	defer func() {
		if !ok {
			r.close()
		}
	}()
	cast, err := castFromConfig(cfg, getenv)
	if err != nil {
		return nil, err
	}
	// Sleep makes the JWKS delay knob work: the rotation suite stalls
	// jwks_uri with it (C-ROT-02, C-ROT-04).
	idp := mockidp.New(mockidp.Config{Parties: cast.Parties(), MaxAge: 5 * time.Minute, Sleep: time.Sleep})
	mux := http.NewServeMux()
	mux.Handle("/", idp)
	idpURL, err := serveMockIdP(cfg, mux, r)
	if err != nil {
		return nil, err
	}
	issuer, err := tokenIssuer(cfg, idpURL, mux)
	if err != nil {
		return nil, err
	}
	if issuer != nil {
		fmt.Fprintf(stdout, "token issuer for the verifier: %s (discovery %s/.well-known/openid-configuration)\n", issuer.ID(), issuer.ID())
	}
	fmt.Fprintf(stdout, "mock IdP at %s: register jwks_uri %s (A), %s (B); trust %s with jwks_uri %s\n",
		idpURL, idpURL+mockidp.JWKSPath("A"), idpURL+mockidp.JWKSPath("B"), cast.IdPH.ID, idpURL+mockidp.JWKSPath("IdP-H"))
	tlsCfg, err := clientTLS(cfg.Target)
	if err != nil {
		return nil, err
	}
	targetPort, err := freeTargetPort(cfg)
	if err != nil {
		return nil, err
	}
	t, err := buildTarget(cfg, idpURL, targetPort, tlsCfg)
	if err != nil {
		return nil, err
	}
	r.logs = t.Logs
	r.defer_(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = t.Stop(sctx)
	})
	sctx, cancel := context.WithTimeout(ctx, cfg.Timeouts.Start.Duration+30*time.Second)
	ep, err := t.Start(sctx)
	cancel()
	if err != nil {
		return nil, withLogs(fmt.Errorf("start target: %w", err), t.Logs(), cast.Secrets())
	}
	if err := register(ctx, cfg, &cast, idpURL, ep, tlsCfg, getenv); err != nil {
		return nil, withLogs(err, t.Logs(), cast.Secrets())
	}
	orc, err := startOracle(r)
	if err != nil {
		return nil, err
	}
	opts := envOptions(cfg, p, cast, idp, orc, ep.Issuer, ep.TokenEndpoint, ep.MetadataURL, tlsCfg)
	opts.Rotation = check.Rotation{KeyCacheTTL: cfg.Rotation.KeyCacheTTL.Duration, Margin: cfg.Rotation.Margin.Duration,
		RefetchMin: cfg.Rotation.RefetchMin.Duration, Stall: cfg.Rotation.Stall.Duration, MaxWait: cfg.Rotation.MaxWait.Duration}
	if issuer != nil {
		opts.Verifier = check.VerifierTarget{URL: cfg.Verifier.URL, Audience: cfg.Verifier.Audience}
		opts.TokenIssuer = issuer
	}
	e, err := suites.NewEnv(ctx, opts)
	if err != nil {
		return nil, withLogs(fmt.Errorf("reach target: %w", err), t.Logs(), cast.Secrets())
	}
	r.env = e
	ok = true
	return r, nil
}

func withLogs(err error, logs []byte, secrets []string) error {
	lines := tail(logs, 20, secrets)
	if len(lines) == 0 {
		return err
	}
	return fmt.Errorf("%w\ntarget output (last %d lines):\n  %s", err, len(lines), strings.Join(lines, "\n  "))
}

// tail is the last n lines of a target's output, secrets and JWT
// signatures redacted (a server may log the assertions it receives).
func tail(logs []byte, n int, secrets []string) []string {
	if len(bytes.TrimSpace(logs)) == 0 {
		return nil
	}
	lines := strings.Split(strings.TrimRight(string(logs), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		lines[i] = client.Redact(l, secrets)
	}
	return lines
}

func targetName(cfg config.Config) string {
	switch {
	case cfg.Name != "":
		return cfg.Name
	case cfg.Target.Product != "":
		return strings.TrimSpace(cfg.Target.Product + " " + cfg.Target.Version)
	case cfg.Target.Issuer != "":
		return cfg.Target.Issuer
	}
	return cfg.Target.Kind + " target"
}

func envOptions(cfg config.Config, p check.Profile, cast mockidp.Cast, idp *mockidp.IdP, orc *oracle.Oracle, issuer, te, meta string, tlsCfg *tls.Config) suites.Options {
	return suites.Options{Oracle: orc,
		Issuer: issuer, TokenEndpoint: te, MetadataURL: meta, Profile: p, Cast: cast, IdP: idp,
		Grant:    check.GrantOptions{Enabled: cfg.Grant.On(), URN: cfg.Grant.URN, ClientAuth: cfg.Grant.ClientAuth},
		Audience: cfg.Audience, Clock: time.Now, Since: time.Since, Rand: rand.Reader, TLS: tlsCfg,
		Timeout: cfg.Timeouts.Request.Duration,
	}
}

func startReference(ctx context.Context, cfg config.Config, p check.Profile, defects defect.Set) (*running, error) {
	cast, err := mockidp.FixtureCast()
	if err != nil {
		return nil, err
	}
	if err := grantKey(&cast, cfg.Grant.SigningAlg); err != nil {
		return nil, err
	}
	in, err := reference.Start(reference.Options{Profile: string(p), Defects: defects, Clock: time.Now, Rand: rand.Reader, Cast: cast})
	if err != nil {
		return nil, fmt.Errorf("start reference target: %w", err)
	}
	r := &running{name: "assay reference"}
	r.defer_(func() { _ = in.Close() })
	if len(defects) > 0 {
		r.name += " (defects: " + strings.Join(toStrings(defects), ", ") + ")"
	}
	tlsCfg, err := reference.ClientTLS()
	var orc *oracle.Oracle
	if err == nil {
		orc, err = startOracle(r)
	}
	if err == nil {
		opts := envOptions(cfg, p, cast, in.IdP, orc, in.Issuer, "", "", tlsCfg)
		// The built-in reference caches client keys briefly (reference.FastKeyCache)
		// and serves a reference verifier, so the rotation and resource suites
		// run in full in seconds.
		opts.Rotation = rotation.FastReference()
		opts.Verifier = check.VerifierTarget{URL: in.VerifierURL, Audience: reference.VerifierAudience}
		opts.TokenIssuer = in.TokenIssuer
		r.env, err = suites.NewEnv(ctx, opts)
	}
	if err != nil {
		r.close()
		return nil, fmt.Errorf("reach reference target: %w", err)
	}
	return r, nil
}

// tokenIssuer mounts IdP-V, the token issuer of the resource suite, on the
// mock IdP at /idp-v when the config names a verifier; the target must trust
// <idpURL>/idp-v (discovery at /idp-v/.well-known/openid-configuration).
func tokenIssuer(cfg config.Config, idpURL string, mux *http.ServeMux) (*tokenissuer.Issuer, error) {
	if cfg.Verifier == nil {
		return nil, nil
	}
	is, err := tokenissuer.New(tokenissuer.Config{ID: idpURL + reference.IssuerPath, Audience: cfg.Verifier.Audience,
		Schedule: keys.Schedule{Retire: time.Hour}, Clock: time.Now, Rand: rand.Reader, Sleep: time.Sleep})
	if err != nil {
		return nil, err
	}
	mux.Handle(reference.IssuerPath+"/", http.StripPrefix(reference.IssuerPath, is))
	return is, nil
}

// startOracle starts the loopback SSRF listener that jku/x5u rows point at
// (catalog.md §0.3 U6). It binds 127.0.0.1 only: a request it sees came
// from a target on this host following an attacker-chosen URL.
func startOracle(r *running) (*oracle.Oracle, error) {
	orc, err := oracle.StartAttacker()
	if err != nil {
		return nil, fmt.Errorf("start SSRF oracle: %w", err)
	}
	r.defer_(func() { _ = orc.Close() })
	return orc, nil
}

// serveMockIdP listens where the target can reach the mock IdP and returns
// the base URL the target uses.
func serveMockIdP(cfg config.Config, idp http.Handler, r *running) (string, error) {
	listen := cfg.MockIdP.Listen
	if listen == "" {
		listen = net.JoinHostPort(tgt.MockIdPBindHost(cfg.Target.Kind), "0")
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return "", fmt.Errorf("listen mock IdP on %s: %w", listen, err)
	}
	srv := &http.Server{Handler: idp, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	r.defer_(func() { _ = srv.Close() })
	if cfg.MockIdP.PublicURL != "" {
		return strings.TrimSuffix(cfg.MockIdP.PublicURL, "/"), nil
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return tgt.MockIdPURL(cfg.Target.Kind, port), nil
}

// clientTLS trusts the system roots plus target.caFile.
func clientTLS(t config.Target) (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: t.InsecureSkipVerify} //nolint:gosec // the user asked for it, and reports say so
	if t.CAFile == "" {
		return c, nil
	}
	pem, err := os.ReadFile(t.CAFile)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("target.caFile: %w", err)}
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("target.caFile: %s holds no PEM certificate", t.CAFile)}
	}
	c.RootCAs = pool
	return c, nil
}

// expand replaces ${ASSAY_MOCKIDP_URL} and ${ASSAY_TARGET_PORT} in command
// lines and environment values, so a started target can be pointed at this
// run's mock IdP and can name its own host-visible issuer.
func expand(s, idpURL, port string) string {
	return strings.NewReplacer("${ASSAY_MOCKIDP_URL}", idpURL, "${ASSAY_TARGET_PORT}", port).Replace(s)
}

// targetPortVar is replaced by the host port a container's first port is
// published on. A server whose issuer must equal its host-visible URL
// (RFC 8414 §3.3) gets --issuer https://127.0.0.1:${ASSAY_TARGET_PORT}.
const targetPortVar = "${ASSAY_TARGET_PORT}"

// freeTargetPort picks a free loopback port for a container target that
// names ${ASSAY_TARGET_PORT} in its cmd or env; "" when none does. The
// port is released before Docker binds it; a clash fails the start with
// an ERROR, never a wrong result. It is drawn from below Linux's default
// ephemeral range (32768-60999), where the kernel does not hand out the
// local ends of the harness's own connections.
func freeTargetPort(cfg config.Config) (string, error) {
	c := cfg.Target.Container
	if cfg.Target.Kind != config.KindContainer || c == nil {
		return "", nil
	}
	uses := false
	for _, a := range c.Cmd {
		uses = uses || strings.Contains(a, targetPortVar)
	}
	for _, v := range c.Env {
		uses = uses || strings.Contains(v, targetPortVar)
	}
	if !uses {
		return "", nil
	}
	var err error
	for range 100 {
		port := strconv.Itoa(20000 + mrand.IntN(12000))
		var ln net.Listener
		if ln, err = net.Listen("tcp", "127.0.0.1:"+port); err == nil {
			ln.Close()
			return port, nil
		}
	}
	return "", fmt.Errorf("pick a host port for the target in 20000-31999: %w", err)
}

// LabelPID is set on a container target to the pid of the assay process
// that started it.
const LabelPID = "io.assay.pid"

func buildTarget(cfg config.Config, idpURL, targetPort string, tlsCfg *tls.Config) (tgt.Target, error) {
	t := cfg.Target
	ep := tgt.Endpoint{Issuer: t.Issuer, TokenEndpoint: t.TokenEndpoint, MetadataURL: t.MetadataURL}
	probe := func(r config.Ready) tgt.ReadyProbe {
		timeout := r.Timeout.Duration
		if timeout == 0 {
			timeout = cfg.Timeouts.Start.Duration
		}
		return tgt.ReadyProbe{URL: r.URL, Port: r.Port, Log: r.Log, Timeout: timeout,
			Client: &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}}}
	}
	switch t.Kind {
	case config.KindURL:
		return tgt.URL(ep), nil
	case config.KindProcess:
		cmd := make([]string, len(t.Process.Command))
		for i, a := range t.Process.Command {
			cmd[i] = expand(a, idpURL, targetPort)
		}
		env := os.Environ()
		for k, v := range t.Process.Env {
			env = append(env, k+"="+expand(v, idpURL, targetPort))
		}
		env = append(env, "ASSAY_MOCKIDP_URL="+idpURL)
		return tgt.Process(tgt.ProcessSpec{Command: cmd, Dir: t.Process.Dir, Env: env, Ready: probe(t.Process.Ready), Endpoint: ep}), nil
	case config.KindContainer:
		c := t.Container
		env := map[string]string{"ASSAY_MOCKIDP_URL": idpURL}
		for k, v := range c.Env {
			env[k] = expand(v, idpURL, targetPort)
		}
		cmd := make([]string, len(c.Cmd))
		for i, a := range c.Cmd {
			cmd[i] = expand(a, idpURL, targetPort)
		}
		spec := tgt.ContainerSpec{Image: c.Image, Env: env, Ports: c.Ports, Cmd: cmd, Ready: probe(c.Ready), HostPort: targetPort,
			// Tests (and users) find the containers of one run by this label.
			Labels: map[string]string{LabelPID: strconv.Itoa(os.Getpid())}}
		if c.Build != nil {
			args := map[string]*string{}
			for k, v := range c.Build.BuildArgs {
				v := v
				args[k] = &v
			}
			spec.Build = &tgt.BuildSpec{Context: c.Build.Context, Dockerfile: c.Build.Dockerfile, Args: args}
		}
		if t.Issuer != "" {
			spec.Endpoint = func(string, string) tgt.Endpoint { return ep }
		}
		return tgt.Container(spec), nil
	}
	return nil, usageErr("target.kind: unknown %q", t.Kind)
}

// castFromConfig builds the parties from the config: IDs from the file,
// keys from the fixtures, fresh, or a private JWKS file; secrets from the
// environment.
func castFromConfig(cfg config.Config, getenv func(string) string) (mockidp.Cast, error) {
	cast, err := mockidp.FixtureCast()
	if err != nil {
		return cast, err
	}
	party := func(base mockidp.Party, c *config.Client) (mockidp.Party, error) {
		if c == nil {
			return mockidp.Party{}, nil
		}
		p := base
		p.ID = c.ID
		switch c.Keys {
		case "", config.KeysFixture:
		case config.KeysGenerate:
			k, err := keys.Generate(c.SigningAlg, strings.ToLower(base.Name)+"-"+strings.ToLower(c.SigningAlg)+"-run", rand.Reader)
			if err != nil {
				return p, err
			}
			p.Keys = keys.Set{k}
		default:
			ks, err := loadPrivateJWKS(c.Keys)
			if err != nil {
				return p, fmt.Errorf("clients.%s.keys: %w", base.Name, err)
			}
			p.Keys = ks
		}
		// The registered signing algorithm's key signs by default.
		for i, k := range p.Keys {
			if k.Alg() == c.SigningAlg {
				p.Keys[0], p.Keys[i] = p.Keys[i], p.Keys[0]
				break
			}
		}
		return p, nil
	}
	if cast.A, err = party(cast.A, cfg.Clients.A); err != nil {
		return cast, err
	}
	if cast.B, err = party(cast.B, cfg.Clients.B); err != nil {
		return cast, err
	}
	if cast.P, err = party(cast.P, cfg.Clients.P); err != nil {
		return cast, err
	}
	secret := func(base mockidp.Party, c *config.SecretClient) mockidp.Party {
		if c == nil {
			return mockidp.Party{}
		}
		base.ID, base.Secret = c.ID, getenv(c.SecretEnv)
		return base
	}
	cast.H, cast.S = secret(cast.H, cfg.Clients.H), secret(cast.S, cfg.Clients.S)
	cast.IdPH.ID, cast.User = cfg.Grant.Issuer, cfg.Grant.Subject
	return cast, grantKey(&cast, cfg.Grant.SigningAlg)
}

// grantKey gives IdP-H a signing key for alg (grant.signingAlg). Only the
// EdDSA key is a fixture; another algorithm's key is made for the run and
// published at IdP-H's jwks_uri like the fixture.
func grantKey(cast *mockidp.Cast, alg string) error {
	if alg == "" {
		return nil
	}
	if _, ok := cast.IdPH.KeyFor(alg); ok {
		return nil
	}
	k, err := keys.Generate(alg, "idp-h-"+strings.ToLower(alg)+"-run", rand.Reader)
	if err != nil {
		return fmt.Errorf("grant.signingAlg: %w", err)
	}
	cast.IdPH.Keys = keys.Set{k}
	return nil
}

func loadPrivateJWKS(path string) (keys.Set, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	var ks keys.Set
	for i, raw := range doc.Keys {
		k, err := keys.ParseJWK(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: key %d: %w", path, i, err)
		}
		ks = append(ks, k)
	}
	if len(ks) == 0 {
		return nil, fmt.Errorf("%s holds no keys", path)
	}
	return ks, nil
}

func toStrings(s defect.Set) []string {
	var out []string
	for _, d := range defect.All() {
		if s.Has(d) {
			out = append(out, string(d))
		}
	}
	return out
}

// register makes the started target know the cast (registration.mode) and
// trust IdP-H (registration.trustIssuerCommand). It runs after the target
// is up and before the suites see it; any failure is a harness ERROR.
func register(ctx context.Context, cfg config.Config, cast *mockidp.Cast, idpURL string, ep tgt.Endpoint, tlsCfg *tls.Config, getenv func(string) string) error {
	reg := cfg.Registration
	hook := func(cmd []string) provision.Hook {
		env := append(os.Environ(), "ASSAY_MOCKIDP_URL="+idpURL, "ASSAY_ISSUER="+ep.Issuer, "ASSAY_TOKEN_ENDPOINT="+ep.TokenEndpoint)
		return provision.Hook{Command: cmd, Env: env, Timeout: provision.DefaultHookTimeout}
	}
	grants := []string{"client_credentials"}
	if cfg.Grant.On() {
		grants = append(grants, cfg.Grant.URN)
	}
	var r provision.Registrar
	switch reg.Mode {
	case config.RegistrationDynamic:
		hc := &http.Client{Timeout: cfg.Timeouts.Request.Duration, Transport: &http.Transport{TLSClientConfig: tlsCfg}}
		endpoint := reg.Endpoint
		if endpoint == "" {
			var err error
			if endpoint, err = provision.RegistrationEndpoint(ctx, hc, ep.Issuer, ep.MetadataURL); err != nil {
				return fmt.Errorf("dynamic registration: %w", err)
			}
		}
		d := provision.Dynamic{Endpoint: endpoint, Client: hc}
		if reg.InitialAccessTokenEnv != "" {
			d.InitialAccessToken = getenv(reg.InitialAccessTokenEnv)
		}
		r = d
	case config.RegistrationCommand:
		r = provision.Command{Hook: hook(reg.Command)}
	}
	if r != nil {
		if err := provision.Cast(ctx, r, cast, idpURL, grants); err != nil {
			return fmt.Errorf("%s registration: %w", reg.Mode, err)
		}
	}
	if len(reg.TrustIssuerCommand) > 0 && cfg.Grant.On() {
		t := provision.Trust{Issuer: cast.IdPH.ID, JWKSURI: idpURL + mockidp.JWKSPath(cast.IdPH.Name)}
		if err := provision.TrustIssuer(ctx, hook(reg.TrustIssuerCommand), t); err != nil {
			return err
		}
	}
	return nil
}
