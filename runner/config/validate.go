package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp/profile"
)

// FieldError is one problem with one field of a Config.
type FieldError struct {
	// Path is the field's dotted path as written in the file, for example
	// "clients.A.signingAlg" or "expectedFailures[2].id".
	Path string
	// Msg says what is wrong and, where it helps, what is wanted.
	Msg string
	// Line and Column locate the problem in the file (1-based), when the
	// decoder found it there; 0 when not known.
	Line, Column int
}

// Error is "line:column: path: message", or "path: message" for a problem
// with no position in the file (a missing field, a rule across fields).
func (e *FieldError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%d:%d: %s: %s", e.Line, e.Column, e.Path, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%d: %s: %s", e.Line, e.Path, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

// Enumerations, in the order messages list them.
var (
	kinds        = []string{KindReference, KindURL, KindProcess, KindContainer}
	algorithms   = []string{"ES256", "PS256", "RS256", "EdDSA"}
	modes        = []string{RegistrationStatic, RegistrationDynamic, RegistrationCommand}
	grantURNs    = []string{GrantURN, GrantURNLegacy}
	trustModels  = []string{TrustExternalIssuer, TrustSelfSigned, TrustServiceAccount}
	clientAuths  = []string{ClientAuthRequired, ClientAuthOptional, ClientAuthNone}
	authMethods  = []string{AuthNone, AuthPrivateKeyJWT, AuthClientSecretJWT, AuthClientSecretBasic, AuthClientSecretPost}
	grantAlgs    = []string{"ES256", "PS256", "RS256", "EdDSA", "HS256", "HS384", "HS512"}
	grantClients = []string{"A", "B", "P"}
	issuerAlgs   = []string{"ES256", "RS256", "PS256", "EdDSA", "HS256", "HS384", "HS512"}
	verifierKind = []string{"access", "id_token", "jwt"}
	placements   = []string{"bearer", "form", "json"}
	expectedID   = regexp.MustCompile(`^[A-Z]+(-[A-Z0-9]+)+(\.[0-9]+)?(/(client|grant))?$`)
	envName      = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	containerPrt = regexp.MustCompile(`^([0-9]{1,5})(/(tcp|udp))?$`)
)

// maxClockSkew is where acceptance must end: FAPI 2.0 Security Profile
// §5.3.2.1 item 13 requires rejecting iat/nbf more than 60 s in the future.
const maxClockSkew = 60 * time.Second

// minHS256Secret is the shortest client_secret_jwt secret: RFC 7518 §3.2
// wants an HMAC key at least as long as the hash output.
const minHS256Secret = 32

// validator collects FieldErrors.
type validator struct{ errs []error }

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// oneOf checks an enumerated value; an empty value is "required".
func (v *validator) oneOf(path, what, got string, want []string) {
	switch {
	case got == "":
		v.add(path, "required (want one of %s)", strings.Join(want, ", "))
	case !slices.Contains(want, got):
		v.add(path, "unknown %s %s (want one of %s)", what, q(got), strings.Join(want, ", "))
	}
}

// Validate checks the whole Config and returns every problem, each a
// *FieldError; nil means valid. It reads no files and no environment (see
// ValidateEnv).
func (c Config) Validate() []error {
	v := &validator{}
	switch c.Version {
	case Version:
	case "":
		v.add("version", "required (want %s)", Version)
	default:
		v.add("version", "unsupported version %s (want %s)", q(c.Version), Version)
	}
	if c.Profile == "" {
		v.add("profile", "required (want one of %s)", profile.Names())
	} else if _, err := profile.Parse(string(c.Profile)); err != nil {
		v.add("profile", "unknown profile %s (want one of %s)", q(string(c.Profile)), profile.Names())
	}
	c.validateTarget(v)
	c.validateMockIdP(v)
	c.validateClients(v)
	c.validateRegistration(v)
	c.validateGrant(v)
	if c.Audience != "" {
		if u, err := url.Parse(c.Audience); err != nil || !u.IsAbs() || u.Host == "" {
			v.add("audience", "want an absolute URL (the issuer or the token endpoint), got %s", q(c.Audience))
		}
	}
	if c.Scope != "" {
		validateScope(v, c.Scope)
	}
	c.validateTimeouts(v)
	c.validateRotation(v)
	c.validateTokenState(v)
	c.validateExpected(v)
	return v.errs
}

func (c Config) validateTarget(v *validator) {
	t := c.Target
	v.oneOf("target.kind", "kind", t.Kind, kinds)
	only := func(path string, set bool, kind string) {
		if set && t.Kind != kind {
			v.add(path, "only allowed with kind %s", kind)
		}
	}
	only("target.process", t.Process != nil, KindProcess)
	only("target.container", t.Container != nil, KindContainer)
	only("target.reference", t.Reference != nil, KindReference)

	if t.Kind == KindReference {
		// The in-process reference endpoint sets its own URLs and TLS.
		for _, f := range []struct {
			path string
			set  bool
		}{
			{"target.issuer", t.Issuer != ""},
			{"target.tokenEndpoint", t.TokenEndpoint != ""},
			{"target.metadataURL", t.MetadataURL != ""},
			{"target.introspectionEndpoint", t.IntrospectionEndpoint != ""},
			{"target.revocationEndpoint", t.RevocationEndpoint != ""},
			{"target.caFile", t.CAFile != ""},
			{"target.insecureSkipVerify", t.InsecureSkipVerify},
		} {
			if f.set {
				v.add(f.path, "not used with kind reference (the reference endpoint sets its own)")
			}
		}
		if r := t.Reference; r != nil {
			seen := map[string]int{}
			for i, d := range r.Defects {
				p := "target.reference.defects[" + strconv.Itoa(i) + "]"
				if d == "" {
					v.add(p, "empty defect name")
				} else if j, dup := seen[d]; dup {
					v.add(p, "defect %s listed twice (also defects[%d])", q(d), j)
				}
				seen[d] = i
			}
		}
	}
	if (t.Kind == KindURL || t.Kind == KindProcess) && t.Issuer == "" && !c.VerifierOnly() {
		v.add("target.issuer", "required for kind %s (or a verifier and no token endpoint: a verifier-only target)", t.Kind)
	}
	if t.Kind != KindReference {
		if t.Issuer != "" {
			checkIssuer(v, "target.issuer", portless(t.Issuer))
		}
		if t.TokenEndpoint != "" {
			// RFC 6749 §3.2: the token endpoint requires TLS and has no
			// fragment.
			checkServerURL(v, "target.tokenEndpoint", portless(t.TokenEndpoint))
		}
		if t.MetadataURL != "" {
			checkServerURL(v, "target.metadataURL", portless(t.MetadataURL))
		}
	}
	if t.CAFile != "" && t.InsecureSkipVerify {
		v.add("target.insecureSkipVerify", "set either caFile or insecureSkipVerify, not both")
	}
	if t.Kind == KindProcess {
		if t.Process == nil {
			v.add("target.process", "required for kind process")
		} else {
			validateProcess(v, t.Process)
		}
	}
	if t.Kind == KindContainer {
		if t.Container == nil {
			v.add("target.container", "required for kind container")
		} else {
			validateContainer(v, t.Container)
		}
	}
}

func validateProcess(v *validator, p *Process) {
	const base = "target.process"
	if len(p.Command) == 0 || p.Command[0] == "" {
		v.add(base+".command", "required: the program and its arguments")
	}
	validateEnvMap(v, base+".env", p.Env)
	r := p.Ready
	if r.URL == "" && r.Port == "" && r.Log == "" {
		v.add(base+".ready", "set url, port or log, so assay knows when the target is up")
	}
	if r.URL != "" {
		if u, err := url.Parse(portless(r.URL)); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.add(base+".ready.url", "want an absolute http or https URL, got %s", q(r.URL))
		}
	}
	if r.Port != "" {
		if n, err := strconv.Atoi(r.Port); err != nil || n < 1 || n > 65535 {
			v.add(base+".ready.port", "want a TCP port number 1-65535, got %s", q(r.Port))
		}
	}
	if r.Timeout.Duration < 0 {
		v.add(base+".ready.timeout", "must not be negative, got %s", r.Timeout)
	}
}

