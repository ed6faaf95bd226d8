// Package reference wires the built-in reference target: the mock IdP that
// hosts the cast's key sets and the strict reference token endpoint that
// trusts them, both listening on loopback, the token endpoint over TLS with
// the committed test CA. The runner's "reference" target and the self-test
// both start it through here. The servers under test sit below this package
// (tokenendpoint, resource); the harness's own packages under mockidp never
// import them, and the suites reach them only over HTTP.
package reference

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/assayhq/assay/fixtures"
	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/mockidp/profile"
	"github.com/assayhq/assay/mockidp/reference/tokenendpoint"
	"github.com/assayhq/assay/mockidp/tokenissuer"
)

// Options configure a reference instance.
type Options struct {
	Profile profile.Profile
	Defects defect.Set
	Clock   func() time.Time
	Rand    io.Reader
	Cast    mockidp.Cast

	Addr    string // token endpoint listen address, default 127.0.0.1:0
	IdPAddr string // mock IdP listen address, default 127.0.0.1:0
	// IdPURL is the base URL the token endpoint uses to reach the mock IdP
	// (default: http://<IdPAddr>).
	IdPURL string
	// Issuer overrides the issuer identifier (default https://<Addr>), for a
	// reference reached through a port mapping.
	Issuer string
	// KeyCacheTTL is how long the reference caches client JWKS.
	KeyCacheTTL time.Duration
	// KeyRefetchMin is the least time between two unknown-kid refetches of
	// one JWKS; KeyFetchTimeout bounds one fetch.
	KeyRefetchMin   time.Duration
	KeyFetchTimeout time.Duration
	// Sleep implements the mock IdP's JWKS delay knob (the stalled-jwks_uri
	// scenario) and the token endpoint's simulated slowness (Config.Pause);
	// nil uses time.Sleep, since a delay knob that silently does nothing
	// would make that scenario pass without testing anything. With Clock
	// and Sleep from one virtual clock (package mockidp/clock: Now and
	// Advance), delays and the fetch timeouts they trip cost no wall time.
	Sleep func(time.Duration)

	// VerifierAddr is the reference verifier's listen address (TLS),
	// default 127.0.0.1:0; IssuerSchedule rotates IdP-V's keys (default:
	// only on RotateNow, the previous key kept published).
	VerifierAddr   string
	IssuerSchedule keys.Schedule

	// GrantModel is the trust model the reference adds for the jwt-bearer
	// grant (catalog.md §0.5): "" or external-issuer (IdP-H and IdP-K
	// only), self-signed (client A also signs its own grants, verified
	// with its registered keys) or service-account (IdP-H is an account:
	// it may assert only itself as sub). IdP-H with a Secret signs HS256.
	GrantModel string
	// GrantAudiences, when set, are the only aud values grant assertions
	// may carry; GrantTokenEndpointAud adds the token endpoint URL to them
	// (a server that takes only that URL).
	GrantAudiences        []string
	GrantTokenEndpointAud bool
}

// FastKeyCache is the key cache timing of the built-in reference when the
// caller sets none (Start applies it), short enough that the rotation suite
// finishes in seconds: TTL 400 ms, unknown-kid refetch at most every 100 ms,
// fetch timeout 300 ms. Instance.Server.KeyCache reports the timings in
// force, for the rotation suite's declaration.
func FastKeyCache(o Options) Options {
	o.KeyCacheTTL, o.KeyRefetchMin, o.KeyFetchTimeout = 400*time.Millisecond, 100*time.Millisecond, 300*time.Millisecond
	return o
}

// Instance is a running reference target.
type Instance struct {
	Issuer string
	IdPURL string
	IdP    *mockidp.IdP
	Server *tokenendpoint.Server
	Cast   mockidp.Cast
	// TokenIssuer is IdP-V, which mints the access tokens suite resource
	// sends; VerifierURL is the reference verifier's protected resource.
	TokenIssuer *tokenissuer.Issuer
	VerifierURL string
	// IntrospectedURL is the reference's verifier that consults
	// introspection for every token (suite tokenstate).
	IntrospectedURL string
	as, idp         *http.Server
	rs              *resourceSide
	closeErr        chan error
}

