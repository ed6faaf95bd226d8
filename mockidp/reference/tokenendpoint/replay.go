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
	written map[string]time.Time // racy only: when each key was first written
	inserts int
}

// replicaLag is how stale the racy store's reads are.
const replicaLag = 2 * time.Second

func newReplayStore(clock func() time.Time) *replayStore {
	return &replayStore{clock: clock, seen: map[string]time.Time{}}
}

// use records key until expiry and reports whether it was unused.
func (r *replayStore) use(key string, expiry time.Time) bool {
	now := r.clock()
	if r.racy {
		// The check reads a replica that lags the writes by replicaLag, as a
		// cache in front of a shared store does: requests that arrive
		// within the lag all see the jti unused. A lag rather than a sleep
		// keeps the race certain on a loaded machine.
		r.mu.Lock()
		at, ok := r.written[key]
		r.mu.Unlock()
		if ok && now.Sub(at) >= replicaLag {
			return false
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// The check, the insert and the pruning below see one clock reading
	// taken under the lock: a request that waited for the lock past its
	// assertion's expiry cannot find its jti pruned and be accepted again.
	now = r.clock()
	if !now.Before(expiry) {
		return false
	}
	if exp, ok := r.seen[key]; ok && now.Before(exp) && !r.racy {
		return false
	}
	r.seen[key] = expiry
	if r.racy {
		if r.written == nil {
			r.written = map[string]time.Time{}
		}
		if _, ok := r.written[key]; !ok {
			r.written[key] = now
		}
	}
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
