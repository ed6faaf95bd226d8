package check

import (
	"sync"

	"github.com/assayhq/assay/mockidp"
)

// Spares are the spare clients of a run (mockidp.Cast.Spares): registered
// like client A, each with a key set of its own. A check marked Spare
// runs on one of them, standing in for client A or B, when a parallel run
// can give it one, so that the rotation scenarios and the rows that
// publish keys in a client's set change and break only their own
// client's key set and wait on the target's key cache side by side
// instead of one after another (a key cache is per jwks_uri, OIDC Core
// §10.1.1). It is safe for concurrent use.
type Spares struct {
	mu   sync.Mutex
	free []mockidp.Party
}

// NewSpares holds ps, all free.
func NewSpares(ps ...mockidp.Party) *Spares {
	return &Spares{free: append([]mockidp.Party(nil), ps...)}
}

// Take hands out a free spare client; ok is false when none is free.
func (s *Spares) Take() (p mockidp.Party, ok bool) {
	if s == nil {
		return p, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.free) == 0 {
		return p, false
	}
	p, s.free = s.free[0], s.free[1:]
	return p, true
}

// Put gives back a client Take handed out.
func (s *Spares) Put(p mockidp.Party) {
	s.mu.Lock()
	s.free = append(s.free, p)
	s.mu.Unlock()
}

// Len is how many spare clients are free.
func (s *Spares) Len() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.free)
}

// OnSpare is a copy of e whose client as ("A" or "B") is spare p: what a
// check marked Spare runs with. Everything else (the HTTP client, the
// latency baseline) is shared with e, and its gates are e's: a positive
// control is run as e's client A, never as the spare.
func (e *Env) OnSpare(p mockidp.Party, as string) *Env {
	c := *e
	if as == "B" {
		c.Cast.B = p
	} else {
		c.Cast.A = p
	}
	c.base = e
	return &c
}

// OnSpareClient reports whether e is an OnSpare copy: one of its
// clients is a spare client.
func (e *Env) OnSpareClient() bool { return e.base != nil }
