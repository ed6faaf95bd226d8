package runner

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/clock"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/oracle"
	"github.com/assayhq/assay/mockidp/reference"
	"github.com/assayhq/assay/mockidp/tokenissuer"
	"github.com/assayhq/assay/runner/config"
	tgt "github.com/assayhq/assay/runner/target"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

// running is a started target with its Env.
type running struct {
	name    string
	env     *check.Env
	logs    func() []byte
	cleanup []func()
	// pause waits on the target's clock: real time for an external
	// target, the shared virtual clock for the in-process reference.
	pause func(time.Duration)
	// clock is that virtual clock; nil for an external target.
	clock *clock.Virtual
}

func (r *running) close() {
	for i := len(r.cleanup) - 1; i >= 0; i-- {
		r.cleanup[i]()
	}
}

func (r *running) defer_(f func()) { r.cleanup = append(r.cleanup, f) }

// start brings up the mock IdP and the target the config describes.
func start(ctx context.Context, cfg config.Config, stdout io.Writer, getenv func(string) string) (*running, error) {
	p := cfg.Profile // validated with the config
	if cfg.Target.Kind == config.KindReference || cfg.Target.Kind == "" {
		var ds []defect.Name
		if cfg.Target.Reference != nil {
			for _, d := range cfg.Target.Reference.Defects {
				ds = append(ds, defect.Name(d))
			}
		}
		return startReference(ctx, cfg, p, defect.Of(ds...), getenv)
	}
	r := &running{name: targetName(cfg), pause: time.Sleep}
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
	issuer, err := tokenIssuer(cfg, idpURL, mux, getenv)
	if err != nil {
		return nil, err
	}
	if issuer != nil {
		fmt.Fprintf(stdout, "token issuer for the verifier: %s (iss %s, %s; discovery %s/.well-known/openid-configuration)\n", issuer.ID(), issuer.Iss(), issuer.Alg(), issuer.ID())
	}
	fmt.Fprintln(stdout, banner(idpURL, cast, cfg.Grant))
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
	if cfg.Target.Kind == config.KindContainer {
		sweepOrphans(ctx, stdout)
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
	if !cfg.VerifierOnly() {
		if err := register(ctx, cfg, &cast, idpURL, ep, tlsCfg, getenv); err != nil {
			return nil, withLogs(err, t.Logs(), cast.Secrets())
		}
	}
	orc, err := startOracle(r, oracleOptions(cfg))
	if err != nil {
		return nil, err
	}
	opts := envOptions(cfg, p, cast, idp, orc, ep.Issuer, ep.TokenEndpoint, ep.MetadataURL, tlsCfg)
	if cfg.Registration.InitialAccessTokenEnv != "" {
		opts.RegistrationToken = getenv(cfg.Registration.InitialAccessTokenEnv)
	}
	opts.Rotation = check.Rotation{KeyCacheTTL: cfg.Rotation.KeyCacheTTL.Duration, Margin: cfg.Rotation.Margin.Duration,
		RefetchMin: cfg.Rotation.RefetchMin.Duration, Stall: cfg.Rotation.Stall.Duration, MaxWait: cfg.Rotation.MaxWait.Duration}
	if issuer != nil {
		opts.Verifier = verifierTarget(*cfg.Verifier, targetPort, getenv)
		opts.TokenIssuer = issuer
	}
	opts.TokenState = tokenState(cfg, cast, targetPort)
	e, err := suites.NewEnv(ctx, opts)
	if err != nil {
		return nil, withLogs(fmt.Errorf("reach target: %w", err), t.Logs(), cast.Secrets())
	}
	e.TokenState.Command = tokenCommand(cfg.TokenState, hookEnv(idpURL, ep.Issuer, e.Target.TokenEndpoint))
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

// tail is the last n lines of a target's output with credentials redacted
// (client.RedactText: a server may log the assertions, secrets, keys and
// tokens it receives). Redaction sees a window larger than n lines, so a
// multi-line PEM key that starts above the tail is still recognised; a
// window that opens inside one is cut up to its END line.
func tail(logs []byte, n int, secrets []string) []string {
	if len(bytes.TrimSpace(logs)) == 0 {
		return nil
	}
	lines := strings.Split(strings.TrimRight(string(logs), "\n"), "\n")
	if w := n + 200; len(lines) > w {
		lines = lines[len(lines)-w:]
	}
	lines = strings.Split(client.RedactText(strings.Join(lines, "\n"), secrets), "\n")
	for i, l := range lines {
		if strings.Contains(l, "-----BEGIN") {
			break
		}
		if strings.Contains(l, "PRIVATE KEY-----") {
			for j := 0; j <= i; j++ {
				lines[j] = "<redacted>"
			}
			break
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		if len(l) > maxLogLine {
			lines[i] = strings.ToValidUTF8(l[:maxLogLine], "") + " [...]"
		}
	}
	return lines
}

// maxLogLine bounds one line of the target's output in reports.
const maxLogLine = 500

func envOptions(cfg config.Config, p check.Profile, cast mockidp.Cast, idp *mockidp.IdP, orc *oracle.Oracle, issuer, te, meta string, tlsCfg *tls.Config) suites.Options {
	return suites.Options{Oracle: orc,
		Issuer: issuer, TokenEndpoint: te, MetadataURL: meta, Profile: p, Cast: cast, IdP: idp,
		Grant: check.GrantOptions{Enabled: cfg.Grant.On(), Asked: cfg.Grant.Asked(), URN: cfg.Grant.URN, ClientAuth: cfg.Grant.ClientAuth,
			KnownSubjects: cfg.Grant.KnownSubjects, AuthMethod: cfg.Grant.ClientAuthMethod, TrustModel: cfg.Grant.TrustModel,
			Client: cfg.Grant.Client, Audience: cfg.Grant.Audience, KID: cfg.Grant.KID},
		MaxAssertionLifetime: cfg.Timeouts.MaxAssertionLifetime.Duration,
		MaxGrantLifetime:     cfg.Timeouts.MaxGrantLifetime.Duration,
		ClockSkew:            cfg.Timeouts.ClockSkew.Duration,
		Audience:             cfg.Audience, Scope: cfg.Scope, Clock: time.Now, Since: time.Since, Rand: rand.Reader, TLS: tlsCfg,
		Timeout: cfg.Timeouts.Request.Duration,
	}
}

func startReference(ctx context.Context, cfg config.Config, p check.Profile, defects defect.Set, getenv func(string) string) (*running, error) {
	cast, err := mockidp.FixtureCast()
	if err != nil {
		return nil, err
	}
	if err := grantIssuer(&cast, cfg.Grant, getenv); err != nil {
		return nil, err
	}
	// The reference takes the grant the way the config sends it.
	var auds []string
	if a := cfg.Grant.Audience; a != config.AudienceIssuer && a != config.AudienceTokenEndpoint {
		auds = []string{a}
	}
	// The reference runs in this process on a virtual clock it shares with
	// the Env: a rotation or convergence wait, a stalled jwks_uri and the
	// fetch timeout it trips advance that clock instead of the wall clock.
	// The scenarios and verdicts are those an external target gets.
	clk := clock.New(time.Now)
	in, err := reference.Start(reference.Options{Profile: p, Defects: defects, Clock: clk.Now, Sleep: clk.Advance, Rand: rand.Reader, Cast: cast,
		GrantModel: cfg.Grant.TrustModel, GrantAudiences: auds, GrantTokenEndpointAud: cfg.Grant.Audience == config.AudienceTokenEndpoint})
	if err != nil {
		return nil, fmt.Errorf("start reference target: %w", err)
	}
	r := &running{name: "assay reference", pause: clk.Advance, clock: clk}
	r.defer_(func() { _ = in.Close() })
	if len(defects) > 0 {
		r.name += " (defects: " + strings.Join(toStrings(defects), ", ") + ")"
	}
	tlsCfg, err := reference.ClientTLS()
	var orc *oracle.Oracle
	if err == nil {
		orc, err = startOracle(r, oracle.Options{Loopback: true}) // the reference runs in this process
	}
	if err == nil {
		// The token endpoint is given, as the self-test gives it, so that a
		// defect that breaks discovery fails its metadata checks (A-MD-05)
		// and leaves the others running, instead of failing setup.
		opts := envOptions(cfg, p, cast, in.IdP, orc, in.Issuer, in.TokenEndpoint(), "", tlsCfg)
		opts.Clock, opts.Since, opts.Sleep, opts.VirtualTime = clk.Now, clk.Since, clk.Sleep, true
		// The built-in reference caches client keys briefly (reference.FastKeyCache)
		// and serves a reference verifier, so the rotation and resource suites
		// run in full in seconds; it reports its own key cache timings.
		opts.Rotation = check.KnownKeyCache(in.Server.KeyCache())
		// The reference offers the grant, whatever a defect does to its
		// metadata (A-MD-09 judges the metadata).
		opts.Grant.Asked = opts.Grant.Enabled
		// The reference's own policies, unless the config declares others.
		if len(opts.Grant.KnownSubjects) == 0 {
			opts.Grant.KnownSubjects = reference.KnownSubjects(cast)
		}
		if opts.MaxAssertionLifetime == 0 {
			opts.MaxAssertionLifetime = reference.MaxAssertionLifetime
		}
		if opts.MaxGrantLifetime == 0 {
			opts.MaxGrantLifetime = reference.MaxGrantLifetime
		}
		opts.Verifier = check.VerifierTarget{URL: in.VerifierURL, Audience: reference.VerifierAudience}
		opts.TokenIssuer = in.TokenIssuer
		opts.TokenState = tokenState(cfg, cast, "")
		opts.TokenState.Resource, opts.TokenState.Other = in.IntrospectedURL, cast.B
		if cfg.TokenState.MaxWait.Duration == 0 {
			// Waiting on the virtual clock costs no wall time: C-INT-03
			// waits out the reference's 5 min tokens.
			opts.TokenState.MaxWait = time.Hour
		}
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
// <idpURL>/idp-v (discovery at /idp-v/.well-known/openid-configuration), or
// share the secret of an HMAC issuer.
func tokenIssuer(cfg config.Config, idpURL string, mux *http.ServeMux, getenv func(string) string) (*tokenissuer.Issuer, error) {
	vf := cfg.Verifier
	if vf == nil {
		return nil, nil
	}
	typ := vf.Issuer.Typ
	if typ == "" && vf.Kind != "" && vf.Kind != check.AccessTokens {
		typ = "JWT" // OIDC Core §2 ID Tokens, RFC 7519 §5.1 plain JWTs
	}
	var secret []byte
	if vf.Issuer.SecretEnv != "" {
		secret = []byte(getenv(vf.Issuer.SecretEnv))
	}
	is, err := tokenissuer.New(tokenissuer.Config{ID: idpURL + reference.IssuerPath, Audience: vf.Audience,
		Schedule: keys.Schedule{Retire: time.Hour}, Clock: time.Now, Rand: rand.Reader, Sleep: time.Sleep,
		Alg: vf.Issuer.Alg, Secret: secret, Typ: typ, Claims: vf.Claims, Scope: vf.Scope, Iss: vf.Issuer.Iss})
	if err != nil {
		return nil, fmt.Errorf("verifier.issuer: %w", err)
	}
	mux.Handle(reference.IssuerPath+"/", http.StripPrefix(reference.IssuerPath, is))
	return is, nil
}

// verifierTarget is the config's verifier as the resource suite sees it,
// with ${ASSAY_TARGET_PORT} expanded and header secrets read.
func verifierTarget(vf config.Verifier, targetPort string, getenv func(string) string) check.VerifierTarget {
	r := vf.Request
	vt := check.VerifierTarget{URL: expandPort(vf.URL, targetPort), Audience: vf.Audience, Kind: vf.Kind,
		Method: r.Method, Placement: r.Token, Field: r.Field, Body: r.Body,
		Scope: vf.Scope, Claims: vf.Claims, Nonce: vf.Nonce, Header: http.Header{}}
	for k, v := range r.Headers {
		vt.Header.Set(k, v)
	}
	for k, env := range r.HeadersFromEnv {
		vt.Header.Set(k, getenv(env))
		vt.SecretHeaders = append(vt.SecretHeaders, k)
	}
	rule := func(d *config.DecisionRule) check.Rule {
		out := check.Rule{Pointer: d.Pointer, Value: d.Value.JSON}
		for _, st := range d.Status {
			n, _ := strconv.Atoi(st) // validated
			out.Status = append(out.Status, n)
		}
		return out
	}
	if vf.Allow != nil {
		vt.Allow = rule(vf.Allow)
	}
	if vf.Deny != nil {
		d := rule(vf.Deny)
		vt.Deny = &d
	}
	return vt
}

// startOracle starts the SSRF listener that jku/x5u rows point at
// (catalog.md §0.3 U6), listening as o says: a request it sees came from
// the target following an attacker-chosen URL.
func startOracle(r *running, o oracle.Options) (*oracle.Oracle, error) {
	orc, err := oracle.StartAttacker(o)
	if err != nil {
		return nil, fmt.Errorf("start SSRF oracle: %w", err)
	}
	r.defer_(func() { _ = orc.Close() })
	return orc, nil
}

// oracleOptions puts the SSRF oracle where the target can reach it, as the
// mock IdP is (semantics.md §6): on loopback for a target on this host, on
// the Docker bridge for a container, which reaches it as
// host.docker.internal. A config that moves the mock IdP (mockidp.listen,
// mockidp.publicURL) moves the oracle's host with it, on a port of its own.
// Only a target that reaches the oracle through loopback shares the
// harness's loopback: the rows whose URL names 127.0.0.1 need that.
func oracleOptions(cfg config.Config) oracle.Options {
	kind := cfg.Target.Kind
	bind := tgt.MockIdPBindHost(kind)
	if h, _, err := net.SplitHostPort(cfg.MockIdP.Listen); err == nil {
		bind = h
	}
	host := ""
	if u, err := url.Parse(tgt.MockIdPURL(kind, "0")); err == nil {
		host = u.Hostname()
	}
	if cfg.MockIdP.PublicURL != "" {
		if u, err := url.Parse(cfg.MockIdP.PublicURL); err == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
	}
	return oracle.Options{Listen: net.JoinHostPort(bind, "0"), Host: host,
		Loopback: kind != config.KindContainer && isLoopback(host)}
}

// isLoopback reports whether host names this host's loopback interface.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
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

// targetPortVar is replaced by the host port a container's first port is
// published on. A server whose issuer must equal its host-visible URL
// (RFC 8414 §3.3) gets --issuer https://127.0.0.1:${ASSAY_TARGET_PORT}.
const targetPortVar = "${ASSAY_TARGET_PORT}"

// LabelPID is set on a container target to the pid of the assay process
// that started it.
const LabelPID = tgt.LabelOwnerPID

// sweepOrphans removes the container targets left on this host by an assay
// process that no longer exists (one killed with SIGKILL cannot clean up
// after itself) and says so; a failed sweep is only a warning.
func sweepOrphans(ctx context.Context, stdout io.Writer) {
	removed, err := tgt.SweepOrphans(ctx, hostname(), processAlive)
	if len(removed) > 0 {
		fmt.Fprintf(stdout, "removed %d container(s) left by an assay run that no longer exists\n", len(removed))
	}
	if err != nil {
		fmt.Fprintf(stdout, "warning: sweeping leftover containers: %v\n", err)
	}
}

// processAlive reports whether pid is a running process (EPERM: it exists
// but belongs to someone else).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// hostname names this host in the containers' owner label, so that a
// sweep never judges a pid of another host sharing the engine.
func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "unknown"
	}
	return h
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

// banner says where the mock IdP serves every configured client's keys
// (the jwks_uri to register for each) and what the server must trust for
// the grant: the grant issuer and its jwks_uri, the self-signing client, or
// the issuer whose shared secret signs (named by its variable, never shown).
func banner(idpURL string, cast mockidp.Cast, g config.Grant) string {
	var cs []string
	for _, p := range append([]mockidp.Party{cast.A, cast.B, cast.P}, cast.Spares...) {
		if p.Name != "" && len(p.Keys) > 0 {
			cs = append(cs, fmt.Sprintf("%s (%s)", idpURL+mockidp.JWKSPath(p.Name), p.Name))
		}
	}
	s := "mock IdP at " + idpURL + ":"
	if len(cs) > 0 {
		s += " register jwks_uri " + strings.Join(cs, ", ") + ";"
	}
	switch {
	case !g.On():
		return strings.TrimSuffix(s, ";")
	case g.TrustModel == config.TrustSelfSigned && g.Client != "":
		return s + fmt.Sprintf(" grants are self-signed by client %s (its jwks_uri above)", g.Client)
	case g.SecretEnv != "":
		return s + fmt.Sprintf(" trust %s, signing grants %s with the secret in %s", cast.IdPH.ID, g.SigningAlg, g.SecretEnv)
	}
	return s + fmt.Sprintf(" trust %s with jwks_uri %s", cast.IdPH.ID, idpURL+mockidp.JWKSPath(cast.IdPH.Name))
}
