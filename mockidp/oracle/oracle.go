// Package oracle is the harness's SSRF oracle (catalog.md §0.3 U6): a
// listener bound to loopback that the jku, x5u and jwks_uri-style attack
// rows point at. It answers every request with an attacker-controlled key
// set and records it; a row fails when its target made any request here.
// RFC 8725 §3.10 (8725bis §3.10): a verifier must not fetch keys from
// header-supplied URLs it has not vetted.
package oracle

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/assayhq/assay/mockidp/keys"
)

// Hit is one request the oracle saw.
type Hit struct {
	Method string
	Path   string
	Agent  string
}

// Oracle is a running loopback listener.
type Oracle struct {
	ln   net.Listener
	srv  *http.Server
	body []byte

	mu   sync.Mutex
	hits []Hit
}

// Start listens on 127.0.0.1 (never another interface: attack rows send
// traffic to loopback only) and serves jwks, the attacker's public key set,
// at every path.
func Start(jwks []byte) (*Oracle, error) {
	if !json.Valid(jwks) {
		return nil, errors.New("start oracle: key set is not JSON")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start oracle: %w", err)
	}
	o := &Oracle{ln: ln, body: jwks}
	o.srv = &http.Server{Handler: o, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = o.srv.Serve(ln) }()
	return o, nil
}

// ServeHTTP implements http.Handler: record, then answer with the key set.
func (o *Oracle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.hits = append(o.hits, Hit{Method: r.Method, Path: r.URL.Path, Agent: r.UserAgent()})
	o.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(o.body)
}

// Addr is host:port of the listener.
func (o *Oracle) Addr() string { return o.ln.Addr().String() }

// URL is http://127.0.0.1:port/ followed by path.
func (o *Oracle) URL(path string) string {
	return "http://" + o.Addr() + "/" + strings.TrimPrefix(path, "/")
}

// Port is the listener's port.
func (o *Oracle) Port() string {
	_, p, _ := net.SplitHostPort(o.Addr())
	return p
}

// Take returns the hits recorded since the last Take and forgets them.
// Rows on one Env run one at a time (semantics.md §1), so a row that calls
// Take before and after it sends sees only its own traffic.
func (o *Oracle) Take() []Hit {
	o.mu.Lock()
	defer o.mu.Unlock()
	h := o.hits
	o.hits = nil
	return h
}

// Close stops the listener.
func (o *Oracle) Close() error { return o.srv.Close() }

// AttackerKeySet is the public key set the oracle serves by default: the
// committed attacker key nobody trusts.
func AttackerKeySet() ([]byte, error) {
	k, err := keys.Fixture(AttackerKey)
	if err != nil {
		return nil, fmt.Errorf("load attacker key: %w", err)
	}
	return json.Marshal(keys.Set{k}.Public())
}

// AttackerKey is the fixture name of the key the oracle's key set holds.
const AttackerKey = "attacker.es256"

// StartAttacker starts an oracle serving AttackerKeySet.
func StartAttacker() (*Oracle, error) {
	b, err := AttackerKeySet()
	if err != nil {
		return nil, err
	}
	return Start(b)
}
