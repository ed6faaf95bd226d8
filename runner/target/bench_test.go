package target

import (
	"context"
	"testing"
	"time"
)

// BenchmarkContainerReady measures a container target from Start to ready
// (budget: 3 s, so that a container target costs little more than a
// process): a FROM scratch image already built, one published port,
// readiness by HTTP probe, then Stop. The image build is outside the timed
// loop, as it is cached across runs.
func BenchmarkContainerReady(b *testing.B) {
	needDocker(b)
	build := fakeserverContext(b)
	label := runLabel(b)
	spec := ContainerSpec{
		Ports:        []string{"8080/tcp"},
		Cmd:          []string{"-addr", ":8080"},
		Labels:       map[string]string{testLabel: label},
		Ready:        ReadyProbe{URL: "/health", Timeout: 60 * time.Second, Interval: 20 * time.Millisecond},
		IssuerScheme: "http",
		StopGrace:    time.Second,
	}
	warm := spec
	warm.Build = build
	tg := Container(warm)
	if _, err := tg.Start(context.Background()); err != nil {
		b.Fatalf("build and start: %v", err)
	}
	_ = tg.Stop(context.Background())
	spec.Image = build.Repo + ":" + build.Tag
	var ready time.Duration
	b.ResetTimer()
	for b.Loop() {
		tg := Container(spec)
		start := time.Now()
		if _, err := tg.Start(context.Background()); err != nil {
			b.Fatalf("start: %v", err)
		}
		ready += time.Since(start)
		b.StopTimer()
		_ = tg.Stop(context.Background())
		b.StartTimer()
	}
	b.ReportMetric(float64(ready.Milliseconds())/float64(b.N), "ms/ready")
}