func validateContainer(v *validator, c *Container) {
	const base = "target.container"
	switch {
	case c.Image == "" && c.Build == nil:
		v.add(base, "set image or build")
	case c.Image != "" && c.Build != nil:
		v.add(base+".build", "set image or build, not both")
	}
	if c.Build != nil && c.Build.Context == "" {
		v.add(base+".build.context", "required: the build context directory")
	}
	if c.Build != nil {
		for k := range c.Build.BuildArgs {
			if k == "" {
				v.add(base+".build.buildArgs", "empty build argument name")
			}
		}
	}
	validateEnvMap(v, base+".env", c.Env)
	if len(c.Ports) == 0 {
		v.add(base+".ports", "required: at least the port the issuer is served on, e.g. \"8443/tcp\"")
	}
	ports := map[string]bool{}
	for i, p := range c.Ports {
		path := base + ".ports[" + strconv.Itoa(i) + "]"
		np, ok := normalPort(p)
		if !ok {
			v.add(path, "want a container port like \"8443\" or \"8443/tcp\", got %s", q(p))
			continue
		}
		if ports[np] {
			v.add(path, "port %s listed twice", q(p))
		}
		ports[np] = true
	}
	r := c.Ready
	if r.URL == "" && r.Log == "" {
		// Docker's proxy accepts connections on a published port before
		// anything in the container listens, so a port alone proves nothing.
		v.add(base+".ready", "set url or log, so assay knows when the target is up")
	}
	if r.URL != "" && !strings.HasPrefix(r.URL, "/") {
		v.add(base+".ready.url", "want a path such as \"/health\" (requested on the mapped port), got %s", q(r.URL))
	}
	if r.Port != "" {
		if np, ok := normalPort(r.Port); !ok || !ports[np] {
			v.add(base+".ready.port", "want one of ports, got %s", q(r.Port))
		}
	}
	if r.Timeout.Duration < 0 {
		v.add(base+".ready.timeout", "must not be negative, got %s", r.Timeout)
	}
}

