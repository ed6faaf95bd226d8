package negative

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/suites/check"
)

// RaceRounds is how many times B-CLM-13.1 races one fresh assertion before
// it passes: a check-then-insert window that one race misses under an
// unlucky schedule is hit in one of several.
const RaceRounds = 5

// racer is one racing connection, dialled and (over https) past its TLS
// handshake before the barrier opens, so that the release sends requests
// and nothing else.
type racer struct {
	http *client.Client
	tr   *http.Transport
	conn net.Conn
}

func (r *racer) close() {
	r.tr.CloseIdleConnections()
	_ = r.conn.Close()
}

// warm opens n racing connections to the token endpoint, each its own
// HTTP/1.1 connection (HTTP/2 would multiplex the race over one). The
// target sees n handshakes and no request.
func warm(ctx context.Context, e *check.Env, n int) ([]*racer, error) {
	base, _ := e.HTTP.HTTP.Transport.(*http.Transport)
	if e.HTTP.HTTP.Transport == nil {
		base, _ = http.DefaultTransport.(*http.Transport)
	}
	if base == nil {
		return nil, errors.New("the race needs an *http.Transport to open its own connections")
	}
	u, err := url.Parse(e.Target.TokenEndpoint)
	if err != nil {
		return nil, fmt.Errorf("token endpoint %q: %w", e.Target.TokenEndpoint, err)
	}
	addr := u.Host
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		addr = net.JoinHostPort(u.Hostname(), port)
	}
	d := &net.Dialer{Timeout: e.HTTP.HTTP.Timeout}
	// The connections are opened in parallel: one after another, the first
	// could sit idle past a server's header timeout before the release.
	rs := make([]*racer, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs[i], errs[i] = dialRacer(ctx, d, base, u, addr)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, r := range rs {
			if r != nil {
				r.close()
			}
		}
		return nil, fmt.Errorf("%w: open racing connections to %s: %v", client.ErrTransport, addr, err)
	}
	for _, r := range rs {
		r.http.Now, r.http.Since = e.HTTP.Now, e.HTTP.Since
		r.http.HTTP.Timeout, r.http.HTTP.CheckRedirect = e.HTTP.HTTP.Timeout, e.HTTP.HTTP.CheckRedirect
	}
	return rs, nil
}

// round is one race: every racer's transcript and how long after the
// release its request was written.
type round struct {
	trs     []*client.Transcript
	written []time.Duration
}

// spread is the time between the first and the last request written.
func (r round) spread() time.Duration {
	if len(r.written) == 0 {
		return 0
	}
	w := append([]time.Duration(nil), r.written...)
	sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
	return w[len(w)-1] - w[0]
}

// raceOnce warms Racers connections, holds every sender at a barrier, and
// releases them at once, each posting form on its own connection.
func raceOnce(ctx context.Context, e *check.Env, form client.Form) (round, error) {
	rs, err := warm(ctx, e, Racers)
	if err != nil {
		return round{}, err
	}
	defer func() {
		for _, r := range rs {
			r.close()
		}
	}()
	out := round{trs: make([]*client.Transcript, len(rs)), written: make([]time.Duration, len(rs))}
	errs := make([]error, len(rs))
	var ready, done sync.WaitGroup
	release := make(chan struct{})
	var start time.Time
	for i, r := range rs {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			rctx := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) {
				out.written[i] = e.HTTP.Since(start)
			}})
			ready.Done()
			<-release
			out.trs[i], errs[i] = r.http.Do(rctx, client.Request{URL: e.Target.TokenEndpoint, Form: form})
		}()
	}
	ready.Wait()
	start = e.HTTP.Now()
	close(release)
	done.Wait()
	for _, err := range errs {
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// race sends one fresh assertion Racers times at once, for RaceRounds
// rounds; more than one token in a round is a finding (the check and the
// insert of the replay cache are not atomic). The notes give each round's
// spread of write times, which says how tight the race was.
func race(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
	var spreads []string
	var last *client.Transcript
	for n := 1; n <= RaceRounds; n++ {
		tok, err := e.ClientAssertion(e.Cast.A)
		if err != nil {
			return nil, err
		}
		r, err := raceOnce(ctx, e, check.ClientAuthForm(tok))
		if err != nil {
			for _, tr := range r.trs {
				if tr != nil && tr.Err != nil {
					return tr, err
				}
			}
			return nil, err
		}
		spreads = append(spreads, fmt.Sprintf("%.1f ms", float64(r.spread())/float64(time.Millisecond)))
		var won, lost []*client.Transcript
		for _, tr := range r.trs {
			if tr.Status >= 200 && tr.Status < 300 {
				won = append(won, tr)
			} else {
				lost = append(lost, tr)
			}
		}
		note := fmt.Sprintf("%d round(s) of %d parallel requests on warmed connections; spread of the requests' write times per round: %s", n, Racers, strings.Join(spreads, ", "))
		if len(won) > 1 {
			out := won[1]
			out.Related = append(out.Related, won[0])
			out.Findings = append(out.Findings, fmt.Sprintf("round %d: %d of %d parallel requests with one assertion got tokens (at most one may)", n, len(won), Racers))
			out.Remarks = append(out.Remarks, note)
			return out, nil
		}
		if len(won) == 0 {
			// Nobody won: the race proves nothing about single use.
			return lost[0], &check.Inapplicable{Reason: fmt.Sprintf("none of %d parallel requests with one valid assertion got a token (first answer HTTP %d), so the race shows nothing", Racers, lost[0].Status)}
		}
		// Judge a loser the server refused on the assertion's merits: a 429
		// from a rate limiter (RFC 6585 §4) says nothing about replay.
		last = lost[0]
		for _, tr := range lost {
			if tr.Status != http.StatusTooManyRequests {
				last = tr
				break
			}
		}
		last.Related = append(last.Related, won...)
		if n == RaceRounds {
			last.Remarks = append(last.Remarks, note)
		}
	}
	return last, nil
}

// dialRacer opens one racing connection, TLS handshake included, and a
// transport that sends over it and nothing else.
func dialRacer(ctx context.Context, d *net.Dialer, base *http.Transport, u *url.URL, addr string) (*racer, error) {
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "https" {
		cfg := &tls.Config{}
		if base.TLSClientConfig != nil {
			cfg = base.TLSClientConfig.Clone()
		}
		cfg.ServerName = u.Hostname()
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = conn.Close()
			return nil, err
		}
		conn = tc
	}
	var once sync.Once
	dial := func(context.Context, string, string) (net.Conn, error) {
		var c net.Conn
		once.Do(func() { c = conn })
		if c == nil {
			return nil, errors.New("the racing connection was already used")
		}
		return c, nil
	}
	tr := &http.Transport{DialContext: dial, DialTLSContext: dial, TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{},
		ResponseHeaderTimeout: base.ResponseHeaderTimeout, MaxConnsPerHost: 1}
	return &racer{http: &client.Client{HTTP: &http.Client{Transport: tr}}, tr: tr, conn: conn}, nil
}
