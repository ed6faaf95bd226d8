package check

import (
	"context"
	"fmt"
	"time"

	"github.com/assayhq/assay/mockidp/client"
)

// Rotation declares how the target caches client keys, so that the rotation
// suite knows how long to wait (OIDC Core §10.1.1). Zero fields take the
// defaults of DefaultRotation.
//
// https://openid.net/specs/openid-connect-core-1_0.html#RotateSigKeys
type Rotation struct {
	// KeyCacheTTL is the longest the target keeps using a client JWKS it
	// fetched: a key removed from the set must be refused after it.
	KeyCacheTTL time.Duration
	// Margin is added to every wait on KeyCacheTTL.
	Margin time.Duration
	// RefetchMin is the least time the target leaves between two
	// unknown-kid refetches of one JWKS.
	RefetchMin time.Duration
	// Stall is how long the hosted JWKS stalls in the timeout scenario; it
	// should exceed the target's own fetch timeout.
	Stall time.Duration
	// MaxWait is the longest wait a check may make; a scenario that needs
	// more is N/A (or skips that step) and says how long it would take.
	// Raise it with the check timeout to test a long real TTL.
	MaxWait time.Duration
}

// DefaultRotation is what assay assumes of a target that declares nothing:
// a 5 min key cache, 5 s margin, 1 s between refetches, a 6 s stall, and
// waits of at most 20 s (within the default 30 s check timeout).
func DefaultRotation() Rotation {
	return Rotation{KeyCacheTTL: 5 * time.Minute, Margin: 5 * time.Second, RefetchMin: time.Second, Stall: 6 * time.Second, MaxWait: 20 * time.Second}
}

// WithDefaults fills zero fields from DefaultRotation.
func (r Rotation) WithDefaults() Rotation {
	d := DefaultRotation()
	if r.KeyCacheTTL <= 0 {
		r.KeyCacheTTL = d.KeyCacheTTL
	}
	if r.Margin <= 0 {
		r.Margin = d.Margin
	}
	if r.RefetchMin <= 0 {
		r.RefetchMin = d.RefetchMin
	}
	if r.Stall <= 0 {
		r.Stall = d.Stall
	}
	if r.MaxWait <= 0 {
		r.MaxWait = d.MaxWait
	}
	return r
}

// KnownKeyCache declares a key cache whose timings are known exactly, as
// the built-in reference reports its own: a margin of a quarter of the TTL
// on each wait, a stall twice the fetch timeout (so that a fetch surely
// times out), and waits of at most 5 s.
func KnownKeyCache(ttl, refetchMin, fetchTimeout time.Duration) Rotation {
	return Rotation{KeyCacheTTL: ttl, Margin: ttl / 4, RefetchMin: refetchMin, Stall: 2 * fetchTimeout, MaxWait: 5 * time.Second}
}

// Expiry is how long to wait for a cached key set to expire: TTL + margin.
func (r Rotation) Expiry() time.Duration { return r.KeyCacheTTL + r.Margin }

// Wait sleeps d through the Env's injected Sleep. It returns an error when
// the context ends first or when no Sleep was injected.
func (e *Env) Wait(ctx context.Context, d time.Duration) error {
	if e.Sleep == nil {
		return fmt.Errorf("wait %s: no Sleep injected into the Env", d)
	}
	return e.Sleep(ctx, d)
}

// Fits reports whether d of waiting is allowed: at most Rotation.MaxWait
// and, when ctx has a deadline, before it with a few seconds to spare.
func (e *Env) Fits(ctx context.Context, d time.Duration) bool {
	return d <= e.Rotation.MaxWait && e.Leaves(ctx, d)
}

// Leaves reports whether ctx's deadline leaves d of waiting with a few
// seconds to spare. A virtual wait (VirtualTime) costs no wall time, so
// any deadline leaves it.
func (e *Env) Leaves(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	if !ok || e.VirtualTime {
		return true
	}
	return e.Clock().Add(d + 2*time.Second).Before(dl)
}

// Converge sends until done says the target has caught up with a key set
// assay changed: at once, then after the declared unknown-kid refetch
// interval (the "one retry" of OIDC Core §10.1.1), then, with expire and
// when it fits the allowed wait, after the key-cache expiry. wait sleeps
// (a caller may count the time). It returns the last exchange and whether
// done held for it.
func (e *Env) Converge(ctx context.Context, expire bool, wait func(context.Context, time.Duration) error,
	send func(context.Context) (*client.Transcript, error), done func(*client.Transcript) bool) (*client.Transcript, bool, error) {
	waits := []time.Duration{0, e.Rotation.RefetchMin}
	if expire && e.Fits(ctx, e.Rotation.Expiry()) {
		waits = append(waits, e.Rotation.Expiry())
	}
	var tr *client.Transcript
	for _, d := range waits {
		if d > 0 {
			if err := wait(ctx, d); err != nil {
				return tr, false, err
			}
		}
		var err error
		if tr, err = send(ctx); err != nil {
			return tr, false, err
		}
		if done(tr) {
			return tr, true, nil
		}
	}
	return tr, false, nil
}
