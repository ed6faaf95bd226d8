package tokenendpoint

import (
	"sync"
	"time"
)

// replayStore remembers used jti values until their assertion expires
// (RFC 7523 §3 item 7; OIDC Core §9 "MUST only be used once"). use is
// atomic: of concurrent requests with one jti, exactly one wins.
type replayStore struct {
	clock func() time.Time
	// racy splits the check from the insert (defect.NonAtomicReplay): the
	// "replay consumption is not atomic" bug of catalog B-CLM-13.
	racy bool

	mu      sync.Mutex
	seen    map[string]time.Time
	inserts int
}

func newReplayStore(clock func() time.Time) *replayStore {
	return &replayStore{clock: clock, seen: map[string]time.Time{}}
}

// use records key until expiry and reports whether it was unused.
func (r *replayStore) use(key string, expiry time.Time) bool {
	now := r.clock()
	if r.racy {
		r.mu.Lock()
		exp, ok := r.seen[key]
		r.mu.Unlock()
		if ok && now.Before(exp) {
			return false
		}
		time.Sleep(20 * time.Millisecond) // the store round trip the check races with
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if exp, ok := r.seen[key]; ok && now.Before(exp) && !r.racy {
		return false
	}
	r.seen[key] = expiry
	r.inserts++
	if r.inserts%1024 == 0 {
		for k, exp := range r.seen {
			if !now.Before(exp) {
				delete(r.seen, k)
			}
		}
	}
	return true
}
