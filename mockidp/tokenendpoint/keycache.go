package tokenendpoint

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// keyCache fetches and caches JWK Sets by URL (OIDC Core §10.1.1): entries
// live for ttl; an unknown kid forces a refetch, at most once per
// minRefetch, so a flood of unknown kids cannot amplify into fetches.
type keyCache struct {
	// keepSymmetric keeps oct keys (defect.AcceptSymmetricJWK).
	keepSymmetric bool
	http          *http.Client
	clock         func() time.Time
	ttl           time.Duration
	minRefetch    time.Duration

	mu       sync.Mutex
	entries  map[string]*keyEntry
	fetching map[string]*sync.Mutex // held while a URL is being fetched
}

type keyEntry struct {
	keys    []jose.JSONWebKey
	fetched time.Time
}

func newKeyCache(hc *http.Client, clock func() time.Time, ttl time.Duration) *keyCache {
	return &keyCache{http: hc, clock: clock, ttl: ttl, minRefetch: time.Second, entries: map[string]*keyEntry{}, fetching: map[string]*sync.Mutex{}}
}

// get returns the keys at url; with refresh it refetches unless the cached
// copy is younger than minRefetch.
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
		if e != nil {
			return e.keys, nil // keep working with cached keys when the jwks_uri fails
		}
		return nil, err
	}
	c.mu.Lock()
	c.entries[url] = &keyEntry{keys: ks, fetched: now}
	c.mu.Unlock()
	return ks, nil
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
	return e.keys, age < c.ttl && (!refresh || age < c.minRefetch)
}

func (c *keyCache) fetch(ctx context.Context, url string) ([]jose.JSONWebKey, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
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
		return nil, fmt.Errorf("fetch jwks %s: status %d", url, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", url, err)
	}
	return parseKeySet(b, c.keepSymmetric)
}

// parseKeySet keeps each usable public key and drops the rest: private or
// symmetric keys (OIDC Registration §2) and keys go-jose refuses.
func parseKeySet(b []byte, keepSymmetric bool) ([]jose.JSONWebKey, error) {
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
			continue
		}
		out = append(out, k)
	}
	return out, nil
}
