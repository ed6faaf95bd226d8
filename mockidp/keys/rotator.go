package keys

import (
	"fmt"
	"sync"
	"time"
)

// Schedule says when keys rotate. A zero Period never rotates.
type Schedule struct {
	Period  time.Duration // how long each key is current
	Overlap time.Duration // how long before it becomes current a key is pre-published
	Retire  time.Duration // how long after it stops being current a key stays published
}

// Rotator yields the current, next and retired keys of a rotating key set,
// driven by an injected clock (OIDC Core §10.1.1: pre-publish new keys, keep
// decommissioned ones for a while).
type Rotator struct {
	start time.Time
	sched Schedule
	clock func() time.Time
	gen   func(generation int) (Key, error)

	mu     sync.Mutex
	forced int
	cache  map[int]Key
}

// NewRotator starts a rotation at start. gen makes the key of a generation;
// it is called once per generation.
func NewRotator(start time.Time, sched Schedule, clock func() time.Time, gen func(generation int) (Key, error)) *Rotator {
	return &Rotator{start: start, sched: sched, clock: clock, gen: gen, cache: map[int]Key{}}
}

func (r *Rotator) generation(now time.Time) (gen int, sinceStart time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sched.Period <= 0 {
		return r.forced, 0
	}
	d := now.Sub(r.start)
	if d < 0 {
		d = 0
	}
	return int(d/r.sched.Period) + r.forced, d % r.sched.Period
}

func (r *Rotator) key(g int) (Key, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if k, ok := r.cache[g]; ok {
		return k, nil
	}
	k, err := r.gen(g)
	if err != nil {
		return Key{}, fmt.Errorf("make key generation %d: %w", g, err)
	}
	r.cache[g] = k
	return k, nil
}

// Current is the key to sign with now.
func (r *Rotator) Current() (Key, error) {
	g, _ := r.generation(r.clock())
	return r.key(g)
}

// Published is the set to publish now: the current key, the next one when it
// is within Overlap of becoming current, and the previous one while it is
// within Retire of having been retired.
func (r *Rotator) Published() (Set, error) {
	g, into := r.generation(r.clock())
	cur, err := r.key(g)
	if err != nil {
		return nil, err
	}
	out := Set{cur}
	if r.sched.Period > 0 && r.sched.Overlap > 0 && r.sched.Period-into <= r.sched.Overlap {
		next, err := r.key(g + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, next)
	}
	if g > 0 && r.sched.Retire > 0 && into < r.sched.Retire {
		prev, err := r.key(g - 1)
		if err != nil {
			return nil, err
		}
		out = append(out, prev)
	}
	return out, nil
}

// RotateNow advances the rotation by one generation immediately.
func (r *Rotator) RotateNow() {
	r.mu.Lock()
	r.forced++
	r.mu.Unlock()
}

// Generation is the generation of the current key.
func (r *Rotator) Generation() int {
	g, _ := r.generation(r.clock())
	return g
}

// Key returns the key of generation g, current, published or long retired:
// the harness signs with retired keys on purpose.
func (r *Rotator) Key(g int) (Key, error) { return r.key(g) }