// normalPort turns "8443" into "8443/tcp" and checks the range.
func normalPort(p string) (string, bool) {
	m := containerPrt.FindStringSubmatch(p)
	if m == nil {
		return "", false
	}
	n, _ := strconv.Atoi(m[1])
	if n < 1 || n > 65535 {
		return "", false
	}
	proto := m[3]
	if proto == "" {
		proto = "tcp"
	}
	return strconv.Itoa(n) + "/" + proto, true
}

func validateEnvMap(v *validator, path string, env map[string]string) {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !envName.MatchString(k) {
			v.add(path, "invalid environment variable name %s", q(k))
		}
	}
}

func (c Config) validateMockIdP(v *validator) {
	m := c.MockIdP
	if m.Listen != "" {
		host, port, err := net.SplitHostPort(m.Listen)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			v.add("mockidp.listen", "want host:port, e.g. 127.0.0.1:0, got %s", q(m.Listen))
		} else if c.Target.Kind == KindContainer && isLoopback(host) {
			v.add("mockidp.listen", "a container cannot reach the host's loopback; leave listen empty to bind the docker bridge address")
		}
	}
	if m.PublicURL != "" {
		u, err := url.Parse(m.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			v.add("mockidp.publicURL", "want an http or https base URL without query or fragment, got %s", q(m.PublicURL))
		}
	}
}

