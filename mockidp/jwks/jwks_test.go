package jwks_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/jwks"
	"github.com/assayhq/assay/mockidp/keys"
)

// privateMembers are the JWK members that carry private or symmetric key
// material (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

func fixtureSet(t testing.TB) keys.Set {
	t.Helper()
	var s keys.Set
	for _, n := range []string{"client-a.es256", "client-a.ps256", "client-a.rs256", "client-a.eddsa"} {
		s = append(s, keys.MustFixture(n))
	}
	return s
}

// get serves one request through h and returns the recorder.
func get(h http.Handler, method string, hdr http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/jwks.json", nil)
	for k, v := range hdr {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// members decodes a served key set into generic members.
func members(t *testing.T, body []byte) []map[string]json.RawMessage {
	t.Helper()
	var doc struct {
		Keys []map[string]json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("served key set is not JSON: %v: %s", err, body)
	}
	return doc.Keys
}

func TestServesPublicPartsOnly(t *testing.T) {
	set := fixtureSet(t)
	h := jwks.New(jwks.Static(set...), 5*time.Minute, nil)
	rec := get(h, http.MethodGet, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	ms := members(t, rec.Body.Bytes())
	if len(ms) != len(set) {
		t.Fatalf("%d keys served, want %d", len(ms), len(set))
	}
	for i, m := range ms {
		var kid string
		_ = json.Unmarshal(m["kid"], &kid)
		if kid != set[i].ID() {
			t.Errorf("key %d kid %q, want %q (order kept)", i, kid, set[i].ID())
		}
		for _, p := range privateMembers {
			if _, ok := m[p]; ok {
				t.Errorf("key %s served with private member %q", kid, p)
			}
		}
	}
	parsed, err := jwks.Parse(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range parsed.Keys {
		if !k.IsPublic() {
			t.Errorf("Parse: key %s is not public", k.KeyID)
		}
	}
	body, err := h.Body()
	if err != nil || string(body) != rec.Body.String() {
		t.Errorf("Body() differs from what was served (%v)", err)
	}
}

func TestCacheControlAndETag(t *testing.T) {
	tests := []struct {
		maxAge time.Duration
		want   string
	}{
		{5 * time.Minute, "public, max-age=300"},
		{0, "public, max-age=0"},
		{1500 * time.Millisecond, "public, max-age=1"},
	}
	for _, tt := range tests {
		h := jwks.New(jwks.Static(fixtureSet(t)...), tt.maxAge, nil)
		if got := get(h, http.MethodGet, nil).Header().Get("Cache-Control"); got != tt.want {
			t.Errorf("max-age %v: Cache-Control %q, want %q", tt.maxAge, got, tt.want)
		}
	}

	set := fixtureSet(t)
	h := jwks.New(jwks.Static(set...), time.Minute, nil)
	first := get(h, http.MethodGet, nil)
	etag := first.Header().Get("ETag")
	if len(etag) < 3 || etag[0] != '"' || etag[len(etag)-1] != '"' {
		t.Fatalf("ETag %q is not a quoted strong entity tag", etag)
	}
	if again := get(h, http.MethodGet, nil).Header().Get("ETag"); again != etag {
		t.Errorf("ETag changed without a key change: %q then %q", etag, again)
	}

	rec := get(h, http.MethodGet, http.Header{"If-None-Match": {etag}})
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match with the current tag: %d with %d body bytes, want 304 and none", rec.Code, rec.Body.Len())
	}
	if rec.Header().Get("ETag") != etag || rec.Header().Get("Cache-Control") == "" {
		t.Errorf("304 without ETag/Cache-Control: %v", rec.Header())
	}
	if rec := get(h, http.MethodGet, http.Header{"If-None-Match": {`"stale"`}}); rec.Code != http.StatusOK {
		t.Errorf("If-None-Match with a stale tag: %d, want 200", rec.Code)
	}

	// New keys, new tag: a cache holding the old tag gets the new set.
	h.SetSource(jwks.Static(set[0]))
	rec = get(h, http.MethodGet, http.Header{"If-None-Match": {etag}})
	if rec.Code != http.StatusOK || rec.Header().Get("ETag") == etag {
		t.Errorf("after SetSource: %d with ETag %q, want 200 with a new tag", rec.Code, rec.Header().Get("ETag"))
	}
	if n := len(members(t, rec.Body.Bytes())); n != 1 {
		t.Errorf("after SetSource: %d keys", n)
	}
}

func TestHitsAndMethods(t *testing.T) {
	h := jwks.New(jwks.Static(fixtureSet(t)...), time.Minute, nil)
	if h.Hits() != 0 {
		t.Fatalf("Hits() = %d before any request", h.Hits())
	}
	tests := []struct {
		method string
		status int
	}{
		{http.MethodGet, http.StatusOK},
		{http.MethodHead, http.StatusOK},
		{http.MethodPost, http.StatusMethodNotAllowed},
		{http.MethodDelete, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		rec := get(h, tt.method, nil)
		if rec.Code != tt.status {
			t.Errorf("%s: status %d, want %d", tt.method, rec.Code, tt.status)
		}
		if tt.status == http.StatusMethodNotAllowed && rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: Allow %q", tt.method, rec.Header().Get("Allow"))
		}
	}
	if h.Hits() != int64(len(tests)) {
		t.Errorf("Hits() = %d, want %d (every request counts)", h.Hits(), len(tests))
	}

	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				get(h, http.MethodGet, nil)
			}
		}()
	}
	wg.Wait()
	if h.Hits() != int64(len(tests))+200 {
		t.Errorf("Hits() = %d after 200 concurrent requests", h.Hits())
	}
}

