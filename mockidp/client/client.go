// Package client sends requests to a token endpoint (or any endpoint of the
// target) and returns transcripts: the raw request, the raw response and the
// timing. It never judges; judging is the suites' job. Transcript.Redacted
// makes a transcript fit to show, the same way wherever one is shown.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// MaxBody is how much of a response body is kept; the rest is drained and
// the transcript is marked truncated.
const MaxBody = 1 << 20

// Param is one form parameter. A Form keeps order and duplicates.
type Param struct{ Name, Value string }

// Form is an ordered application/x-www-form-urlencoded parameter list.
type Form []Param

// Add appends a parameter.
func (f Form) Add(name, value string) Form { return append(f, Param{name, value}) }

// Set replaces every parameter called name by one (at the first position), or appends it.
func (f Form) Set(name, value string) Form {
	out := make(Form, 0, len(f)+1)
	done := false
	for _, p := range f {
		if p.Name == name {
			if !done {
				out = append(out, Param{name, value})
				done = true
			}
			continue
		}
		out = append(out, p)
	}
	if !done {
		out = append(out, Param{name, value})
	}
	return out
}

// Del removes every parameter called name.
func (f Form) Del(name string) Form {
	out := make(Form, 0, len(f))
	for _, p := range f {
		if p.Name != name {
			out = append(out, p)
		}
	}
	return out
}

// Get returns the first value of name.
func (f Form) Get(name string) string {
	for _, p := range f {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// Has reports whether the form holds a parameter called name.
func (f Form) Has(name string) bool {
	for _, p := range f {
		if p.Name == name {
			return true
		}
	}
	return false
}

// Encode renders the form in order, duplicates included.
func (f Form) Encode() string {
	var b strings.Builder
	for i, p := range f {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.Name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.Value))
	}
	return b.String()
}

// Request is what to send. With Body nil, Form is sent as
// application/x-www-form-urlencoded (POST) or as the query (GET).
type Request struct {
	Method string // default POST
	URL    string
	Header http.Header
	Form   Form
	Body   []byte // raw body; overrides Form for POST
}

// Transcript is one exchange as it happened.
type Transcript struct {
	Method    string
	URL       string
	ReqHeader http.Header
	ReqBody   []byte
	Status    int
	Header    http.Header
	Body      []byte
	Truncated bool
	Duration  time.Duration
	Err       error // transport error; Status is 0 when set

	// Related are earlier exchanges of the same probe (the first use of a
	// replayed assertion, the other half of a comparison); reports show them.
	Related []*Transcript
	// Findings are problems the probe saw across its exchanges (a replay
	// race won twice, an SSRF listener hit); the row fails on any of them.
	Findings []string
	// Remarks are what the probe saw that changes no verdict (catalog
	// "report differences"); the row lists them as notes.
	Remarks []string
}

// Client sends requests with an injected *http.Client and stopwatch.
type Client struct {
	HTTP  *http.Client
	Since func(time.Time) time.Duration // elapsed-time measurement (semantics.md §9)
	Now   func() time.Time
	// GiveUpAfter, when positive, is how many consecutive timed-out
	// exchanges with one host make further requests to it fail at once,
	// without being sent, until a response from that host arrives. A
	// target that accepts connections and never answers would otherwise
	// cost the full request timeout once per check (minutes at the
	// defaults); each of those checks is ERROR either way.
	GiveUpAfter int

	mu       sync.Mutex
	timeouts map[string]timeoutRun // by URL host
}

type timeoutRun struct {
	n    int
	last error
}

// ErrTransport marks failures to reach the target: the outcome is ERROR, never FAIL.
var ErrTransport = errors.New("target unreachable")