func (c Config) validateClients(v *validator) {
	cl := c.Clients
	remote := c.Target.Kind == KindURL || c.Target.Kind == KindProcess || c.Target.Kind == KindContainer
	// With static registration the file names the pre-registered clients;
	// otherwise the target assigns client_ids. The reference uses fixtures.
	needID := c.Registration.Mode == RegistrationStatic && c.Target.Kind != KindReference
	// Clients are optional per carrier: a grant-only target names no
	// private_key_jwt client (the client-assertion rows are then N/A), but
	// A and B come as a pair, and a target must take at least one carrier.
	if remote && !c.VerifierOnly() {
		switch {
		case cl.A == nil && cl.B == nil && !c.Grant.On():
			v.add("clients.A", "required for kind %s unless the jwt-bearer grant is tested (a private_key_jwt client, catalog §0.4)", c.Target.Kind)
		case cl.A == nil && cl.B != nil:
			v.add("clients.A", "required with clients.B (a private_key_jwt client, catalog §0.4)")
		case cl.B == nil && cl.A != nil:
			v.add("clients.B", "required with clients.A (a second private_key_jwt client, catalog §0.4)")
		}
		if cl.A == nil && c.Grant.On() && c.Grant.ClientAuth == ClientAuthRequired && c.Grant.AuthMethod() == AuthPrivateKeyJWT {
			v.add("grant.clientAuth", "required needs client A to authenticate grant requests (or a grant.clientAuthMethod of another client)")
		}
	}
	ids := map[string]string{} // client_id -> first path
	id := func(path, got string) {
		if got == "" {
			if needID {
				v.add(path, "required with registration mode static")
			}
			return
		}
		if first, dup := ids[got]; dup {
			v.add(path, "same client_id as %s (%s); clients must be distinct", first, q(got))
			return
		}
		ids[got] = path
	}
	for _, x := range []struct {
		name string
		c    *Client
	}{{"A", cl.A}, {"B", cl.B}, {"P", cl.P}} {
		if x.c == nil {
			continue
		}
		base := "clients." + x.name
		id(base+".id", x.c.ID)
		if x.c.Keys == "" {
			v.add(base+".keys", "required: %s, %s or the path of a private JWKS file", KeysFixture, KeysGenerate)
		}
		alg := x.c.SigningAlg
		v.oneOf(base+".signingAlg", "algorithm", alg, algorithms)
		if x.name == "P" && alg != "" && alg != "PS256" {
			v.add(base+".signingAlg", "client P is registered with token_endpoint_auth_signing_alg PS256 (catalog A-AU-11), got %s", q(alg))
		}
		if rules := c.Profile.Rules(); slices.Contains(algorithms, alg) && !rules.AllowsAlg(alg) {
			v.add(base+".signingAlg", "%s is not allowed under %s (FAPI 2.0 Security Profile §5.4.1: %s)", alg, c.Profile, orList(rules.SigningAlgs))
		}
	}
	c.validateSpares(v, id)
	for _, x := range []struct {
		name string
		c    *SecretClient
	}{{"H", cl.H}, {"S", cl.S}} {
		if x.c == nil {
			continue
		}
		base := "clients." + x.name
		id(base+".id", x.c.ID)
		switch {
		case x.c.SecretEnv == "" && (c.Registration.Mode == RegistrationDynamic || c.Registration.Mode == RegistrationCommand):
			// The registration response carries the secret (RFC 7591
			// §3.2.1), or the hook prints it ({"client_id", "client_secret"}).
		case x.c.SecretEnv == "":
			v.add(base+".secretEnv", "required: the name of the environment variable holding the secret")
		case !envName.MatchString(x.c.SecretEnv):
			v.add(base+".secretEnv", "invalid environment variable name %s", q(x.c.SecretEnv))
		}
	}
}

// validateSpares checks the spare clients: modelled on A, so they need
// it; named under static registration, registered by assay otherwise.
func (c Config) validateSpares(v *validator, id func(path, got string)) {
	cl := c.Clients
	if cl.Spares == 0 && len(cl.SpareIDs) == 0 {
		return
	}
	switch {
	case cl.Spares < 0:
		v.add("clients.spares", "want 0 or more, got %d", cl.Spares)
	case c.Target.Kind == KindReference || c.Target.Kind == "":
		v.add("clients.spares", "the built-in reference shares assay's virtual clock, where waiting costs nothing: spare clients are for targets in real time")
	case cl.A == nil:
		v.add("clients.spares", "spare clients are registered like client A: configure clients.A")
	case c.Registration.Mode == RegistrationStatic && len(cl.SpareIDs) != cl.SpareCount():
		v.add("clients.spareIDs", "registration mode static: name all %d spare clients (got %d)", cl.SpareCount(), len(cl.SpareIDs))
	case c.Registration.Mode != RegistrationStatic && len(cl.SpareIDs) > 0:
		v.add("clients.spareIDs", "only used with registration mode static: mode %s registers the spare clients (clients.spares)", c.Registration.Mode)
	}
	for i, sid := range cl.SpareIDs {
		id(fmt.Sprintf("clients.spareIDs[%d]", i), sid)
	}
}

