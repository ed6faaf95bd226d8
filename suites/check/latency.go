package check

import (
	"sort"
	"sync"
	"time"
)

// Baseline keeps the latencies of successful positive controls per carrier,
// so that a negative row can be held to U7 (catalog.md §0.3: no slowdown
// from the input): slower than the control median plus Slack is a warning.
type Baseline struct {
	mu      sync.Mutex
	samples map[Carrier][]time.Duration
}

// Slack is how much slower than the control median a negative row may be.
const Slack = time.Second

// Add records one control latency.
func (b *Baseline) Add(c Carrier, d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.samples == nil {
		b.samples = map[Carrier][]time.Duration{}
	}
	b.samples[c] = append(b.samples[c], d)
}

// Count is how many samples carrier c has.
func (b *Baseline) Count(c Carrier) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.samples[c])
}

// Window is how many recent controls the median covers: a loaded machine
// slows controls and rows alike, so old samples would make rows look slow.
const Window = 5

// Median is the median of the last Window control latencies of carrier c;
// ok is false without samples.
func (b *Baseline) Median(c Carrier) (time.Duration, bool) {
	b.mu.Lock()
	s := b.samples[c]
	if len(s) > Window {
		s = s[len(s)-Window:]
	}
	s = append([]time.Duration(nil), s...)
	b.mu.Unlock()
	if len(s) == 0 {
		return 0, false
	}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2], true
}

// TooSlow reports whether d breaks U7 for carrier c.
func (b *Baseline) TooSlow(c Carrier, d time.Duration) (limit time.Duration, slow bool) {
	m, ok := b.Median(c)
	if !ok {
		return 0, false
	}
	return m + Slack, d > m+Slack
}
