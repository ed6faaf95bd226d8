package keys_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/keys"
)

// fakeClock is a settable clock for the rotator.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// genCounter makes generation N's key as the fixture key with kid "genN"
// and counts calls per generation.
type genCounter struct {
	mu    sync.Mutex
	calls map[int]int
	fail  int // generation that fails, -1 for none
}

func newGen() *genCounter { return &genCounter{calls: map[int]int{}, fail: -1} }

func (g *genCounter) gen(n int) (keys.Key, error) {
	g.mu.Lock()
	g.calls[n]++
	g.mu.Unlock()
	if n == g.fail {
		return keys.Key{}, errors.New("no entropy")
	}
	return keys.MustFixture("client-a.es256").With(fmt.Sprintf("gen%d", n), "ES256"), nil
}

func kids(s keys.Set) string {
	var out []string
	for _, k := range s {
		out = append(out, k.ID())
	}
	return strings.Join(out, ",")
}

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestRotatorSchedule(t *testing.T) {
	sched := keys.Schedule{Period: time.Hour, Overlap: 10 * time.Minute, Retire: 15 * time.Minute}
	tests := []struct {
		at        time.Duration
		current   string
		published string
	}{
		{-5 * time.Minute, "gen0", "gen0"}, // before the start: the first generation
		{0, "gen0", "gen0"},
		{49*time.Minute + 59*time.Second, "gen0", "gen0"},
		{50 * time.Minute, "gen0", "gen0,gen1"}, // pre-published within Overlap
		{59*time.Minute + 59*time.Second, "gen0", "gen0,gen1"},
		{60 * time.Minute, "gen1", "gen1,gen0"}, // rotated; gen0 retired but still published
		{74*time.Minute + 59*time.Second, "gen1", "gen1,gen0"},
		{75 * time.Minute, "gen1", "gen1"}, // gen0 gone after Retire
		{110 * time.Minute, "gen1", "gen1,gen2"},
		{120 * time.Minute, "gen2", "gen2,gen1"},
		{10*time.Hour + 5*time.Minute, "gen10", "gen10,gen9"},
	}
	clk := &fakeClock{}
	g := newGen()
	r := keys.NewRotator(t0, sched, clk.Now, g.gen)
	for _, tt := range tests {
		clk.Set(t0.Add(tt.at))
		cur, err := r.Current()
		if err != nil {
			t.Fatalf("at %v: Current: %v", tt.at, err)
		}
		pub, err := r.Published()
		if err != nil {
			t.Fatalf("at %v: Published: %v", tt.at, err)
		}
		if cur.ID() != tt.current || kids(pub) != tt.published {
			t.Errorf("at %v: current %s published %s, want %s and %s", tt.at, cur.ID(), kids(pub), tt.current, tt.published)
		}
	}
	for n, c := range g.calls {
		if c != 1 {
			t.Errorf("generation %d made %d times, want once", n, c)
		}
	}
}

func TestRotatorZeroScheduleNeverRotates(t *testing.T) {
	clk := &fakeClock{now: t0}
	r := keys.NewRotator(t0, keys.Schedule{}, clk.Now, newGen().gen)
	for _, at := range []time.Duration{0, time.Hour, 1000 * time.Hour} {
		clk.Set(t0.Add(at))
		pub, err := r.Published()
		if err != nil || kids(pub) != "gen0" {
			t.Errorf("at %v: published %s (%v), want gen0", at, kids(pub), err)
		}
	}
}

// TestRotatorRotateNow: a forced rotation makes the next generation current
// at once, and the key it replaced stays published for Retire after it
// stopped being current (OIDC Core §10.1.1), however far into the period
// the rotation happened and whether or not the schedule rotates by itself.
func TestRotatorRotateNow(t *testing.T) {
	tests := []struct {
		name  string
		sched keys.Schedule
		at    time.Duration // when RotateNow is called
	}{
		{"no period", keys.Schedule{Retire: 15 * time.Minute}, 20 * time.Minute},
		{"early in a period", keys.Schedule{Period: time.Hour, Retire: 15 * time.Minute}, 5 * time.Minute},
		{"late in a period", keys.Schedule{Period: time.Hour, Retire: 15 * time.Minute}, 30 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &fakeClock{now: t0.Add(tt.at)}
			r := keys.NewRotator(t0, tt.sched, clk.Now, newGen().gen)
			if cur, _ := r.Current(); cur.ID() != "gen0" {
				t.Fatalf("current %s before RotateNow", cur.ID())
			}
			r.RotateNow()
			steps := []struct {
				after     time.Duration
				published string
			}{
				{0, "gen1,gen0"},
				{tt.sched.Retire - time.Second, "gen1,gen0"},
				{tt.sched.Retire, "gen1"},
			}
			for _, s := range steps {
				clk.Set(t0.Add(tt.at + s.after))
				cur, err := r.Current()
				if err != nil {
					t.Fatal(err)
				}
				pub, err := r.Published()
				if err != nil {
					t.Fatal(err)
				}
				if cur.ID() != "gen1" || kids(pub) != s.published {
					t.Errorf("%v after RotateNow: current %s published %s, want gen1 and %s", s.after, cur.ID(), kids(pub), s.published)
				}
			}
		})
	}
}

func TestRotatorGenerationError(t *testing.T) {
	clk := &fakeClock{now: t0.Add(55 * time.Minute)}
	g := newGen()
	g.fail = 1
	r := keys.NewRotator(t0, keys.Schedule{Period: time.Hour, Overlap: 10 * time.Minute}, clk.Now, g.gen)
	if _, err := r.Current(); err != nil {
		t.Fatalf("Current: %v", err)
	}
	_, err := r.Published()
	if err == nil || !strings.Contains(err.Error(), "generation 1") {
		t.Fatalf("Published error = %v, want one naming generation 1", err)
	}
	// A failed generation is not cached: the next call tries again.
	_, _ = r.Published()
	if g.calls[1] != 2 {
		t.Errorf("generation 1 tried %d times, want 2", g.calls[1])
	}
}

func TestRotatorConcurrent(t *testing.T) {
	clk := &fakeClock{now: t0}
	g := newGen()
	r := keys.NewRotator(t0, keys.Schedule{Period: time.Minute, Overlap: 10 * time.Second, Retire: 10 * time.Second}, clk.Now, g.gen)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				if i == 0 && j%10 == 0 {
					r.RotateNow()
				}
				if _, err := r.Published(); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	var gens []int
	for n, c := range g.calls {
		if c != 1 {
			t.Errorf("generation %d made %d times", n, c)
		}
		gens = append(gens, n)
	}
	slices.Sort(gens)
	if len(gens) == 0 || gens[len(gens)-1] > 6 {
		t.Errorf("generations %v", gens)
	}
}