// Do sends req. The returned error wraps ErrTransport when no HTTP response
// arrived; the transcript is returned either way.
func (c *Client) Do(ctx context.Context, req Request) (*Transcript, error) {
	method := req.Method
	if method == "" {
		method = http.MethodPost
	}
	u := req.URL
	body := req.Body
	header := req.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	if body == nil && len(req.Form) > 0 {
		if method == http.MethodGet {
			sep := "?"
			if strings.Contains(u, "?") {
				sep = "&"
			}
			u += sep + req.Form.Encode()
		} else {
			body = []byte(req.Form.Encode())
			if header.Get("Content-Type") == "" {
				header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
		}
	}
	if header.Get("Accept") == "" {
		header.Set("Accept", "application/json")
	}
	tr := &Transcript{Method: method, URL: u, ReqHeader: header, ReqBody: body}
	hr, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		tr.Err = fmt.Errorf("build request: %w", err)
		return tr, fmt.Errorf("%w: %v", ErrTransport, tr.Err)
	}
	if body == nil {
		hr.Body = nil
	}
	hr.Header = header
	host := hr.URL.Host
	if err := c.givenUp(host); err != nil {
		tr.Err = err
		return tr, fmt.Errorf("%w: %s %s: %v", ErrTransport, method, u, err)
	}
	start := c.Now()
	resp, err := c.HTTP.Do(hr)
	if err != nil {
		tr.Duration = c.Since(start)
		tr.Err = err
		c.note(host, err)
		return tr, fmt.Errorf("%w: %s %s: %v", ErrTransport, method, u, err)
	}
	defer resp.Body.Close()
	lr := io.LimitReader(resp.Body, MaxBody+1)
	b, err := io.ReadAll(lr)
	tr.Duration = c.Since(start)
	tr.Status, tr.Header = resp.StatusCode, resp.Header
	if len(b) > MaxBody {
		b = b[:MaxBody]
		tr.Truncated = true
	}
	tr.Body = b
	c.note(host, err)
	if err != nil {
		tr.Err = err
		return tr, fmt.Errorf("%w: read response of %s %s: %v", ErrTransport, method, u, err)
	}
	return tr, nil
}

// givenUp returns why requests to host are no longer sent, or nil.
func (c *Client) givenUp(host string) error {
	if c.GiveUpAfter <= 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// The message names the bound, not the run's length: requests sent
	// side by side may all time out before the first is counted, and a
	// run's cause should read the same however many ran at once.
	if r := c.timeouts[host]; r.n >= c.GiveUpAfter {
		return fmt.Errorf("not sent: the last %d requests to %s timed out (last: %v)", c.GiveUpAfter, host, r.last)
	}
	return nil
}

// note records the end of an exchange with host: a timeout extends the
// run of timeouts, anything else ends it.
func (c *Client) note(host string, err error) {
	if c.GiveUpAfter <= 0 {
		return
	}
	var te interface{ Timeout() bool }
	timedOut := err != nil && errors.As(err, &te) && te.Timeout()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timeouts == nil {
		c.timeouts = map[string]timeoutRun{}
	}
	if !timedOut {
		delete(c.timeouts, host)
		return
	}
	r := c.timeouts[host]
	c.timeouts[host] = timeoutRun{n: r.n + 1, last: err}
}

// JSON decodes the response body as a JSON object.
func (t *Transcript) JSON() (map[string]any, error) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(t.Body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("body has data after the JSON value")
	}
	if m == nil {
		return nil, errors.New("body is JSON null, not an object")
	}
	return m, nil
}

// MediaType is the response Content-Type without parameters, lower-cased.
func (t *Transcript) MediaType() string {
	ct := t.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

// ErrorCode returns the "error" member of a JSON body, or "".
func (t *Transcript) ErrorCode() string {
	m, err := t.JSON()
	if err != nil {
		return ""
	}
	s, _ := m["error"].(string)
	return s
}

// AccessToken returns the "access_token" member of a JSON body, or "".
func (t *Transcript) AccessToken() string {
	m, err := t.JSON()
	if err != nil {
		return ""
	}
	s, _ := m["access_token"].(string)
	return s
}
