package clock_test

import (
	"context"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/clock"
)

func TestVirtual(t *testing.T) {
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	wall := base
	c := clock.New(func() time.Time { return wall })
	if got := c.Now(); !got.Equal(base) {
		t.Fatalf("Now = %s, want %s", got, base)
	}
	start := c.Now()
	c.Advance(5 * time.Minute)
	c.Advance(-time.Hour) // ignored: the clock never goes back
	if err := c.Sleep(context.Background(), time.Second); err != nil {
		t.Fatal(err)
	}
	wall = wall.Add(10 * time.Millisecond) // real time passes too
	if got, want := c.Since(start), 5*time.Minute+time.Second+10*time.Millisecond; got != want {
		t.Errorf("Since = %s, want %s", got, want)
	}
	if got, want := c.Advanced(), 5*time.Minute+time.Second; got != want {
		t.Errorf("Advanced = %s, want %s", got, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ctx, time.Hour); err != context.Canceled {
		t.Errorf("Sleep after cancel = %v, want context.Canceled", err)
	}
	if got, want := c.Advanced(), 5*time.Minute+time.Second; got != want {
		t.Errorf("a cancelled Sleep advanced the clock: Advanced = %s, want %s", got, want)
	}
}
