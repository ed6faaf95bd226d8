package tokenendpoint

import (
	"context"
	"errors"
	"github.com/assayhq/assay/mockidp/defect"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/jwks"
	"github.com/assayhq/assay/mockidp/keys"
)

// jwksFixture serves client A's ES256 key and counts fetches.
func jwksFixture(t *testing.T) (*jwks.Handler, *httptest.Server) {
	t.Helper()
	h := jwks.New(jwks.Static(keys.MustFixture("client-a.es256")), time.Minute, nil)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

func TestKeyCache(t *testing.T) {
	h, srv := jwksFixture(t)
	clk := &testClock{now: fuzzNow}
	c := newKeyCache(srv.Client(), clk.Now, time.Minute, time.Second, 5*time.Second, func(defect.Name) bool { return false })
	ctx := context.Background()
	steps := []struct {
		advance time.Duration
		refresh bool
		hits    int64 // total fetches after the step
	}{
		{0, false, 1},                     // first use fetches
		{10 * time.Second, false, 1},      // cached within ttl
		{0, true, 2},                      // unknown kid: refetch (older than minRefetch)
		{500 * time.Millisecond, true, 2}, // not again within minRefetch
		{time.Second, true, 3},            // and again after it
		{time.Minute, false, 4},           // past ttl: refetch
		{30 * time.Second, false, 4},      // fresh again
		{59 * time.Second, true, 5},       // refresh near the end of ttl
	}
	for i, s := range steps {
		clk.Add(s.advance)
		ks, err := c.get(ctx, srv.URL, s.refresh)
		if err != nil || len(ks) != 1 {
			t.Fatalf("step %d: %d keys, %v", i, len(ks), err)
		}
		if got := h.Hits(); got != s.hits {
			t.Errorf("step %d: %d fetches, want %d", i, got, s.hits)
		}
	}

	// A failing jwks_uri keeps the cached keys working; the failure is still
	// reported alongside them.
	h.SetMode(jwks.Fail5xx)
	clk.Add(2 * time.Minute)
	if ks, err := c.get(ctx, srv.URL, true); err == nil || len(ks) != 1 {
		t.Errorf("with the jwks_uri failing: %d keys, %v", len(ks), err)
	}
	// With nothing cached, the failure is reported.
	if _, err := newKeyCache(srv.Client(), clk.Now, time.Minute, time.Second, 5*time.Second, func(defect.Name) bool { return false }).get(ctx, srv.URL, false); err == nil {
		t.Error("no error from a failing jwks_uri with an empty cache")
	}
	h.SetMode(jwks.Malformed)
	if _, err := newKeyCache(srv.Client(), clk.Now, time.Minute, time.Second, 5*time.Second, func(defect.Name) bool { return false }).get(ctx, srv.URL, false); err == nil {
		t.Error("no error from a malformed key set")
	}
}

// TestKeyCacheFloodDoesNotAmplify: a burst of concurrent requests with
// unknown kids (or a cold cache) causes one fetch per URL, not one per
// request: the refetch limit holds under concurrency too.
func TestKeyCacheFloodDoesNotAmplify(t *testing.T) {
	for _, tc := range []struct {
		name    string
		warm    bool
		refresh bool
	}{
		{"cold cache", false, false},
		{"unknown kids", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, srv := jwksFixture(t)
			// The fetch is slow enough that the burst overlaps it.
			slow := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				time.Sleep(50 * time.Millisecond)
				return http.DefaultTransport.RoundTrip(r)
			})}
			clk := &testClock{now: fuzzNow}
			c := newKeyCache(slow, clk.Now, time.Minute, time.Second, 5*time.Second, func(defect.Name) bool { return false })
			if tc.warm {
				if _, err := c.get(context.Background(), srv.URL, false); err != nil {
					t.Fatal(err)
				}
				clk.Add(2 * time.Second) // older than minRefetch
			}
			before := h.Hits()
			var wg sync.WaitGroup
			for range 32 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if ks, err := c.get(context.Background(), srv.URL, tc.refresh); err != nil || len(ks) != 1 {
						t.Errorf("%d keys, %v", len(ks), err)
					}
				}()
			}
			wg.Wait()
			if n := h.Hits() - before; n != 1 {
				t.Errorf("32 concurrent lookups caused %d fetches, want 1", n)
			}
		})
	}
}

// TestKeyCacheVirtualStall: on a virtual clock, a jwks_uri whose delay
// advances that clock past the fetch timeout times the fetch out (cached
// keys stay, and with defect.JWKSStallDropsKeys they go) although it
// answered at once in real time; a delay within the timeout does not.
func TestKeyCacheVirtualStall(t *testing.T) {
	for _, tc := range []struct {
		name     string
		delay    time.Duration
		drops    bool
		wantKeys int
		wantErr  error // nil, or the class of the fetch error
	}{
		{"within the timeout", 200 * time.Millisecond, false, 1, nil},
		{"past the timeout", 600 * time.Millisecond, false, 1, context.DeadlineExceeded},
		{"past the timeout, stall drops keys", 600 * time.Millisecond, true, 0, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &testClock{now: fuzzNow}
			h := jwks.New(jwks.Static(keys.MustFixture("client-a.es256")), time.Minute, clk.Add)
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			has := func(d defect.Name) bool { return tc.drops && d == defect.JWKSStallDropsKeys }
			c := newKeyCache(srv.Client(), clk.Now, time.Minute, time.Second, 300*time.Millisecond, has)
			ctx := context.Background()
			if _, err := c.get(ctx, srv.URL, false); err != nil {
				t.Fatal(err)
			}
			h.SetDelay(tc.delay)
			clk.Add(2 * time.Second) // past minRefetch
			ks, err := c.get(ctx, srv.URL, true)
			if len(ks) != tc.wantKeys {
				t.Errorf("refetch with a %s delay: %d keys, want %d", tc.delay, len(ks), tc.wantKeys)
			}
			if (err == nil) != (tc.wantErr == nil) || (err != nil && !errors.Is(err, tc.wantErr)) {
				t.Errorf("refetch with a %s delay: error %v, want %v", tc.delay, err, tc.wantErr)
			}
		})
	}
}