// TokenEndpoint is the token endpoint URL.
func (in *Instance) TokenEndpoint() string { return in.Server.TokenEndpoint() }

// ClientTLS returns a TLS config that trusts the test CA.
func ClientTLS() (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(fixtures.CAPEM()) {
		return nil, errors.New("load test CA: no certificate")
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// ServerTLS returns the TLS config of the reference (test-only certificate).
func ServerTLS() (*tls.Config, error) {
	cert, err := tls.X509KeyPair(fixtures.TLSCertPEM(), fixtures.TLSKeyPEM())
	if err != nil {
		return nil, fmt.Errorf("load test certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// Config builds the reference server configuration that trusts cast, whose
// key sets are served under idpURL.
func Config(issuer, idpURL string, o Options, hc *http.Client) (tokenendpoint.Config, error) {
	asKeys := keys.Set{}
	for _, n := range []string{"as.es256", "as-next.es256"} {
		k, err := keys.Fixture(n)
		if err != nil {
			return tokenendpoint.Config{}, err
		}
		asKeys = append(asKeys, k)
	}
	c := o.Cast
	grants := []string{oauth.GrantClientCreds, oauth.GrantJWTBearer}
	scopes := []string{"read", "write"}
	client := func(p mockidp.Party, grants []string) tokenendpoint.Client {
		tc := tokenendpoint.Client{ID: p.ID, AuthMethod: p.AuthMethod, Secret: p.Secret, SigningAlg: p.SigningAlg, Grants: grants, Scopes: scopes}
		if len(p.Keys) > 0 {
			tc.JWKSURI = idpURL + mockidp.JWKSPath(p.Name)
		}
		return tc
	}
	issuer2 := func(p mockidp.Party) tokenendpoint.Issuer {
		is := tokenendpoint.Issuer{ID: p.ID, JWKSURI: idpURL + mockidp.JWKSPath(p.Name), Subjects: KnownSubjects(c)}
		if p.Secret != "" {
			is.Secret = []byte(p.Secret)
		}
		return is
	}
	issuers := []tokenendpoint.Issuer{issuer2(c.IdPH), issuer2(c.IdPK)}
	switch o.GrantModel {
	case "self-signed":
		issuers = append(issuers, issuer2(c.A))
	case "service-account":
		issuers[0].Subjects, issuers[0].SubjectIsIssuer = nil, true
	}
	clients := []tokenendpoint.Client{
		client(c.A, grants),
		// B may not use the jwt-bearer grant (A-JG-11 unauthorized_client).
		client(c.B, []string{oauth.GrantClientCreds}),
		client(c.P, grants),
		client(c.H, grants),
		client(c.S, grants),
	}
	for _, sp := range c.Spares { // registered like A, each with its own jwks_uri
		clients = append(clients, client(sp, []string{oauth.GrantClientCreds}))
	}
	return tokenendpoint.Config{
		Issuer:          issuer,
		Profile:         o.Profile,
		Clock:           o.Clock,
		Rand:            o.Rand,
		HTTP:            hc,
		Pause:           o.Sleep,
		Clients:         clients,
		Issuers:         issuers,
		GrantAudiences:  grantAudiences(issuer, o),
		Keys:            asKeys,
		KeyCacheTTL:     o.KeyCacheTTL,
		KeyRefetchMin:   o.KeyRefetchMin,
		KeyFetchTimeout: o.KeyFetchTimeout,
		Defects:         o.Defects,
		MaxLifetime:     MaxAssertionLifetime,
	}, nil
}

// MaxAssertionLifetime is the longest exp - now the reference accepts in an
// assertion (RFC 7523 §3 item 4); declare it to the suites as
// timeouts.maxAssertionLifetime.
const MaxAssertionLifetime = time.Hour

// MaxGrantLifetime is the same bound for a jwt-bearer grant's assertion:
// the reference applies one bound to both carriers.
const MaxGrantLifetime = MaxAssertionLifetime

// KnownSubjects are the users each trusted issuer may assert at the
// reference; declare them to the suites as grant.knownSubjects.
func KnownSubjects(c mockidp.Cast) []string { return []string{c.User, "user2"} }

// grantAudiences are the only aud values the reference takes in grant
// assertions, or nil for its default (issuer or token endpoint URL).
func grantAudiences(issuer string, o Options) []string {
	out := append([]string(nil), o.GrantAudiences...)
	if o.GrantTokenEndpointAud {
		out = append(out, issuer+"/token")
	}
	return out
}

// Start listens, serves and returns a running instance. Close stops it.
func Start(o Options) (*Instance, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.IdPAddr == "" {
		o.IdPAddr = "127.0.0.1:0"
	}
	if o.KeyCacheTTL == 0 && o.KeyRefetchMin == 0 && o.KeyFetchTimeout == 0 {
		// The built-in reference is a test target: keep the rotation suite fast.
		o = FastKeyCache(o)
	}
	idpLn, err := net.Listen("tcp", o.IdPAddr)
	if err != nil {
		return nil, fmt.Errorf("listen mock idp on %s: %w", o.IdPAddr, err)
	}
	asLn, err := net.Listen("tcp", o.Addr)
	if err != nil {
		idpLn.Close()
		return nil, fmt.Errorf("listen reference on %s: %w", o.Addr, err)
	}
	idpURL := o.IdPURL
	if idpURL == "" {
		idpURL = "http://" + idpLn.Addr().String()
	}
	issuer := "https://" + asLn.Addr().String()
	if o.Issuer != "" {
		issuer = o.Issuer
	}
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	cfg, err := Config(issuer, idpURL, o, hc)
	if err == nil {
		var srv *tokenendpoint.Server
		if srv, err = tokenendpoint.New(cfg); err == nil {
			var rs *resourceSide
			if rs, err = newResourceSide(o, idpURL, hc, o.Sleep); err == nil {
				return serve(o, issuer, idpURL, srv, rs, asLn, idpLn)
			}
		}
	}
	idpLn.Close()
	asLn.Close()
	return nil, err
}

func serve(o Options, issuer, idpURL string, srv *tokenendpoint.Server, rs *resourceSide, asLn, idpLn net.Listener) (*Instance, error) {
	tlsCfg, err := ServerTLS()
	var rsTLS *tls.Config
	if err == nil {
		rsTLS, err = ServerTLS() // http.Server edits its config: one per server
	}
	if err != nil {
		asLn.Close()
		idpLn.Close()
		rs.ln.Close()
		return nil, err
	}
	sleep := o.Sleep
	if sleep == nil {
		sleep = time.Sleep
	}
	idp := mockidp.New(mockidp.Config{Parties: o.Cast.Parties(), MaxAge: 5 * time.Minute, Sleep: sleep})
	in := &Instance{Issuer: issuer, IdPURL: idpURL, IdP: idp, Server: srv, Cast: o.Cast, closeErr: make(chan error, 3),
		TokenIssuer: rs.issuer, VerifierURL: rs.url, rs: rs, IntrospectedURL: issuer + IntrospectedPath}
	quiet := func() *log { return &log{} }
	asMux := http.NewServeMux()
	asMux.Handle("/", srv)
	asMux.Handle(IntrospectedPath, newIntrospected(srv, o.Cast.S, o.Defects))
	in.as = &http.Server{Handler: asMux, TLSConfig: tlsCfg, ReadHeaderTimeout: 5 * time.Second, ErrorLog: quiet().std()}
	in.idp = &http.Server{Handler: rs.mount(idp), ReadHeaderTimeout: 5 * time.Second, ErrorLog: quiet().std()}
	if o.Defects.Has(defect.AcceptPlainHTTP) {
		// HTTP/1.1 only: ALPN cannot offer h2 through the sniffing wrapper.
		plain := tlsCfg.Clone()
		plain.NextProtos = []string{"http/1.1"}
		go func() { in.closeErr <- in.as.Serve(sniffListener{Listener: asLn, cfg: plain}) }()
	} else {
		go func() { in.closeErr <- in.as.ServeTLS(asLn, "", "") }()
	}
	go func() { in.closeErr <- in.idp.Serve(idpLn) }()
	rs.serve(rsTLS, in.closeErr)
	return in, nil
}

// Close stops every server at once. It does not drain: HTTP/2's graceful
// GOAWAY wait would cost a second per instance, and nothing is in flight
// when a run ends.
func (in *Instance) Close() error {
	return errors.Join(in.as.Close(), in.idp.Close(), in.rs.srv.Close())
}
