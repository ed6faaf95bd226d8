package tokenendpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/defect"
)

// keyCache fetches and caches JWK Sets by URL (OIDC Core §10.1.1): entries
// live for ttl; an unknown kid forces a refetch, at most once per
// minRefetch, so a flood of unknown kids cannot amplify into fetches. A
// failed fetch keeps the cached keys.
type keyCache struct {
	http         *http.Client
	clock        func() time.Time
	ttl          time.Duration
	minRefetch   time.Duration
	fetchTimeout time.Duration
	has          func(defect.Name) bool

	mu       sync.Mutex
	entries  map[string]*keyEntry
	fetching map[string]*sync.Mutex // held while a URL is being fetched
}

type keyEntry struct {
	keys    []jose.JSONWebKey
	fetched time.Time
}

// Fetch failures the rotation defects tell apart.
var (
	errJWKSStatus    = errors.New("jwks_uri answered an error status")
	errJWKSMalformed = errors.New("jwks_uri answered an unparsable key set")
)

func newKeyCache(hc *http.Client, clock func() time.Time, ttl, minRefetch, fetchTimeout time.Duration, has func(defect.Name) bool) *keyCache {
	return &keyCache{http: hc, clock: clock, ttl: ttl, minRefetch: minRefetch, fetchTimeout: fetchTimeout, has: has, entries: map[string]*keyEntry{}, fetching: map[string]*sync.Mutex{}}
}

// get returns the keys at url; with refresh it refetches unless the cached
// copy is younger than minRefetch. The error is the failed fetch, also when
// cached keys are returned with it.
func (c *keyCache) get(ctx context.Context, url string, refresh bool) ([]jose.JSONWebKey, error) {
	if ks, ok := c.cached(url, refresh); ok {
		return ks, nil
	}
	// One fetch per URL at a time: concurrent callers wait for it and then
	// find its result cached, so a burst of unknown kids (or a cold cache)
	// costs one fetch, not one per request.
	c.mu.Lock()
	fl := c.fetching[url]
	if fl == nil {
		fl = &sync.Mutex{}
		c.fetching[url] = fl
	}
	c.mu.Unlock()
	fl.Lock()
	defer fl.Unlock()
	if ks, ok := c.cached(url, refresh); ok {
		return ks, nil
	}
	now := c.clock()
	c.mu.Lock()
	e := c.entries[url]
	c.mu.Unlock()
	ks, err := c.fetch(ctx, url)
	if err != nil {
		if c.dropsOn(err) {
			c.mu.Lock()
			c.entries[url] = &keyEntry{fetched: now}
			c.mu.Unlock()
			return nil, err
		}
		if e != nil {
			return e.keys, err // keep working with cached keys when the jwks_uri fails
		}
		return nil, err
	}
	if e != nil && c.has(defect.MergeFetchedKeys) {
		ks = mergeKeys(ks, e.keys)
	}
	c.mu.Lock()
	c.entries[url] = &keyEntry{keys: ks, fetched: now}
	c.mu.Unlock()
	return ks, nil
}

// mergeKeys is defect.MergeFetchedKeys: a refetch adds the new set's keys
// to the old ones instead of replacing them, so a key removed from the
// client's JWKS is never forgotten.
func mergeKeys(fresh, old []jose.JSONWebKey) []jose.JSONWebKey {
	out := append([]jose.JSONWebKey(nil), fresh...)
	for _, o := range old {
		seen := false
		for _, f := range fresh {
			if f.KeyID == o.KeyID {
				seen = true
				break
			}
		}
		if !seen {
			out = append(out, o)
		}
	}
	return out
}

// cached returns the cached keys at url when they may be used without a
// fetch: younger than ttl, and with refresh younger than minRefetch.
func (c *keyCache) cached(url string, refresh bool) ([]jose.JSONWebKey, bool) {
	now := c.clock()
	c.mu.Lock()
	e := c.entries[url]
	c.mu.Unlock()
	if e == nil {
		return nil, false
	}
	age := now.Sub(e.fetched)
	fresh := age < c.ttl || c.has(defect.KeyCacheForever)
	throttled := age < c.minRefetch && !c.has(defect.RefetchUnbounded) && !c.has(defect.RefetchEveryKid)
	return e.keys, fresh && (!refresh || throttled)
}

// dropsOn reports whether a defect makes this fetch failure empty the cache.
func (c *keyCache) dropsOn(err error) bool {
	var ne net.Error
	timeout := errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
	return errors.Is(err, errJWKSStatus) && c.has(defect.JWKS5xxDropsKeys) ||
		errors.Is(err, errJWKSMalformed) && c.has(defect.JWKSMalformedDropsKeys) ||
		timeout && c.has(defect.JWKSStallDropsKeys)
}

// fetch GETs url within fetchTimeout. The timeout is measured twice: in
// real time (the request's context) and on the server's clock, so that on
// a virtual clock (package mockidp/clock) a stalled jwks_uri, whose delay
// advances that clock, times the fetch out without the wall time passing.
func (c *keyCache) fetch(ctx context.Context, url string) ([]jose.JSONWebKey, error) {
	ctx, cancel := context.WithTimeout(ctx, c.fetchTimeout)
	defer cancel()
	start := c.clock()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", url, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks %s: %w: %d", url, errJWKSStatus, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", url, err)
	}
	if took := c.clock().Sub(start); took > c.fetchTimeout {
		return nil, fmt.Errorf("fetch jwks %s: answered after %s, past the fetch timeout %s: %w", url, took, c.fetchTimeout, context.DeadlineExceeded)
	}
	ks, err := parseKeySet(b, c.has(defect.ClientJWKSSymmetricKeys) || c.has(defect.AcceptSymmetricJWK), c.has(defect.ClientJWKSPrivateKeys))
	if err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w: %w", url, errJWKSMalformed, err)
	}
	if c.has(defect.TextbookRSA) {
		ks = append(ks, anyExponentRSA(b)...)
	}
	if c.has(defect.GiantRSAKey) {
		ks = append(ks, giantRSAKeys(b)...)
	}
	return ks, nil
}

// parseKeySet keeps each usable public key and drops the rest: private or
// symmetric keys (OIDC Registration §2) and keys go-jose refuses. Under
// defects, oct keys stay (keepSymmetric) and private keys serve their
// public half (keepPrivate).
func parseKeySet(b []byte, keepSymmetric, keepPrivate bool) ([]jose.JSONWebKey, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("parse jwks: %w", err)
	}
	var out []jose.JSONWebKey
	for _, raw := range doc.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil {
			continue
		}
		if _, sym := k.Key.([]byte); sym {
			if keepSymmetric {
				out = append(out, k)
			}
			continue
		}
		if !k.IsPublic() {
			if keepPrivate {
				out = append(out, k.Public())
			}
			continue
		}
		out = append(out, k)
	}
	return out, nil
}
