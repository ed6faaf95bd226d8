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
	// pause waits between the racy store's check and its insert.
	pause func(time.Duration)

	mu      sync.Mutex
	seen    map[string]time.Time
	inserts int
}

// raceWindow is how long the racy store takes from its check to its
// insert: a read and a write round trip to a shared store, as in the
// servers B-CLM-13 was found in (10-20 ms under load). Requests whose
// check falls inside the window all see the jti unused.
const raceWindow = 15 * time.Millisecond

func newReplayStore(clock func() time.Time) *replayStore {
	return &replayStore{clock: clock, pause: time.Sleep, seen: map[string]time.Time{}}
}

// use records key until expiry and reports whether it was unused.
func (r *replayStore) use(key string, expiry time.Time) bool {
	if r.racy {
		return r.useRacy(key, expiry)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// The check, the insert and the pruning below see one clock reading
	// taken under the lock: a request that waited for the lock past its
	// assertion's expiry cannot find its jti pruned and be accepted again.
	now := r.clock()
	if !r.unused(key, expiry, now) {
		return false
	}
	r.insert(key, expiry, now)
	return true
}

// useRacy is use with the check and the insert in two critical sections
// raceWindow apart (defect.NonAtomicReplay).
func (r *replayStore) useRacy(key string, expiry time.Time) bool {
	r.mu.Lock()
	ok := r.unused(key, expiry, r.clock())
	r.mu.Unlock()
	if !ok {
		return false
	}
	r.pause(raceWindow)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.insert(key, expiry, r.clock())
	return true
}

// unused reports whether key may be accepted at now; r.mu is held.
func (r *replayStore) unused(key string, expiry, now time.Time) bool {
	if !now.Before(expiry) {
		return false
	}
	exp, ok := r.seen[key]
	return !ok || !now.Before(exp)
}

// insert records key until expiry and sweeps expired keys every 1024
// inserts, so that the map stays bounded; r.mu is held.
func (r *replayStore) insert(key string, expiry, now time.Time) {
	r.seen[key] = expiry
	r.inserts++
	if r.inserts%1024 == 0 {
		for k, exp := range r.seen {
			if !now.Before(exp) {
				delete(r.seen, k)
			}
		}
	}
}
