package client_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/client"
)

func TestForm(t *testing.T) {
	f := client.Form{}.Add("b", "1").Add("a", "x y").Add("b", "2")
	if got := f.Encode(); got != "b=1&a=x+y&b=2" {
		t.Fatalf("Encode keeps order and duplicates: %s", got)
	}
	if f.Get("b") != "1" || f.Get("zz") != "" {
		t.Errorf("Get returns the first value: %q %q", f.Get("b"), f.Get("zz"))
	}
	tests := []struct {
		name string
		got  client.Form
		want string
	}{
		{"Set replaces all at the first position", f.Set("b", "3"), "b=3&a=x+y"},
		{"Set appends a new name", f.Set("c", ""), "b=1&a=x+y&b=2&c="},
		{"Del removes all", f.Del("b"), "a=x+y"},
		{"Del of an absent name", f.Del("zz"), "b=1&a=x+y&b=2"},
		{"receiver unchanged", f, "b=1&a=x+y&b=2"},
		{"escaping", client.Form{}.Add("a&b=c", "1+2=3&x/y?%é"), "a%26b%3Dc=1%2B2%3D3%26x%2Fy%3F%25%C3%A9"},
		{"empty", client.Form{}, ""},
	}
	for _, tt := range tests {
		if got := tt.got.Encode(); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

// recorded is what the fake server saw.
type recorded struct {
	method, path, query, ctype, accept, body string
}

func newClient(hc *http.Client) *client.Client {
	return &client.Client{HTTP: hc, Now: time.Now, Since: time.Since}
}

func TestDo(t *testing.T) {
	var seen recorded
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seen = recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), r.Header.Get("Accept"), string(b)}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.WriteString(w, `{"access_token":"at","token_type":"Bearer"}`)
	}))
	defer srv.Close()
	c := newClient(srv.Client())
	form := client.Form{}.Add("grant_type", "client_credentials").Add("x", "1").Add("x", "2")
	tests := []struct {
		name string
		req  client.Request
		want recorded
	}{
		{"POST default", client.Request{URL: srv.URL + "/token", Form: form},
			recorded{"POST", "/token", "", "application/x-www-form-urlencoded", "application/json", "grant_type=client_credentials&x=1&x=2"}},
		{"GET puts the form in the query", client.Request{Method: "GET", URL: srv.URL + "/token", Form: form},
			recorded{"GET", "/token", "grant_type=client_credentials&x=1&x=2", "", "application/json", ""}},
		{"GET appends to an existing query", client.Request{Method: "GET", URL: srv.URL + "/token?a=b", Form: form},
			recorded{"GET", "/token", "a=b&grant_type=client_credentials&x=1&x=2", "", "application/json", ""}},
		{"raw body overrides the form", client.Request{URL: srv.URL + "/t", Form: form, Body: []byte(`{"a":1}`), Header: http.Header{"Content-Type": {"application/json"}}},
			recorded{"POST", "/t", "", "application/json", "application/json", `{"a":1}`}},
		{"caller's Content-Type and Accept win", client.Request{URL: srv.URL + "/t", Form: form, Header: http.Header{"Content-Type": {"text/plain"}, "Accept": {"*/*"}}},
			recorded{"POST", "/t", "", "text/plain", "*/*", "grant_type=client_credentials&x=1&x=2"}},
		{"POST with no form has no body", client.Request{URL: srv.URL + "/t"},
			recorded{"POST", "/t", "", "", "application/json", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdrBefore http.Header
			if tt.req.Header != nil {
				hdrBefore = tt.req.Header.Clone()
			}
			tr, err := c.Do(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if seen != tt.want {
				t.Errorf("server saw %+v\nwant           %+v", seen, tt.want)
			}
			if tr.Status != 200 || tr.MediaType() != "application/json" || tr.AccessToken() != "at" || tr.Truncated || tr.Err != nil {
				t.Errorf("transcript %+v", tr)
			}
			if tr.Method != tt.want.method || string(tr.ReqBody) != tt.want.body || tr.ReqHeader.Get("Accept") != tt.want.accept {
				t.Errorf("transcript request %s %q %v", tr.Method, tr.ReqBody, tr.ReqHeader)
			}
			if tt.want.query != "" && !strings.HasSuffix(tr.URL, "?"+tt.want.query) {
				t.Errorf("transcript URL %s", tr.URL)
			}
			if hdrBefore != nil && tt.req.Header.Get("Accept") != hdrBefore.Get("Accept") {
				t.Error("Do modified the caller's header")
			}
		})
	}
}

