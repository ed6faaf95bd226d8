package negative_test

import (
	"context"
	"crypto/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/client"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/negative"
)

// singleUse is a token endpoint with an atomic replay cache over the whole
// request body: the first request with a body wins, later ones are
// invalid_client. It counts TLS connections and the requests on each.
type singleUse struct {
	mu       sync.Mutex
	seen     map[string]bool
	conns    atomic.Int64
	requests atomic.Int64
	perConn  sync.Map // remote addr -> *atomic.Int64
}

func (s *singleUse) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	n, _ := s.perConn.LoadOrStore(r.RemoteAddr, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
	_ = r.ParseForm()
	s.mu.Lock()
	used := s.seen[r.PostForm.Get("client_assertion")]
	s.seen[r.PostForm.Get("client_assertion")] = true
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if used {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
		return
	}
	_, _ = w.Write([]byte(`{"access_token":"opaque","token_type":"Bearer"}`))
}

// TestRaceWarmsEveryConnection: B-CLM-13.1 races RaceRounds rounds, each on
// Racers fresh TLS connections opened before the release, one request per
// connection and none on the shared client; a single-use target passes and
// the notes give each round's spread.
func TestRaceWarmsEveryConnection(t *testing.T) {
	h := &singleUse{seen: map[string]bool{}}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			h.conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	cast, err := mockidp.FixtureCast()
	if err != nil {
		t.Fatal(err)
	}
	e := &check.Env{
		Target:  check.Target{Issuer: srv.URL, TokenEndpoint: srv.URL + "/token"},
		Profile: check.OIDC, Cast: cast, Clock: time.Now, Rand: rand.Reader,
		HTTP: &client.Client{HTTP: srv.Client(), Now: time.Now, Since: time.Since},
	}
	r := byKey(t, "B-CLM-13.1").Run(context.Background(), e)
	if r.Outcome != v1.Pass {
		t.Fatalf("single-use target: %s (%s), want PASS", r.Outcome, r.Reason)
	}
	want := int64(negative.Racers * negative.RaceRounds)
	if got := h.conns.Load(); got != want {
		t.Errorf("%d TLS connections, want %d (one per racer per round)", got, want)
	}
	if got := h.requests.Load(); got != want {
		t.Errorf("%d requests, want %d", got, want)
	}
	h.perConn.Range(func(k, v any) bool {
		if n := v.(*atomic.Int64).Load(); n != 1 {
			t.Errorf("connection %v carried %d requests, want 1", k, n)
		}
		return true
	})
	if notes := strings.Join(r.Notes, " "); !strings.Contains(notes, "spread of the requests' write times per round") {
		t.Errorf("notes %q do not report the spread", notes)
	}
}
