package reference_test

import (
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
)

// BenchmarkReferenceToken measures the reference endpoint's throughput for
// valid client_credentials requests with ES256 client assertions, over
// loopback TLS with connection reuse, from parallel clients. Each
// operation includes signing the assertion on the client side.
func BenchmarkReferenceToken(b *testing.B) {
	in, hc := startReference(b, 64)
	var seq atomic.Int64
	// Warm the connection pool and the reference's JWKS cache.
	resp, err := hc.Do(tokenRequest(in, signClient(b, in, "warm-up")))
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	b.ReportAllocs()
	b.SetParallelism(8) // 8 clients per CPU, well within the 64 pooled connections
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			jwt, err := sign(in, fmt.Sprint("bench-", seq.Add(1)))
			if err != nil {
				b.Error(err)
				return
			}
			resp, err := hc.Do(tokenRequest(in, jwt))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("HTTP %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