func (c Config) validateRegistration(v *validator) {
	r := c.Registration
	const base = "registration"
	v.oneOf(base+".mode", "mode", r.Mode, modes)
	if r.Endpoint != "" {
		if r.Mode != RegistrationDynamic {
			v.add(base+".endpoint", "only used with mode dynamic")
		} else {
			checkServerURL(v, base+".endpoint", r.Endpoint)
		}
	}
	if r.InitialAccessTokenEnv != "" {
		// Any mode: the rows that register clients themselves (A-KR-06,
		// A-JO-16, A-SEC-03) send it too.
		switch {
		case !envName.MatchString(r.InitialAccessTokenEnv):
			v.add(base+".initialAccessTokenEnv", "invalid environment variable name %s", q(r.InitialAccessTokenEnv))
		}
	}
	switch {
	case r.Mode == RegistrationCommand && (len(r.Command) == 0 || r.Command[0] == ""):
		v.add(base+".command", "required with mode command: client metadata JSON on stdin, client_id on stdout")
	case r.Mode != RegistrationCommand && len(r.Command) > 0:
		v.add(base+".command", "only used with mode command")
	}
	if len(r.TrustIssuerCommand) > 0 && r.TrustIssuerCommand[0] == "" {
		v.add(base+".trustIssuerCommand", "empty program name")
	}
	if r.Mode == RegistrationDynamic && c.Target.Kind == KindReference {
		// The reference registers its fixture clients itself.
		v.add(base+".mode", "dynamic registration is not used with kind reference")
	}
}

func (c Config) validateGrant(v *validator) {
	g := c.Grant
	v.oneOf("grant.urn", "grant type", g.URN, grantURNs)
	v.oneOf("grant.trustModel", "trust model", g.TrustModel, trustModels)
	v.oneOf("grant.clientAuth", "value", g.ClientAuth, clientAuths)
	v.oneOf("grant.signingAlg", "algorithm", g.SigningAlg, grantAlgs)
	switch {
	case g.Issuer == "":
		v.add("grant.issuer", "required: IdP-H's issuer identifier")
	case strings.ContainsAny(g.Issuer, " \t\r\n"):
		v.add("grant.issuer", "must not contain white space, got %s", q(g.Issuer))
	}
	if g.Subject == "" {
		v.add("grant.subject", "required: the user the grant assertion names")
	}
	for i, s := range g.KnownSubjects {
		if s == "" {
			v.add("grant.knownSubjects["+strconv.Itoa(i)+"]", "empty subject")
		}
	}
	if len(g.KnownSubjects) > 0 && g.Subject != "" && !slices.Contains(g.KnownSubjects, g.Subject) {
		// Every grant row sends grant.subject: a server that takes only the
		// listed subjects would refuse them all.
		v.add("grant.knownSubjects", "does not list grant.subject %s, which every grant assertion names", q(g.Subject))
	}
	if g.Audience == "" {
		v.add("grant.audience", "required: issuer, tokenEndpoint or the aud value itself")
	}
	hmac := slices.Contains(grantAlgs[4:], g.SigningAlg)
	switch {
	case g.SecretEnv != "" && !envName.MatchString(g.SecretEnv):
		v.add("grant.secretEnv", "want an environment variable name, got %s", q(g.SecretEnv))
	case g.SecretEnv != "" && g.Key != "":
		v.add("grant.secretEnv", "set grant.key or grant.secretEnv, not both")
	case g.SecretEnv != "" && !hmac:
		v.add("grant.signingAlg", "a shared secret (grant.secretEnv) signs with HS256, HS384 or HS512, got %s", q(g.SigningAlg))
	case g.SecretEnv == "" && hmac:
		v.add("grant.secretEnv", "required with signingAlg %s: the variable holding the shared secret", g.SigningAlg)
	}
	if g.Client != "" {
		switch {
		case !slices.Contains(grantClients, g.Client):
			v.add("grant.client", "want one of %s, got %s", strings.Join(grantClients, ", "), q(g.Client))
		case g.TrustModel != TrustSelfSigned:
			v.add("grant.client", "only with trustModel self-signed (the client signs its own grant)")
		case g.Key != "" || g.SecretEnv != "":
			v.add("grant.client", "the client's own key signs; drop grant.key and grant.secretEnv")
		case c.client(g.Client) == nil:
			v.add("grant.client", "client %s is not configured (clients.%s)", g.Client, g.Client)
		}
	}
	if g.ClientAuthMethod != "" {
		v.oneOf("grant.clientAuthMethod", "method", g.ClientAuthMethod, authMethods)
	}
	m := g.AuthMethod()
	switch {
	case g.ClientAuth == ClientAuthNone && m != AuthNone:
		v.add("grant.clientAuthMethod", "clientAuth none takes no client authentication, got %s", q(m))
	case g.ClientAuth == ClientAuthRequired && m == AuthNone:
		v.add("grant.clientAuthMethod", "clientAuth required needs a method other than none")
	case m == AuthClientSecretJWT && c.Clients.H == nil:
		v.add("grant.clientAuthMethod", "client_secret_jwt authenticates as client H: configure clients.H")
	case (m == AuthClientSecretBasic || m == AuthClientSecretPost) && c.Clients.S == nil:
		v.add("grant.clientAuthMethod", "%s authenticates as client S: configure clients.S", m)
	}
}

