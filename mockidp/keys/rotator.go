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

	mu       sync.Mutex
	forced   int
	forcedAt time.Time // when RotateNow last ran
	cache    map[int]Key
}

// NewRotator starts a rotation at start. gen makes the key of a generation;
// it is called once per generation.
func NewRotator(start time.Time, sched Schedule, clock func() time.Time, gen func(generation int) (Key, error)) *Rotator {
	return &Rotator{start: start, sched: sched, clock: clock, gen: gen, cache: map[int]Key{}}
}

// generation returns the current generation, how far into its scheduled
// period now is, and how long the current key has been current (shorter
// than into after RotateNow).
func (r *Rotator) generation(now time.Time) (gen int, into, current time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	forced := time.Duration(-1)
	if !r.forcedAt.IsZero() {
		forced = max(now.Sub(r.forcedAt), 0)
	}
	if r.sched.Period <= 0 {
		return r.forced, 0, forced
	}
	d := now.Sub(r.start)
	if d < 0 {
		d = 0
	}
	into = d % r.sched.Period
	current = into
	if forced >= 0 && forced < into {
		current = forced
	}
	return int(d/r.sched.Period) + r.forced, into, current
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
	g, _, _ := r.generation(r.clock())
	return r.key(g)
}

// Published is the set to publish now: the current key, the next one when it
// is within Overlap of becoming current, and the previous one while it is
// within Retire of having been retired.
func (r *Rotator) Published() (Set, error) {
	g, into, current := r.generation(r.clock())
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
	if g > 0 && r.sched.Retire > 0 && current >= 0 && current < r.sched.Retire {
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
	now := r.clock()
	r.mu.Lock()
	r.forced++
	r.forcedAt = now
	r.mu.Unlock()
}

// Generation is the generation of the current key.
func (r *Rotator) Generation() int {
	g, _, _ := r.generation(r.clock())
	return g
}

// Key returns the key of generation g, current, published or long retired:
// the harness signs with retired keys on purpose.
func (r *Rotator) Key(g int) (Key, error) { return r.key(g) }
