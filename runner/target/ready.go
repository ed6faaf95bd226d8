package target

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Readiness defaults.
const (
	// DefaultReadyTimeout bounds startup when ReadyProbe.Timeout is zero.
	// It matches the config's timeouts.start default.
	DefaultReadyTimeout = 60 * time.Second
	// DefaultReadyInterval is the pause between two probe attempts.
	DefaultReadyInterval = 100 * time.Millisecond
	// probeRequestTimeout bounds one probe request when Client is nil.
	probeRequestTimeout = 2 * time.Second
)

// ReadyProbe says when a started target is ready. Every probe that is set
// must succeed; with none set the target is ready as soon as it runs.
type ReadyProbe struct {
	// URL is polled with GET until it answers with any status below 500
	// (a 4xx proves the server is up and routing). For a process it is an
	// absolute URL. For a container it is a path ("/health") requested on
	// the host port mapped to Port, with the spec's IssuerScheme.
	URL string
	// Port is a TCP port. For a process it is dialled on 127.0.0.1 when URL
	// is empty. For a container it names the container port ("8443/tcp")
	// that URL is requested on; default the first of the spec's Ports.
	// Docker's userland proxy accepts connections on a mapped port before
	// the container listens, so a container probe needs URL or Log.
	Port string
	// Log is a substring; the target is ready once a line of its output
	// contains it.
	Log string
	// Timeout bounds the wait; zero means DefaultReadyTimeout.
	Timeout time.Duration
	// Interval is the pause between attempts; zero means
	// DefaultReadyInterval.
	Interval time.Duration
	// Client performs URL probes. Inject the harness client (its CA pool
	// trusts the target); nil means a plain client with a 2 s timeout that
	// verifies TLS against the system roots.
	Client *http.Client
}

func (p ReadyProbe) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return DefaultReadyTimeout
}

func (p ReadyProbe) interval() time.Duration {
	if p.Interval > 0 {
		return p.Interval
	}
	return DefaultReadyInterval
}

func (p ReadyProbe) client() *http.Client {
	if p.Client != nil {
		return p.Client
	}
	return &http.Client{Timeout: probeRequestTimeout}
}

// readiness is one resolved wait: the checks to poll, and how to tell that
// the target died meanwhile.
type readiness struct {
	timeout  time.Duration
	interval time.Duration
	// check polls the network probes (URL or port); nil if none.
	check func(ctx context.Context) error
	// logSeen is closed when a line containing logLine appeared; nil if
	// there is no log probe.
	logSeen <-chan struct{}
	logLine string
	// exited returns a non-nil error once the target has died.
	exited func(ctx context.Context) error
	// died is closed when the target dies, to wake the wait early; it may
	// be nil when exited has to be polled.
	died <-chan struct{}
}

// wait blocks until every probe succeeded, the target died, the timeout
// passed or ctx was cancelled. The error wraps ErrExited, ErrNotReady or
// ctx.Err().
func (r readiness) wait(ctx context.Context) error {
	deadline := time.Now().Add(r.timeout)
	wctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	netOK := r.check == nil
	logCh := r.logSeen // set to nil once seen, so the select below blocks
	var last error
	for {
		if err := r.exited(wctx); err != nil {
			return fmt.Errorf("%w before it was ready: %w", ErrExited, err)
		}
		if logCh != nil {
			select {
			case <-logCh:
				logCh = nil
			default:
			}
		}
		if !netOK {
			if err := r.check(wctx); err != nil {
				// Keep the previous reason over the wait's own deadline
				// cutting the last attempt short.
				if last == nil || wctx.Err() == nil {
					last = err
				}
			} else {
				netOK = true
			}
		}
		if netOK && logCh == nil {
			return nil
		}
		select {
		case <-wctx.Done():
			if ctx.Err() != nil {
				return fmt.Errorf("wait for readiness: %w", ctx.Err())
			}
			// A last look: the target may have died just now, which is
			// the better explanation.
			if err := r.exited(ctx); err != nil {
				return fmt.Errorf("%w before it was ready: %w", ErrExited, err)
			}
			var why []string
			if !netOK && last != nil {
				why = append(why, last.Error())
			}
			if logCh != nil {
				why = append(why, fmt.Sprintf("no output line contained %q", r.logLine))
			}
			return fmt.Errorf("%w after %s: %s", ErrNotReady, r.timeout, strings.Join(why, "; "))
		case <-r.died:
		case <-logCh:
		case <-time.After(r.interval):
		}
	}
}

// httpCheck returns a check that GETs url and accepts any status below 500.
func httpCheck(client *http.Client, url string) func(context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("build probe request: %w", err)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
		}
		return nil
	}
}

// dialCheck returns a check that opens a TCP connection to addr.
func dialCheck(addr string) func(context.Context) error {
	return func(ctx context.Context) error {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		return c.Close()
	}
}
