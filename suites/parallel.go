package suites

import (
	"context"
	"sync"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/suites/check"
)

// Outcome is one check's result in a batch, with how long it ran.
type Outcome struct {
	Result   check.Result
	Duration time.Duration
}

// Batch runs a list of checks ahead of the specs that report them, on a
// bounded pool of workers. Checks are started in list order. A check whose
// Serial is set waits until every running check has ended and runs alone;
// the others run beside each other, up to the pool size. So a serial check
// sees the target as a sequential run leaves it, and the checks between two
// serial ones are only reordered among themselves. Each check gets its own
// deadline (the per-check timeout) and its own positive controls, as in a
// sequential run. With one worker the checks run strictly one after
// another, in order. A check marked Spare that gets a spare client of its
// own (check.Spares; not on a virtual clock) runs beside the others,
// serial ones included, although Serial is set, and takes no worker: the
// rotation scenarios then wait on the target's key cache side by side.
type Batch struct {
	e        *check.Env
	checks   []check.Check
	workers  int
	perCheck time.Duration
	ctx      context.Context

	once    sync.Once
	cancel  context.CancelFunc
	ended   chan struct{} // closed when the scheduler has returned
	done    []chan struct{}
	started []chan struct{}
	out     []Outcome
}

// NewBatch prepares checks to run against e on workers goroutines (at
// least one), each bounded by perCheck (none when zero). Nothing runs until
// Start or the first Wait; ctx ends the whole batch (an interrupt).
func NewBatch(ctx context.Context, e *check.Env, checks []check.Check, workers int, perCheck time.Duration) *Batch {
	b := &Batch{e: e, checks: checks, workers: max(workers, 1), perCheck: perCheck, ctx: ctx,
		ended: make(chan struct{}), done: make([]chan struct{}, len(checks)), started: make([]chan struct{}, len(checks)),
		out: make([]Outcome, len(checks))}
	for i := range b.done {
		b.done[i], b.started[i] = make(chan struct{}), make(chan struct{})
	}
	return b
}

// Start starts the batch once; later calls do nothing.
func (b *Batch) Start() {
	b.once.Do(func() {
		ctx, cancel := context.WithCancel(b.ctx)
		b.cancel = cancel
		go b.schedule(ctx)
	})
}

// Wait starts the batch if needed and returns check i's outcome once it has
// run; ok is false when ctx ended first.
func (b *Batch) Wait(ctx context.Context, i int) (Outcome, bool) {
	b.Start()
	select {
	case <-b.done[i]:
		return b.out[i], true
	case <-ctx.Done():
		return Outcome{}, false
	}
}

// Started is closed when check i starts (or is reported without running,
// after an interrupt). A spec bounds its wait from then on: the checks
// before it in the batch, a serial rotation scenario waiting on a target's
// key cache say, are not its time.
func (b *Batch) Started(i int) <-chan struct{} {
	b.Start()
	return b.started[i]
}

// Stop ends the batch: checks still running see their context cancelled,
// and none starts after Stop returns. It waits for the running ones to
// end, so that no request is sent after a run's reports are written.
func (b *Batch) Stop() {
	b.once.Do(func() { close(b.ended) }) // never started: nothing to stop
	if b.cancel != nil {
		b.cancel()
	}
	<-b.ended
}

func (b *Batch) schedule(ctx context.Context) {
	defer close(b.ended)
	slots := make(chan struct{}, b.workers)
	var running sync.WaitGroup
	defer running.Wait()
	// On a spare client of its own a check shares no state with any other:
	// it runs beside them, serial ones included, and takes no worker,
	// since it mostly waits on the target's key cache.
	var onSpares sync.WaitGroup
	defer onSpares.Wait()
	for i, c := range b.checks {
		if p, ok := b.spare(ctx, c); ok {
			onSpares.Add(1)
			go func(i int) {
				defer onSpares.Done()
				defer b.e.Spares.Put(p)
				b.runWith(ctx, i, b.e.OnSpare(p, c.Spare))
			}(i)
			continue
		}
		if c.Serial != "" {
			running.Wait()
			b.run(ctx, i)
			continue
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			// Interrupted: what is left is reported without sending.
			b.run(ctx, i)
			continue
		}
		running.Add(1)
		go func(i int) {
			defer running.Done()
			defer func() { <-slots }()
			b.run(ctx, i)
		}(i)
	}
}

// spare hands check c a spare client of its own (check.Check.Spare) when
// the run is parallel, in real time, and has one free that can stand in
// for the client c names: a spare is modelled on client A, so it stands
// in for B only where B signs as A does.
func (b *Batch) spare(ctx context.Context, c check.Check) (mockidp.Party, bool) {
	if c.Spare == "" || b.workers < 2 || b.e.VirtualTime || !c.AppliesTo(b.e.Profile) || ctx.Err() != nil {
		return mockidp.Party{}, false
	}
	if B := b.e.Cast.B; c.Spare == "B" && (B.Name == "" || B.SigningAlg != b.e.Cast.A.SigningAlg || check.DefaultAlg(B) != check.DefaultAlg(b.e.Cast.A)) {
		return mockidp.Party{}, false
	}
	return b.e.Spares.Take()
}

// run runs check i with its own deadline and stores its outcome.
func (b *Batch) run(ctx context.Context, i int) { b.runWith(ctx, i, b.e) }

// runWith is run against e.
func (b *Batch) runWith(ctx context.Context, i int, e *check.Env) {
	close(b.started[i])
	defer close(b.done[i])
	if b.perCheck > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, b.perCheck)
		defer cancel()
	}
	b.out[i] = RunTimed(ctx, e, b.checks[i])
}

// RunTimed runs c as a spec does: N/A when it does not apply under the
// Env's profile, else Run, timed on the Env's stopwatch.
func RunTimed(ctx context.Context, e *check.Env, c check.Check) Outcome {
	start := e.Clock()
	var r check.Result
	if !c.AppliesTo(e.Profile) {
		r = check.NA("does not apply under profile " + string(e.Profile))
	} else {
		r = Run(ctx, e, c)
	}
	return Outcome{Result: r, Duration: e.HTTP.Since(start)}
}
