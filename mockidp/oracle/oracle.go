// Package oracle is the harness's SSRF oracle (catalog.md §0.3 U6): a
// listener the jku, x5u and jwks_uri-style attack rows point at. It
// answers every request with an attacker-controlled key set and records
// it; a row fails when its target made any request here. RFC 8725 §3.10
// (8725bis §3.10): a verifier must not fetch keys from header-supplied URLs
// it has not vetted.
//
// It listens where the target can reach it: loopback for a target on this
// host, the Docker bridge for a container, which cannot reach the host's
// loopback (semantics.md §6). Each row's URL carries the row in its path
// (RowPath), so a request that arrives after its row has ended is still
// charged to that row, not to whichever row runs then.
package oracle

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/assayhq/assay/mockidp/keys"
)

// Hit is one request the oracle saw. Row and Carrier name the row whose
// URL it requested, or are empty when the path names none.
type Hit struct {
	Method  string
	Path    string
	Agent   string
	Row     string
	Carrier string
}

// Key is the check key of the row the hit belongs to: the row ID, plus
// "/grant" on the grant carrier; "" when the path names no row.
func (h Hit) Key() string {
	if h.Row == "" || h.Carrier == "" || h.Carrier == "client" {
		return h.Row
	}
	return h.Row + "/" + h.Carrier
}

// Options say where the oracle listens and how the target reaches it.
type Options struct {
	// Listen is the bind address; default 127.0.0.1:0.
	Listen string
	// Host is the host name the target uses for the listener (in every
	// URL); default the listener's own address.
	Host string
	// Loopback says the target shares the harness's loopback interface (a
	// process on this host): only then can a URL at 127.0.0.1 or
	// localhost reach the oracle.
	Loopback bool
}

// Oracle is a running listener.
type Oracle struct {
	ln       net.Listener
	srv      *http.Server
	body     []byte
	host     string
	loopback bool
	mu       sync.Mutex
	hits     []Hit
	issued   bool
}

// Start listens on 127.0.0.1 for a target on this host and serves jwks,
// the attacker's public key set, at every path.
func Start(jwks []byte) (*Oracle, error) {
	return StartWith(jwks, Options{Loopback: true})
}

// StartWith listens as o says and serves jwks at every path.
func StartWith(jwks []byte, o Options) (*Oracle, error) {
	if !json.Valid(jwks) {
		return nil, errors.New("start oracle: key set is not JSON")
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("start oracle: %w", err)
	}
	host := o.Host
	if host == "" {
		host, _, _ = net.SplitHostPort(ln.Addr().String())
	}
	orc := &Oracle{ln: ln, body: jwks, host: host, loopback: o.Loopback}
	orc.srv = &http.Server{Handler: orc, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = orc.srv.Serve(ln) }()
	return orc, nil
}

// rowPrefix starts the path of every row URL: /row/<ID>/<carrier>/.
const rowPrefix = "/row/"

// RowPath is the path prefix of the URLs row id sends on carrier
// ("client" or "grant"): /row/<id>/<carrier>/. Requests under it are
// charged to that row.
func (o *Oracle) RowPath(id, carrier string) string {
	o.mu.Lock()
	o.issued = true
	o.mu.Unlock()
	return rowPrefix + url.PathEscape(id) + "/" + url.PathEscape(carrier) + "/"
}

// Issued reports whether any row URL was handed out, i.e. whether a late
// hit can still arrive.
func (o *Oracle) Issued() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.issued
}

// rowOf reads the row and carrier from a request path.
func rowOf(path string) (id, carrier string) {
	rest, ok := strings.CutPrefix(path, rowPrefix)
	if !ok {
		return "", ""
	}
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) < 3 {
		return "", ""
	}
	id, err1 := url.PathUnescape(parts[0])
	carrier, err2 := url.PathUnescape(parts[1])
	if err1 != nil || err2 != nil {
		return "", ""
	}
	return id, carrier
}

// ServeHTTP implements http.Handler: record, then answer with the key set.
func (o *Oracle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, carrier := rowOf(r.URL.EscapedPath())
	o.mu.Lock()
	o.hits = append(o.hits, Hit{Method: r.Method, Path: r.URL.Path, Agent: r.UserAgent(), Row: id, Carrier: carrier})
	o.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(o.body)
}

// Addr is host:port of the listener.
func (o *Oracle) Addr() string { return o.ln.Addr().String() }

// URL is the listener as the target reaches it, http://<host>:<port>/,
// followed by path.
func (o *Oracle) URL(path string) string {
	return "http://" + net.JoinHostPort(o.host, o.Port()) + "/" + strings.TrimPrefix(path, "/")
}

// Port is the listener's port.
func (o *Oracle) Port() string {
	_, p, _ := net.SplitHostPort(o.Addr())
	return p
}

// Loopback reports whether the target shares the harness's loopback, so
// that a URL at 127.0.0.1 or localhost reaches the oracle.
func (o *Oracle) Loopback() bool { return o.loopback }

// Take returns every hit recorded since the last Take and forgets them.
func (o *Oracle) Take() []Hit {
	return o.take(func(Hit) bool { return true })
}

// TakeRow returns and forgets the hits of row id on carrier, and those
// whose path names no row (a stray request while the row runs is charged
// to it). Hits of other rows stay for the run's end (late hits).
func (o *Oracle) TakeRow(id, carrier string) []Hit {
	return o.take(func(h Hit) bool { return h.Row == "" || (h.Row == id && h.Carrier == carrier) })
}

// TakeStray returns and forgets the hits whose path names no row.
func (o *Oracle) TakeStray() []Hit {
	return o.take(func(h Hit) bool { return h.Row == "" })
}

func (o *Oracle) take(match func(Hit) bool) []Hit {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out, keep []Hit
	for _, h := range o.hits {
		if match(h) {
			out = append(out, h)
		} else {
			keep = append(keep, h)
		}
	}
	o.hits = keep
	return out
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

// StartAttacker starts an oracle serving AttackerKeySet with options o.
func StartAttacker(o Options) (*Oracle, error) {
	b, err := AttackerKeySet()
	if err != nil {
		return nil, err
	}
	return StartWith(b, o)
}