// client is the configured private_key_jwt client named A, B or P, or nil.
func (c Config) client(name string) *Client {
	switch name {
	case "A":
		return c.Clients.A
	case "B":
		return c.Clients.B
	case "P":
		return c.Clients.P
	}
	return nil
}

func (c Config) validateTimeouts(v *validator) {
	t := c.Timeouts
	for _, x := range []struct {
		path string
		d    time.Duration
	}{
		{"timeouts.request", t.Request.Duration},
		{"timeouts.start", t.Start.Duration},
		{"timeouts.clockSkew", t.ClockSkew.Duration},
		{"timeouts.check", t.Check.Duration},
	} {
		if x.d <= 0 {
			v.add(x.path, "must be positive, got %s", x.d)
		}
	}
	switch {
	case t.ClockSkew.Duration > maxClockSkew && c.Profile == profile.FAPI2:
		v.add("timeouts.clockSkew", "%s is over 60s; FAPI 2.0 Security Profile §5.3.2.1 item 13 requires rejecting iat/nbf more than 60 s in the future", t.ClockSkew)
	case t.ClockSkew.Duration > time.Hour:
		v.add("timeouts.clockSkew", "%s is over an hour; RFC 7519 §4.1.4 allows a small leeway (a few minutes)", t.ClockSkew)
	}
	if t.MaxAssertionLifetime.Duration < 0 {
		v.add("timeouts.maxAssertionLifetime", "must not be negative, got %s", t.MaxAssertionLifetime)
	}
	if t.MaxGrantLifetime.Duration < 0 {
		v.add("timeouts.maxGrantLifetime", "must not be negative, got %s", t.MaxGrantLifetime)
	}
	if t.Check.Duration > 0 && t.Request.Duration > 0 && t.Check.Duration < t.Request.Duration {
		v.add("timeouts.check", "%s is shorter than timeouts.request (%s); a check makes at least one request", t.Check, t.Request)
	}
}

func (c Config) validateExpected(v *validator) {
	seen := map[string]string{}
	perSource := map[string]int{}
	for _, e := range c.ExpectedFailures {
		i := perSource[e.Source]
		perSource[e.Source]++
		base := "expectedFailures[" + strconv.Itoa(i) + "]"
		if e.Source != "" {
			base = "expectedFailuresFile[" + strconv.Itoa(i) + "]"
		}
		switch {
		case e.ID == "":
			v.add(base+".id", "required: a check ID such as A-CA-05, A-CA-05.2 or B-ALG-06/client")
			continue
		case !expectedID.MatchString(e.ID):
			v.add(base+".id", "%s is not a check ID (want the form A-CA-05, A-CA-05.2 or B-ALG-06/client)", q(e.ID))
			continue
		}
		if first, dup := seen[e.ID]; dup {
			v.add(base+".id", "%s listed twice (also %s)", e.ID, first)
			continue
		}
		seen[e.ID] = base
	}
}

// validateScope checks RFC 6749 §3.3: scope-token = 1*NQCHAR, separated by
// single spaces.
func validateScope(v *validator, s string) {
	for _, tok := range strings.Split(s, " ") {
		if tok == "" {
			v.add("scope", "empty scope token (RFC 6749 §3.3: tokens separated by single spaces)")
			return
		}
		for _, r := range tok {
			if r < 0x21 || r == 0x22 || r == 0x5c || r > 0x7e {
				v.add("scope", "character %q is not allowed in a scope token (RFC 6749 §3.3)", r)
				return
			}
		}
	}
}

// checkIssuer applies RFC 8414 §2 to an issuer identifier: https, no query
// and no fragment. http is allowed on a loopback host only, for local
// targets.
func checkIssuer(v *validator, path, raw string) {
	u := checkServerURL(v, path, raw)
	if u != nil && u.RawQuery != "" {
		v.add(path, "an issuer has no query component (RFC 8414 §2)")
	}
}

