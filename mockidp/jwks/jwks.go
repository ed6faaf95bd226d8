// Package jwks serves a JSON Web Key Set (RFC 7517 §5) with the knobs the
// rotation and attack rows need: replace or rotate keys, fail with 5xx, serve
// malformed JSON, delay, and count hits.
package jwks

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/keys"
)

// Mode is how the handler answers.
type Mode int32

// Modes.
const (
	Normal    Mode = iota // the key set
	Fail5xx               // 503 with a JSON error
	Malformed             // 200 with a body that is not JSON
)

// Handler publishes the public parts of a key set.
type Handler struct {
	maxAge time.Duration
	sleep  func(time.Duration) // injected; nil means no delays

	mu     sync.RWMutex
	source func() (keys.Set, error)
	extra  []json.RawMessage // raw members appended to "keys" (bad keys for attack rows)
	gen    uint64            // bumped whenever source or extra change

	// The last rendering, reused while the same keys are published: a key
	// set is fetched far more often than it changes.
	cacheMu   sync.Mutex
	cacheKey  string
	cacheBody []byte
	cacheETag string
	cacheAge  string

	mode    atomic.Int32
	delay   atomic.Int64
	hits    atomic.Int64
	changes atomic.Uint64
}

// New returns a handler publishing source() on every request. maxAge sets
// Cache-Control: max-age; sleep implements Delay (nil disables it).
func New(source func() (keys.Set, error), maxAge time.Duration, sleep func(time.Duration)) *Handler {
	return &Handler{source: source, maxAge: maxAge, sleep: sleep}
}

// Static returns a source that always yields ks.
func Static(ks ...keys.Key) func() (keys.Set, error) {
	s := keys.Set(ks)
	return func() (keys.Set, error) { return s, nil }
}

// SetSource replaces the published keys.
func (h *Handler) SetSource(source func() (keys.Set, error)) {
	h.mu.Lock()
	h.source = source
	h.gen++
	h.mu.Unlock()
	h.changes.Add(1)
}

// SetExtra appends raw JWK objects (for example a key with private members,
// or a symmetric key) to the published set; nil clears them.
func (h *Handler) SetExtra(raw ...json.RawMessage) {
	h.mu.Lock()
	h.extra = raw
	h.gen++
	h.mu.Unlock()
	h.changes.Add(1)
}

// SetMode switches how the handler answers.
func (h *Handler) SetMode(m Mode) {
	h.mode.Store(int32(m))
	h.changes.Add(1)
}

// SetDelay makes every answer wait d first.
func (h *Handler) SetDelay(d time.Duration) {
	h.delay.Store(int64(d))
	h.changes.Add(1)
}

// Changes counts the calls that set what the handler publishes or how it
// answers (SetSource, SetExtra, SetMode, SetDelay, a Save's restore),
// whether or not the value changed: how a test sees that a check touched
// a key set other checks read.
func (h *Handler) Changes() uint64 { return h.changes.Load() }

// Save records the published keys, extra members, mode and delay, and
// returns a function that puts them back: a scenario defers it so that the
// hosted set is restored even when the scenario fails.
func (h *Handler) Save() (restore func()) {
	h.mu.RLock()
	source, extra := h.source, h.extra
	h.mu.RUnlock()
	mode, delay := h.mode.Load(), h.delay.Load()
	return func() {
		h.mu.Lock()
		h.source, h.extra = source, extra
		h.gen++
		h.mu.Unlock()
		h.mode.Store(mode)
		h.delay.Store(delay)
		h.changes.Add(1)
	}
}

// Hits is the number of requests served so far.
func (h *Handler) Hits() int64 { return h.hits.Load() }

// Body renders the current key set as it would be served.
func (h *Handler) Body() ([]byte, error) {
	h.mu.RLock()
	source, extra := h.source, h.extra
	h.mu.RUnlock()
	ks, err := source()
	if err != nil {
		return nil, err
	}
	set := ks.Public()
	if len(extra) == 0 {
		return json.Marshal(set)
	}
	members := make([]json.RawMessage, 0, len(set.Keys)+len(extra))
	for _, k := range set.Keys {
		b, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		members = append(members, b)
	}
	members = append(members, extra...)
	return json.Marshal(struct {
		Keys []json.RawMessage `json:"keys"`
	}{members})
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.hits.Add(1)
	if d := time.Duration(h.delay.Load()); d > 0 && h.sleep != nil {
		h.sleep(d)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch Mode(h.mode.Load()) {
	case Fail5xx:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error":"temporarily_unavailable"}`))
		return
	case Malformed:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keys":[{"kty":"EC",`))
		return
	}
	body, etag, cc, err := h.render()
	if err != nil {
		http.Error(w, "key set unavailable", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd["Etag"] = []string{etag}
	hd["Cache-Control"] = []string{cc}
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd["Content-Type"] = []string{"application/json"}
	hd["Content-Length"] = []string{strconv.Itoa(len(body))}
	_, _ = w.Write(body)
}

// render returns the served body, its ETag and Cache-Control value,
// rendering again only when the published keys changed.
func (h *Handler) render() (body []byte, etag, cacheControl string, err error) {
	h.mu.RLock()
	source, gen := h.source, h.gen
	h.mu.RUnlock()
	ks, err := source()
	if err != nil {
		return nil, "", "", err
	}
	var kb strings.Builder
	kb.WriteString(strconv.FormatUint(gen, 10))
	for _, k := range ks {
		kb.WriteString("|" + k.ID() + "/" + k.Alg())
	}
	key := kb.String()
	h.cacheMu.Lock()
	defer h.cacheMu.Unlock()
	if key == h.cacheKey && h.cacheBody != nil {
		return h.cacheBody, h.cacheETag, h.cacheAge, nil
	}
	body, err = h.Body()
	if err != nil {
		return nil, "", "", err
	}
	sum := sha256.Sum256(body)
	h.cacheKey, h.cacheBody = key, body
	h.cacheETag = `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
	h.cacheAge = "public, max-age=" + strconv.Itoa(int(h.maxAge/time.Second))
	return h.cacheBody, h.cacheETag, h.cacheAge, nil
}

// Parse decodes a served JWK Set (public keys only are expected).
func Parse(b []byte) (jose.JSONWebKeySet, error) {
	var set jose.JSONWebKeySet
	err := json.Unmarshal(b, &set)
	return set, err
}
