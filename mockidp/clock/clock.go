// Package clock is the virtual clock that the harness and the in-process
// reference share: real time plus an offset that waits move forward. A
// check that waits out a key cache or a token lifetime advances it, and
// both sides see that much time pass at once, so the wait costs no wall
// time while the scenario and its verdict stay what they are against an
// external target, which waits in real time.
//
// Durations measured on it (Since) are real time plus any advance made
// meanwhile, so a wait or a stalled fetch inside an exchange shows in its
// duration as it would in real time. Only one clock is shared per target:
// every party that judges time (assertion lifetimes, key cache ages,
// throttles, timeouts) must read the same one.
package clock

import (
	"context"
	"sync/atomic"
	"time"
)

// Virtual is real time plus an offset that Advance and Sleep move forward.
// It is safe for concurrent use.
type Virtual struct {
	base func() time.Time
	off  atomic.Int64
}

// New returns a virtual clock that starts at base() (the caller's real
// clock, time.Now in a command).
func New(base func() time.Time) *Virtual { return &Virtual{base: base} }

// Now is the virtual time.
func (c *Virtual) Now() time.Time { return c.base().Add(time.Duration(c.off.Load())) }

// Since is the virtual time elapsed since t.
func (c *Virtual) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// Advance moves the clock d forward at once; d <= 0 does nothing. It is
// the shape of a server's pause (func(time.Duration)): the mock IdP's
// jwks_uri delay knob, a reference defect that sleeps.
func (c *Virtual) Advance(d time.Duration) {
	if d > 0 {
		c.off.Add(int64(d))
	}
}

// Sleep is Advance for a check that waits (check.Env.Sleep): it returns
// ctx's error instead when ctx has already ended.
func (c *Virtual) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// Advanced is how far the clock has been moved in all: the wall time the
// waits would have cost.
func (c *Virtual) Advanced() time.Duration { return time.Duration(c.off.Load()) }