func TestModes(t *testing.T) {
	h := jwks.New(jwks.Static(fixtureSet(t)...), time.Minute, nil)

	h.SetMode(jwks.Fail5xx)
	rec := get(h, http.MethodGet, nil)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "temporarily_unavailable") {
		t.Errorf("Fail5xx: %d %s", rec.Code, rec.Body)
	}
	if rec.Header().Get("ETag") != "" {
		t.Error("Fail5xx answer carries an ETag")
	}

	h.SetMode(jwks.Malformed)
	rec = get(h, http.MethodGet, nil)
	if rec.Code != http.StatusOK || json.Valid(rec.Body.Bytes()) {
		t.Errorf("Malformed: %d, body valid JSON: %s", rec.Code, rec.Body)
	}
	if _, err := jwks.Parse(rec.Body.Bytes()); err == nil {
		t.Error("Parse accepted the malformed body")
	}

	h.SetMode(jwks.Normal)
	if rec := get(h, http.MethodGet, nil); rec.Code != http.StatusOK || len(members(t, rec.Body.Bytes())) != 4 {
		t.Errorf("back to Normal: %d", rec.Code)
	}

	h.SetSource(func() (keys.Set, error) { return nil, errors.New("boom") })
	if rec := get(h, http.MethodGet, nil); rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("failing source: %d %q", rec.Code, rec.Body)
	}
}

func TestDelayUsesInjectedSleep(t *testing.T) {
	var mu sync.Mutex
	var slept []time.Duration
	sleep := func(d time.Duration) { mu.Lock(); slept = append(slept, d); mu.Unlock() }
	h := jwks.New(jwks.Static(fixtureSet(t)...), time.Minute, sleep)

	get(h, http.MethodGet, nil)
	if len(slept) != 0 {
		t.Fatalf("slept %v with no delay set", slept)
	}
	h.SetDelay(3 * time.Second)
	start := time.Now()
	for _, m := range []jwks.Mode{jwks.Normal, jwks.Fail5xx, jwks.Malformed} {
		h.SetMode(m)
		get(h, http.MethodGet, nil)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("the delay was real: %v", elapsed)
	}
	if len(slept) != 3 || slept[0] != 3*time.Second {
		t.Errorf("slept %v, want 3s before each of 3 answers", slept)
	}
	h.SetDelay(0)
	get(h, http.MethodGet, nil)
	if len(slept) != 3 {
		t.Errorf("slept again after SetDelay(0): %v", slept)
	}

	// Without an injected sleep, a delay is ignored rather than real.
	h2 := jwks.New(jwks.Static(fixtureSet(t)...), time.Minute, nil)
	h2.SetDelay(time.Hour)
	if rec := get(h2, http.MethodGet, nil); rec.Code != http.StatusOK {
		t.Errorf("nil sleep: %d", rec.Code)
	}
}