// checkServerURL requires an absolute https URL (http on loopback only),
// without user info or fragment; it returns the parsed URL if usable.
func checkServerURL(v *validator, path, raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		v.add(path, "want an absolute https URL, got %s", q(raw))
		return nil
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			v.add(path, "http is allowed only on a loopback host; use https (RFC 6749 §3.2, RFC 8414 §2)")
			return nil
		}
	default:
		v.add(path, "want an https URL, got scheme %s", q(u.Scheme))
		return nil
	}
	if u.User != nil {
		v.add(path, "must not contain user info")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		v.add(path, "must not contain a fragment (RFC 6749 §3.2, RFC 8414 §2)")
	}
	return u
}

// isLoopback reports a host name or address that stays on this machine.
func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// q quotes a value from the file, shortened: messages stay one line.
// orList is "a, b or c".
func orList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

func q(s string) string {
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return strconv.Quote(s)
}

func (c Config) validateRotation(v *validator) {
	r := c.Rotation
	for _, f := range []struct {
		name string
		d    Duration
	}{{"keyCacheTTL", r.KeyCacheTTL}, {"margin", r.Margin}, {"refetchMin", r.RefetchMin}, {"stall", r.Stall}, {"maxWait", r.MaxWait}} {
		if f.d.Duration < 0 {
			v.add("rotation."+f.name, "must not be negative, got %s", f.d.Duration)
		}
	}
	if r.MaxWait.Duration > 0 && c.Timeouts.Check.Duration > 0 && r.MaxWait.Duration >= c.Timeouts.Check.Duration {
		v.add("rotation.maxWait", "%s leaves no time for requests within timeouts.check (%s); raise timeouts.check", r.MaxWait.Duration, c.Timeouts.Check.Duration)
	}
	if vf := c.Verifier; vf != nil {
		c.validateVerifier(v, vf)
	}
}

// validateTokenState checks tokenState and the two endpoint overrides.
func (c Config) validateTokenState(v *validator) {
	absURL := func(path, u string) {
		if p, err := url.Parse(portless(u)); err != nil || !p.IsAbs() || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			v.add(path, "want an absolute http(s) URL, got %s", q(u))
		}
	}
	if u := c.Target.IntrospectionEndpoint; u != "" {
		absURL("target.introspectionEndpoint", u)
	}
	if u := c.Target.RevocationEndpoint; u != "" {
		absURL("target.revocationEndpoint", u)
	}
	ts := c.TokenState
	if !ts.On() {
		return
	}
	v.oneOf("tokenState.client", "client", ts.Client, []string{"A", "B", "P", "H", "S"})
	// A and B are required anyway (validateClients says so).
	if c.Target.Kind != KindReference && c.Target.Kind != "" && ts.Client != "A" && ts.Client != "B" && !c.Clients.has(ts.Client) {
		v.add("tokenState.client", "client %s is not configured under clients", ts.Client)
	}
	if o := ts.OtherClient; o != "" {
		v.oneOf("tokenState.otherClient", "client", o, []string{"A", "B", "P", "H", "S"})
		switch {
		case o == ts.Client:
			v.add("tokenState.otherClient", "must differ from tokenState.client (%s)", ts.Client)
		case c.Target.Kind != KindReference && c.Target.Kind != "" && !c.Clients.has(o):
			v.add("tokenState.otherClient", "client %s is not configured under clients", o)
		}
	}
	v.oneOf("tokenState.tokenFrom", "token source", ts.TokenFrom, []string{TokenFromClient, TokenFromGrant, TokenFromCommand})
	switch {
	case ts.TokenFrom == TokenFromCommand && len(ts.TokenCommand) == 0:
		v.add("tokenState.tokenCommand", "required with tokenFrom command")
	case ts.TokenFrom != TokenFromCommand && len(ts.TokenCommand) > 0:
		v.add("tokenState.tokenCommand", "only used with tokenFrom command (tokenFrom is %s)", q(ts.TokenFrom))
	case ts.TokenFrom == TokenFromGrant && !c.Grant.On():
		v.add("tokenState.tokenFrom", "grant needs grant.enabled")
	}
	if ts.Resource != "" {
		absURL("tokenState.resource", ts.Resource)
	}
	switch d := ts.MaxWait.Duration; {
	case d < 0:
		v.add("tokenState.maxWait", "must not be negative, got %s", d)
	case d > 0 && c.Timeouts.Check.Duration > 0 && d >= c.Timeouts.Check.Duration:
		v.add("tokenState.maxWait", "%s leaves no time for requests within timeouts.check (%s); raise timeouts.check", d, c.Timeouts.Check.Duration)
	}
}