func TestDoTransportError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: connection refused
	c := newClient(&http.Client{Timeout: 2 * time.Second})
	tr, err := c.Do(context.Background(), client.Request{URL: "http://" + addr + "/token", Form: client.Form{}.Add("a", "b")})
	if !errors.Is(err, client.ErrTransport) {
		t.Fatalf("error %v does not wrap ErrTransport", err)
	}
	if tr == nil || tr.Status != 0 || tr.Err == nil || string(tr.ReqBody) != "a=b" {
		t.Errorf("transcript %+v", tr)
	}

	_, err = c.Do(context.Background(), client.Request{URL: "http://[::1", Form: nil})
	if !errors.Is(err, client.ErrTransport) {
		t.Errorf("bad URL: %v", err)
	}

	// A server that hangs up mid-body: the read error is a transport error too.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, "short")
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}))
	defer srv.Close()
	tr, err = newClient(srv.Client()).Do(context.Background(), client.Request{URL: srv.URL})
	if !errors.Is(err, client.ErrTransport) || tr.Status != 200 || tr.Err == nil {
		t.Errorf("truncated body: %v, %+v", err, tr)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newClient(srv.Client()).Do(ctx, client.Request{URL: srv.URL}); !errors.Is(err, client.ErrTransport) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestDoTruncatesBigBodies(t *testing.T) {
	for _, size := range []int{client.MaxBody, client.MaxBody + 1, 3 * client.MaxBody} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(strings.Repeat("x", size)))
		}))
		tr, err := newClient(srv.Client()).Do(context.Background(), client.Request{URL: srv.URL})
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		wantTrunc := size > client.MaxBody
		if tr.Truncated != wantTrunc || len(tr.Body) != min(size, client.MaxBody) {
			t.Errorf("body of %d: kept %d, truncated %v", size, len(tr.Body), tr.Truncated)
		}
	}
}

func TestDoUsesInjectedStopwatch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var sinceArg time.Time
	c := &client.Client{HTTP: srv.Client(), Now: func() time.Time { return start },
		Since: func(t time.Time) time.Duration { sinceArg = t; return 42 * time.Millisecond }}
	tr, err := c.Do(context.Background(), client.Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Duration != 42*time.Millisecond || !sinceArg.Equal(start) {
		t.Errorf("duration %v measured from %v", tr.Duration, sinceArg)
	}
}

func TestTranscriptParsing(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		ctype   string
		jsonOK  bool
		code    string
		token   string
		media   string
		members int
	}{
		{"token response", `{"access_token":"abc","token_type":"Bearer","expires_in":300}`, "application/json", true, "", "abc", "application/json", 3},
		{"error response", `{"error":"invalid_client","error_description":"no"}`, "Application/JSON ; charset=utf-8", true, "invalid_client", "", "application/json", 2},
		{"whitespace around", " \n{\"error\":\"invalid_grant\"}\n", "application/json", true, "invalid_grant", "", "application/json", 1},
		{"error not a string", `{"error":42,"access_token":["x"]}`, "application/json", true, "", "", "application/json", 2},
		{"null", `null`, "", false, "", "", "", 0},
		{"array", `[{"error":"invalid_client"}]`, "text/html", false, "", "", "text/html", 0},
		{"html", `<html>error</html>`, "text/html", false, "", "", "text/html", 0},
		{"empty", ``, "", false, "", "", "", 0},
		{"truncated", `{"access_token":"abc"`, "application/json", false, "", "", "application/json", 0},
		// U3: a body that is a JSON object followed by something else is
		// not a JSON body; the token in it must not count as issued.
		{"trailing HTML", `{"access_token":"abc"}<html>`, "application/json", false, "", "", "application/json", 0},
		{"two objects", `{"error":"invalid_client"}{"access_token":"abc"}`, "application/json", false, "", "", "application/json", 0},
		{"big numbers kept exact", `{"expires_in":12345678901234567890}`, "application/json", true, "", "", "application/json", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &client.Transcript{Body: []byte(tt.body), Header: http.Header{}}
			if tt.ctype != "" {
				tr.Header.Set("Content-Type", tt.ctype)
			}
			m, err := tr.JSON()
			if (err == nil) != tt.jsonOK || len(m) != tt.members {
				t.Errorf("JSON() = %v, %v; want ok=%v with %d members", m, err, tt.jsonOK, tt.members)
			}
			if got := tr.ErrorCode(); got != tt.code {
				t.Errorf("ErrorCode() = %q, want %q", got, tt.code)
			}
			if got := tr.AccessToken(); got != tt.token {
				t.Errorf("AccessToken() = %q, want %q", got, tt.token)
			}
			if got := tr.MediaType(); got != tt.media {
				t.Errorf("MediaType() = %q, want %q", got, tt.media)
			}
		})
	}
	m, _ := (&client.Transcript{Body: []byte(`{"expires_in":12345678901234567890}`)}).JSON()
	if n, ok := m["expires_in"].(interface{ String() string }); !ok || n.String() != "12345678901234567890" {
		t.Errorf("numbers are not json.Number: %#v", m["expires_in"])
	}
}

// FuzzTranscript: the response parsers never panic, and agree with each
// other: ErrorCode and AccessToken are non-empty only when JSON succeeds.
func FuzzTranscript(f *testing.F) {
	f.Add([]byte(`{"access_token":"eyJ.eyJ.sig","token_type":"Bearer","expires_in":300}`), "application/json")
	f.Add([]byte(`{"error":"invalid_client"}`), "application/json;charset=utf-8")
	f.Fuzz(func(t *testing.T, body []byte, ctype string) {
		tr := &client.Transcript{Body: body, Header: http.Header{"Content-Type": {ctype}}}
		m, err := tr.JSON()
		code, tok := tr.ErrorCode(), tr.AccessToken()
		_ = tr.MediaType()
		if err != nil && (code != "" || tok != "") {
			t.Fatalf("JSON failed (%v) but ErrorCode %q / AccessToken %q", err, code, tok)
		}
		if err == nil && m == nil {
			t.Fatal("JSON returned a nil map without error")
		}
		if s, _ := m["error"].(string); s != code {
			t.Fatalf("ErrorCode %q, map says %q", code, s)
		}
	})
}
