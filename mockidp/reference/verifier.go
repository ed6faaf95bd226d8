package reference

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/reference/resource"
	"github.com/assayhq/assay/mockidp/tokenissuer"
)

// The resource-server side of the reference: token issuer IdP-V is served
// by the mock IdP listener under IssuerPath (discovery, jwks_uri, /mint),
// and the reference verifier (package resource) has its own TLS listener,
// protecting resource.Path. Suite resource sends Bearer tokens minted by IdP-V there.
const (
	// IssuerPath is where IdP-V lives on the mock IdP listener.
	IssuerPath = "/idp-v"
	// VerifierAudience is the resource identifier the reference verifier
	// wants in aud.
	VerifierAudience = "https://rs.assay.test"
)

// resourceSide is IdP-V and the reference verifier with its listener.
type resourceSide struct {
	issuer *tokenissuer.Issuer
	url    string // the protected resource
	srv    *http.Server
	ln     net.Listener
}

// newResourceSide creates IdP-V under idpURL and the reference verifier
// listening on o.VerifierAddr.
func newResourceSide(o Options, idpURL string, hc *http.Client, sleep func(time.Duration)) (*resourceSide, error) {
	addr := o.VerifierAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	sched := o.IssuerSchedule
	if sched == (keys.Schedule{}) {
		sched.Retire = time.Hour // with no Period: the previous key stays published until the next rotation
	}
	is, err := tokenissuer.New(tokenissuer.Config{ID: idpURL + IssuerPath, Audience: VerifierAudience, Schedule: sched, Clock: o.Clock, Rand: o.Rand, Sleep: sleep})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen reference verifier on %s: %w", addr, err)
	}
	v := resource.New(resource.Config{Issuer: is.ID(), JWKSURI: is.JWKSURI(), Audience: VerifierAudience, Clock: o.Clock, HTTP: hc, Defects: o.Defects})
	return &resourceSide{issuer: is, url: "https://" + ln.Addr().String() + resource.Path, ln: ln,
		srv: &http.Server{Handler: v, ReadHeaderTimeout: 5 * time.Second, ErrorLog: (&log{}).std()}}, nil
}

// serve starts the verifier; tlsCfg must be its own (http.Server edits it).
func (rs *resourceSide) serve(tlsCfg *tls.Config, done chan<- error) {
	rs.srv.TLSConfig = tlsCfg
	go func() { done <- rs.srv.ServeTLS(rs.ln, "", "") }()
}

// mount serves IdP-V next to the party key sets.
func (rs *resourceSide) mount(idp http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", idp)
	mux.Handle(IssuerPath+"/", http.StripPrefix(IssuerPath, rs.issuer))
	return mux
}