// has reports whether the named client is configured.
func (cs Clients) has(name string) bool {
	switch name {
	case "A":
		return cs.A != nil
	case "B":
		return cs.B != nil
	case "P":
		return cs.P != nil
	case "H":
		return cs.H != nil
	case "S":
		return cs.S != nil
	}
	return false
}
func (c Config) validateVerifier(v *validator, vf *Verifier) {
	if u, err := url.Parse(portless(vf.URL)); err != nil || !u.IsAbs() || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		v.add("verifier.url", "want an absolute http(s) URL, got %s", q(vf.URL))
	}
	if vf.Audience == "" {
		v.add("verifier.audience", "required: the aud the verifier expects (a resource identifier, or a relying party's client_id)")
	}
	if vf.Kind != "" {
		v.oneOf("verifier.kind", "kind", vf.Kind, verifierKind)
	}
	if vf.Nonce != "" && vf.Kind != "id_token" {
		v.add("verifier.nonce", "only with kind id_token")
	}
	r := vf.Request
	if r.Token != "" {
		v.oneOf("verifier.request.token", "token placement", r.Token, placements)
	}
	switch {
	case r.Token == "form" && r.Field == "":
		v.add("verifier.request.field", "required with token form: the form field that carries the token")
	case r.Token != "form" && r.Field != "":
		v.add("verifier.request.field", "only with token form")
	case r.Token == "json" && !strings.Contains(r.Body, "${token}"):
		v.add("verifier.request.body", "required with token json: a JSON body with ${token} where the token goes")
	case r.Token != "json" && r.Body != "":
		v.add("verifier.request.body", "only with token json")
	}
	for _, h := range sortedKeys(r.HeadersFromEnv) {
		if env := r.HeadersFromEnv[h]; !envName.MatchString(env) {
			v.add("verifier.request.headersFromEnv."+h, "want an environment variable name, got %s", q(env))
		}
	}
	for _, nr := range []struct {
		name string
		rule *DecisionRule
	}{{"allow", vf.Allow}, {"deny", vf.Deny}} {
		name, rule := nr.name, nr.rule
		if rule == nil {
			continue
		}
		for i, st := range rule.Status {
			if n, err := strconv.Atoi(st); err != nil || n < 100 || n > 599 {
				v.add(fmt.Sprintf("verifier.%s.status[%d]", name, i), "want an HTTP status code, got %s", q(st))
			}
		}
		if rule.Pointer != "" && !strings.HasPrefix(rule.Pointer, "/") {
			v.add("verifier."+name+".pointer", "want an RFC 6901 JSON pointer starting with /, got %s", q(rule.Pointer))
		}
		if (rule.Pointer == "") != (rule.Value.JSON == nil) {
			v.add("verifier."+name, "pointer and value go together")
		}
	}
	is := vf.Issuer
	if is.Alg != "" {
		v.oneOf("verifier.issuer.alg", "algorithm", is.Alg, issuerAlgs)
	}
	hs := strings.HasPrefix(is.Alg, "HS")
	switch {
	case hs && is.SecretEnv == "":
		v.add("verifier.issuer.secretEnv", "required with alg %s: the environment variable holding the shared secret", is.Alg)
	case !hs && is.SecretEnv != "":
		v.add("verifier.issuer.secretEnv", "only with an HS* alg")
	case is.SecretEnv != "" && !envName.MatchString(is.SecretEnv):
		v.add("verifier.issuer.secretEnv", "want an environment variable name, got %s", q(is.SecretEnv))
	}
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TargetPortVar in a process or container target's settings is replaced by
// a free port assay picks for the run (process: the target listens there;
// container: the host port its first port is published on).
const TargetPortVar = "${ASSAY_TARGET_PORT}"

// portless is s with TargetPortVar as a valid port, for checking a URL
// that names it.
func portless(s string) string { return strings.ReplaceAll(s, TargetPortVar, "1") }