func TestSetExtra(t *testing.T) {
	set := fixtureSet(t)
	h := jwks.New(jwks.Static(set...), time.Minute, nil)
	sym := json.RawMessage(`{"kty":"oct","kid":"sym","k":"c2VjcmV0"}`)
	odd := json.RawMessage(`{"kty":"EC","kid":"odd","crv":"P-256","x":"AA","y":"AA"}`)
	h.SetExtra(sym, odd)
	ms := members(t, get(h, http.MethodGet, nil).Body.Bytes())
	if len(ms) != len(set)+2 {
		t.Fatalf("%d keys with 2 extras, want %d", len(ms), len(set)+2)
	}
	if string(ms[len(set)]["kid"]) != `"sym"` || string(ms[len(set)+1]["kid"]) != `"odd"` {
		t.Errorf("extras not appended in order: %s %s", ms[len(set)]["kid"], ms[len(set)+1]["kid"])
	}
	// The regular keys stay public even when extras are present.
	for _, m := range ms[:len(set)] {
		for _, p := range privateMembers {
			if _, ok := m[p]; ok {
				t.Errorf("key %s carries %q with extras set", m["kid"], p)
			}
		}
	}
	h.SetExtra()
	if n := len(members(t, get(h, http.MethodGet, nil).Body.Bytes())); n != len(set) {
		t.Errorf("after clearing extras: %d keys", n)
	}
}

// TestOverHTTP runs the handler behind a real listener: the 304 path and
// the body length survive net/http.
func TestOverHTTP(t *testing.T) {
	h := jwks.New(jwks.Static(fixtureSet(t)...), time.Minute, nil)
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != int64(len(body)) {
		t.Fatalf("status %d, Content-Length %d for %d bytes", resp.StatusCode, resp.ContentLength, len(body))
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	resp2, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: %d", resp2.StatusCode)
	}
	if h.Hits() != 2 {
		t.Errorf("Hits() = %d", h.Hits())
	}
}

// FuzzParse: Parse never panics, and whatever it accepts can be served
// again: marshalling the parsed set does not panic either.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"keys":[]}`))
	if body, err := jwks.New(jwks.Static(fixtureSet(f)...), 0, nil).Body(); err == nil {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		set, err := jwks.Parse(b)
		if err != nil {
			return
		}
		for _, k := range set.Keys {
			_ = k.Valid()
			_ = k.IsPublic()
			_ = k.Public()
		}
		_, _ = json.Marshal(set)
	})
}

// TestChanges: every knob that sets what is published or how it is served
// counts as a change, and serving does not.
func TestChanges(t *testing.T) {
	h := jwks.New(jwks.Static(fixtureSet(t)...), time.Minute, nil)
	get(h, http.MethodGet, nil)
	if n := h.Changes(); n != 0 {
		t.Fatalf("a fresh handler that served once: %d changes, want 0", n)
	}
	restore := h.Save()
	h.SetExtra(json.RawMessage(`{"kty":"oct","kid":"sym","k":"c2VjcmV0"}`))
	h.SetMode(jwks.Fail5xx)
	h.SetDelay(time.Second)
	h.SetSource(jwks.Static())
	restore()
	if n := h.Changes(); n != 5 {
		t.Errorf("after SetExtra, SetMode, SetDelay, SetSource and a restore: %d changes, want 5", n)
	}
}
