package reference_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/mockidp/reference"
)

// startReference runs a clean reference on loopback and returns it with an
// HTTP client that trusts its test CA and keeps conns connections alive.
func startReference(tb testing.TB, conns int) (*reference.Instance, *http.Client) {
	tb.Helper()
	cast, err := mockidp.FixtureCast()
	if err != nil {
		tb.Fatal(err)
	}
	in, err := reference.Start(reference.Options{Profile: "BASE", Clock: time.Now, Rand: rand.Reader, Cast: cast})
	if err != nil {
		tb.Fatal(err)
	}
	tlsCfg, err := reference.ClientTLS()
	if err != nil {
		tb.Fatal(err)
	}
	tr := &http.Transport{TLSClientConfig: tlsCfg, MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, ForceAttemptHTTP2: true}
	tb.Cleanup(func() {
		tr.CloseIdleConnections()
		_ = in.Close()
	})
	return in, &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// sign signs client A's ES256 assertion for the reference.
func sign(in *reference.Instance, jti string, ms ...assertion.Mutation) (string, error) {
	k, ok := in.Cast.A.KeyFor("ES256")
	if !ok {
		return "", fmt.Errorf("client A has no ES256 key")
	}
	d := assertion.Client(assertion.ClientParams{
		Target: assertion.Target{Issuer: in.Issuer, TokenEndpoint: in.TokenEndpoint(), ClientID: in.Cast.A.ID},
		Now:    time.Now(), Key: k, Audience: in.Issuer, JTI: jti,
		// Longer than any run of the test, however loaded the machine:
		// the pre-signed shared assertions must not expire mid-test.
		Lifetime: 30 * time.Minute,
	})
	return d.Apply(ms...).Sign(rand.Reader)
}

func signClient(tb testing.TB, in *reference.Instance, jti string, ms ...assertion.Mutation) string {
	tb.Helper()
	tok, err := sign(in, jti, ms...)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// randomSignature replaces the ES256 signature by 64 random bytes: a bad
// signature of the right length, at no signing cost.
func randomSignature(d *assertion.Draft) {
	d.Signature = func([]byte, *assertion.Draft) ([]byte, error) {
		sig := make([]byte, 64)
		_, err := rand.Read(sig)
		return sig, err
	}
}

func tokenRequest(in *reference.Instance, jwt string) *http.Request {
	body := url.Values{
		"grant_type":            {oauth.GrantClientCreds},
		"client_assertion_type": {oauth.AssertionTypeJWT},
		"client_assertion":      {jwt},
	}.Encode()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, in.TokenEndpoint(), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestConcurrentLoad: 64 clients send 10,000 requests over
// loopback TLS: fresh valid assertions, replays of shared jtis, and
// assertions with a flipped signature bit. Each shared jti is accepted
// exactly once, every valid fresh assertion is accepted, every bad one is
// refused, nothing answers 5xx, and the heap stays bounded.
func TestConcurrentLoad(t *testing.T) {
	// The mix keeps the -race run within its time budget: a fresh valid
	// request costs two ECDSA signatures and a verification, a replay or
	// a bad signature one verification.
	const (
		clients  = 64
		perShare = 20 // copies of each shared assertion
	)
	var (
		total  = 10_000
		valid  = 2_000
		shared = 250 // jtis replayed by many clients at once
	)
	if testing.Short() { // make test runs the full count; -short is for quick local loops
		total, valid, shared = 2_000, 400, 50
	}
	in, hc := startReference(t, clients)

	type job struct {
		kind string // "valid", "shared", "bad"
		jti  string
		jwt  string // pre-signed, for shared jtis
	}
	sharedJWT := make([]string, shared)
	for i := range sharedJWT {
		sharedJWT[i] = signClient(t, in, fmt.Sprintf("shared-%d", i))
	}
	jobs := make([]job, 0, total)
	for i := range shared * perShare {
		jobs = append(jobs, job{kind: "shared", jti: fmt.Sprintf("shared-%d", i%shared), jwt: sharedJWT[i%shared]})
	}
	for i := range valid {
		jobs = append(jobs, job{kind: "valid", jti: fmt.Sprint("valid-", i)})
	}
	for i := len(jobs); i < total; i++ {
		jobs = append(jobs, job{kind: "bad", jti: fmt.Sprint("bad-", i)})
	}
	// Interleave so replays of one jti race with each other and with the rest.
	for i := range jobs {
		j := (i * 7919) % len(jobs)
		jobs[i], jobs[j] = jobs[j], jobs[i]
	}

	// Warm up: the reference's JWKS cache and the connection pool.
	resp, err := hc.Do(tokenRequest(in, signClient(t, in, "warm-up")))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("warm-up request: HTTP %d", resp.StatusCode)
	}
	before := heapAfterGC()
	goroutines := runtime.NumGoroutine()
	// Fewer collections during the burst; the bound below is checked
	// after explicit collections, so it is unaffected.
	defer debug.SetGCPercent(debug.SetGCPercent(400))

	var (
		next                         atomic.Int64
		validOK, badOK, fiveXX, errs atomic.Int64
		mu                           sync.Mutex
		sharedWins                   = map[string]int{}
		firstFailure                 atomic.Value
		start                        = time.Now()
		wg                           sync.WaitGroup
	)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(jobs)) {
					return
				}
				jb := jobs[i]
				jwt, err := jb.jwt, error(nil)
				switch jb.kind {
				case "valid":
					jwt, err = sign(in, jb.jti)
				case "bad":
					jwt, err = sign(in, jb.jti, randomSignature)
				}
				if err != nil {
					errs.Add(1)
					firstFailure.CompareAndSwap(nil, err.Error())
					continue
				}
				resp, err := hc.Do(tokenRequest(in, jwt))
				if err != nil {
					errs.Add(1)
					firstFailure.CompareAndSwap(nil, err.Error())
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				ok := resp.StatusCode == http.StatusOK
				if resp.StatusCode >= 500 {
					fiveXX.Add(1)
				}
				switch {
				case jb.kind == "valid" && ok:
					validOK.Add(1)
				case jb.kind == "bad" && ok:
					badOK.Add(1)
				case jb.kind == "shared" && ok:
					mu.Lock()
					sharedWins[jb.jti]++
					mu.Unlock()
				case jb.kind == "valid":
					firstFailure.CompareAndSwap(nil, fmt.Sprintf("valid %s: HTTP %d", jb.jti, resp.StatusCode))
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	var nValid int64
	for _, jb := range jobs {
		if jb.kind == "valid" {
			nValid++
		}
	}
	if errs.Load() > 0 || fiveXX.Load() > 0 {
		t.Errorf("%d transport errors, %d 5xx answers (first failure: %v)", errs.Load(), fiveXX.Load(), firstFailure.Load())
	}
	if validOK.Load() != nValid {
		t.Errorf("%d of %d valid fresh assertions accepted (first failure: %v)", validOK.Load(), nValid, firstFailure.Load())
	}
	if badOK.Load() != 0 {
		t.Errorf("%d assertions with a bad signature accepted", badOK.Load())
	}
	for i := range shared {
		if n := sharedWins[fmt.Sprintf("shared-%d", i)]; n != 1 {
			t.Errorf("shared jti %d accepted %d times by %d concurrent senders, want exactly once", i, n, perShare)
		}
	}

	hc.Transport.(*http.Transport).CloseIdleConnections()
	after := heapAfterGC()
	growth := int64(after) - int64(before)
	// 10k remembered jtis and the connection state are well under a MiB
	// each; 64 MiB only catches unbounded retention (bodies, transcripts).
	const bound = 64 << 20
	if growth > bound {
		t.Errorf("heap grew by %.1f MiB over %d requests (bound %d MiB)", float64(growth)/(1<<20), total, bound>>20)
	}
	t.Logf("%d requests from %d clients in %v (%.0f req/s); heap %+.1f MiB after GC; goroutines %d before, %d after",
		total, clients, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(), float64(growth)/(1<<20), goroutines, runtime.NumGoroutine())
}
