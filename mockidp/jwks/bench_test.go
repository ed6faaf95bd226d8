package jwks_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/jwks"
)

// jwksServers serves the fixture key set twice on loopback: through the
// mock IdP's handler, and through a bare handler writing the same bytes.
func jwksServers(b *testing.B) (mock, bare *httptest.Server, client *http.Client) {
	b.Helper()
	h := jwks.New(jwks.Static(fixtureSet(b)...), 5*time.Minute, nil)
	body, err := h.Body()
	if err != nil {
		b.Fatal(err)
	}
	mock = httptest.NewServer(h)
	bare = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(mock.Close)
	b.Cleanup(bare.Close)
	client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	b.Cleanup(client.CloseIdleConnections)
	return mock, bare, client
}

func fetch(b *testing.B, c *http.Client, url string) {
	resp, err := c.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("HTTP %d", resp.StatusCode)
	}
}

// BenchmarkJWKS is one key set fetch from the mock IdP's handler.
func BenchmarkJWKS(b *testing.B) {
	mock, _, c := jwksServers(b)
	fetch(b, c, mock.URL)
	b.ReportAllocs()
	for b.Loop() {
		fetch(b, c, mock.URL)
	}
}

// BenchmarkBareHandler is the same fetch from a bare net/http handler
// writing the same bytes: the floor BenchmarkJWKS is compared with.
func BenchmarkBareHandler(b *testing.B) {
	_, bare, c := jwksServers(b)
	fetch(b, c, bare.URL)
	b.ReportAllocs()
	for b.Loop() {
		fetch(b, c, bare.URL)
	}
}

// BenchmarkJWKSRatio alternates the two fetches within one loop, so that
// both see the same machine load, and reports the mock handler's cost as
// a multiple of the bare handler's.
func BenchmarkJWKSRatio(b *testing.B) {
	mock, bare, c := jwksServers(b)
	fetch(b, c, mock.URL)
	fetch(b, c, bare.URL)
	var tMock, tBare time.Duration
	for b.Loop() {
		t0 := time.Now()
		fetch(b, c, mock.URL)
		t1 := time.Now()
		fetch(b, c, bare.URL)
		tMock += t1.Sub(t0)
		tBare += time.Since(t1)
	}
	n := float64(b.N)
	b.ReportMetric(float64(tMock.Nanoseconds())/n, "jwks-ns/fetch")
	b.ReportMetric(float64(tBare.Nanoseconds())/n, "bare-ns/fetch")
	b.ReportMetric(float64(tMock)/float64(tBare), "jwks/bare")
}
