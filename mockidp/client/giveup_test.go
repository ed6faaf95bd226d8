package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestGiveUpAfterTimeouts: after GiveUpAfter consecutive timeouts a host
// gets no more requests, other hosts are unaffected, and a response ends
// the run of timeouts.
func TestGiveUpAfterTimeouts(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never answered
			mu.Unlock()
		}
	}()
	c := &Client{HTTP: &http.Client{Timeout: 100 * time.Millisecond}, Now: time.Now, Since: time.Since, GiveUpAfter: 2}
	get := func(u string) (time.Duration, error) {
		start := time.Now()
		_, err := c.Do(context.Background(), Request{Method: http.MethodGet, URL: u})
		return time.Since(start), err
	}
	u := "http://" + silent.Addr().String() + "/"
	for i := 0; i < 2; i++ {
		if _, err := get(u); !errors.Is(err, ErrTransport) || !strings.Contains(err.Error(), "Client.Timeout") {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	d, err := get(u)
	if !errors.Is(err, ErrTransport) || !strings.Contains(err.Error(), "not sent: the last 2 requests") {
		t.Fatalf("third request: %v", err)
	}
	if d > 50*time.Millisecond {
		t.Errorf("third request took %s; it should not have been sent", d)
	}
	// A refused connection is not a timeout and does not count.
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	other := "http://" + dead.Addr().String() + "/"
	dead.Close()
	for i := 0; i < 3; i++ {
		if _, err := get(other); err == nil || strings.Contains(err.Error(), "not sent") {
			t.Fatalf("other host, request %d: %v", i+1, err)
		}
	}
	// A response from the host ends the run.
	c.note(silent.Addr().String(), nil)
	if _, err := get(u); err == nil || strings.Contains(err.Error(), "not sent") {
		t.Fatalf("after a response: %v", err)
	}
	mu.Lock()
	for _, cn := range conns {
		cn.Close()
	}
	mu.Unlock()
}

// timeoutErr is a transport error that reports a timeout.
type timeoutErr struct{}

func (timeoutErr) Error() string { return "i/o timeout" }
func (timeoutErr) Timeout() bool { return true }

// TestGiveUpNamesTheBound: requests sent side by side can all time out
// before the first is counted; the refusal names GiveUpAfter, not how many
// did, so a run's cause reads the same however many requests ran at once.
func TestGiveUpNamesTheBound(t *testing.T) {
	c := &Client{GiveUpAfter: 2}
	for range 4 {
		c.note("target:443", timeoutErr{})
	}
	err := c.givenUp("target:443")
	if err == nil || !strings.Contains(err.Error(), "not sent: the last 2 requests to target:443 timed out") {
		t.Fatalf("after 4 timeouts with GiveUpAfter 2: %v", err)
	}
}
