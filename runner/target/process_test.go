package target

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeProcess returns a Process target running fakeserver on a free port,
// probed on its URL, with Stop registered as cleanup.
func fakeProcess(t *testing.T, ready ReadyProbe, args ...string) (Target, string) {
	t.Helper()
	return fakeProcessGrace(t, 2*time.Second, ready, args...)
}

// noGraceBound is how long a stop that skips the grace period may take
// here: far below the grace period the tests give (longGrace), so that a
// busy machine cannot fail them, and a stop that waited the grace out
// still does.
const (
	longGrace    = 10 * time.Minute
	noGraceBound = 2 * time.Minute
)

// fakeProcessGrace is fakeProcess with the given stop grace period.
func fakeProcessGrace(t *testing.T, grace time.Duration, ready ReadyProbe, args ...string) (Target, string) {
	t.Helper()
	port := freePort(t)
	url := "http://127.0.0.1:" + port
	if ready.URL == "-" {
		ready.URL = ""
	} else if ready.URL == "" {
		ready.URL = url + "/health"
	}
	if ready.Timeout == 0 {
		ready.Timeout = 10 * time.Second
	}
	tg := Process(ProcessSpec{
		Command:   append([]string{fakeserverBin, "-addr", "127.0.0.1:" + port}, args...),
		Ready:     ready,
		Endpoint:  Endpoint{Issuer: url, TokenEndpoint: url + "/token"},
		StopGrace: grace,
	})
	t.Cleanup(func() {
		if err := tg.Stop(context.Background()); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return tg, url
}

var pidLine = regexp.MustCompile(`(?m)^(?:fakeserver|child) pid (\d+)$`)

// pids returns the pids fakeserver and its child printed.
func pids(t *testing.T, logs []byte) []int {
	t.Helper()
	var out []int
	for _, m := range pidLine.FindAllSubmatch(logs, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		out = append(out, n)
	}
	if len(out) == 0 {
		t.Fatalf("no pid in output:\n%s", logs)
	}
	return out
}

// alive reports whether pid runs (a zombie counts as dead: it left behind
// no code that runs, only an entry for a parent that may never reap it).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// mustBeGone fails unless every pid is dead within two seconds.
func mustBeGone(t *testing.T, pids []int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for _, pid := range pids {
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Errorf("process %d still alive", pid)
				syscall.Kill(pid, syscall.SIGKILL)
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func TestProcessReadyOnURL(t *testing.T) {
	tg, url := fakeProcess(t, ReadyProbe{}, "-delay", "200ms")
	ep, err := tg.Start(t.Context())
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if ep.Issuer != url || ep.TokenEndpoint != url+"/token" || ep.HostGatewayAlias != "" {
		t.Errorf("Start returned %+v, want the spec's endpoint", ep)
	}
	resp, err := http.Get(ep.Issuer + "/x")
	if err != nil {
		t.Fatalf("GET issuer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET issuer: status %d", resp.StatusCode)
	}
	ps := pids(t, tg.Logs())
	if err := tg.Stop(t.Context()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	mustBeGone(t, ps)
	if err := tg.Stop(t.Context()); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if !bytes.Contains(tg.Logs(), []byte("listening on 127.0.0.1:")) {
		t.Errorf("Logs() lacks the listening line:\n%s", tg.Logs())
	}
}

func TestProcessReadyProbes(t *testing.T) {
	tests := []struct {
		name  string
		ready ReadyProbe
		args  []string
	}{
		{"log line", ReadyProbe{URL: "-", Log: "ready to serve"}, []string{"-ready-log", "ready to serve", "-delay", "100ms"}},
		{"log line and URL", ReadyProbe{Log: "ready to serve"}, []string{"-ready-log", "ready to serve"}},
		{"4xx counts as up", ReadyProbe{}, []string{"-status", "404"}},
		{"no probe", ReadyProbe{URL: "-"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tg, _ := fakeProcess(t, tt.ready, tt.args...)
			if _, err := tg.Start(t.Context()); err != nil {
				t.Fatalf("Start: %v", err)
			}
		})
	}
}

func TestProcessReadyOnPort(t *testing.T) {
	port := freePort(t)
	tg := Process(ProcessSpec{
		Command: []string{fakeserverBin, "-addr", "127.0.0.1:" + port, "-delay", "100ms"},
		Ready:   ReadyProbe{Port: port, Timeout: 10 * time.Second},
	})
	defer tg.Stop(context.Background())
	if _, err := tg.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
}

func TestProcessExitsEarly(t *testing.T) {
	tg, _ := fakeProcess(t, ReadyProbe{}, "-exit", "3")
	_, err := tg.Start(t.Context())
	if !errors.Is(err, ErrExited) {
		t.Fatalf("Start: got %v, want ErrExited", err)
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 3 {
		t.Errorf("Start: %v does not carry exit code 3", err)
	}
	said := err.Error() + "\n" + string(tg.Logs()) // the runner quotes the output's tail
	for _, want := range []string{"start process " + fakeserverBin, "exit status 3", "exiting with status 3 as asked"} {
		if !strings.Contains(said, want) {
			t.Errorf("error and logs lack %q:\n%s", want, said)
		}
	}
	if err := tg.Stop(t.Context()); err != nil {
		t.Errorf("Stop after failed Start: %v", err)
	}
}

func TestProcessNeverReady(t *testing.T) {
	tests := []struct {
		name string
		args []string
		why  string
	}{
		{"never listens", []string{"-never-ready", "-child"}, "connection refused"},
		{"answers 503", []string{"-status", "503", "-child"}, "status 503"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tg, _ := fakeProcess(t, ReadyProbe{Timeout: 700 * time.Millisecond}, tt.args...)
			_, err := tg.Start(t.Context())
			if !errors.Is(err, ErrNotReady) {
				t.Fatalf("Start: got %v, want ErrNotReady", err)
			}
			said := err.Error() + "\n" + string(tg.Logs())
			for _, want := range []string{"not ready after 700ms", tt.why, "child pid"} {
				if !strings.Contains(said, want) {
					t.Errorf("error and logs lack %q:\n%s", want, said)
				}
			}
			mustBeGone(t, pids(t, tg.Logs()))
		})
	}
}

func TestProcessNeverLogs(t *testing.T) {
	tg, _ := fakeProcess(t, ReadyProbe{URL: "-", Log: "never printed", Timeout: 300 * time.Millisecond})
	_, err := tg.Start(t.Context())
	if !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), `no output line contained "never printed"`) {
		t.Fatalf("Start: got %v, want ErrNotReady naming the log line", err)
	}
}

func TestProcessStopKillsGroup(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		grace    time.Duration
		minStop  time.Duration // SIGKILL comes only after the grace period
		maxStop  time.Duration // a hang bound, or (graceful) far below the grace
		graceful bool
	}{
		{"children die on SIGTERM", []string{"-child"}, longGrace, 0, noGraceBound, true},
		{"SIGTERM ignored, SIGKILL after grace", []string{"-child", "-ignore-term"}, 400 * time.Millisecond, 400 * time.Millisecond, noGraceBound, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			port := freePort(t)
			tg := Process(ProcessSpec{
				Command:   append([]string{fakeserverBin, "-addr", "127.0.0.1:" + port}, tt.args...),
				Ready:     ReadyProbe{URL: "http://127.0.0.1:" + port, Log: "child pid", Timeout: 10 * time.Second},
				StopGrace: tt.grace,
			})
			defer tg.Stop(context.Background())
			if _, err := tg.Start(t.Context()); err != nil {
				t.Fatalf("Start: %v", err)
			}
			ps := pids(t, tg.Logs())
			if len(ps) != 2 {
				t.Fatalf("want fakeserver and child pids, got %v", ps)
			}
			start := time.Now()
			if err := tg.Stop(t.Context()); err != nil {
				t.Fatalf("Stop: %v", err)
			}
			if d := time.Since(start); d < tt.minStop || d > tt.maxStop {
				t.Errorf("Stop took %s; want between %s and %s", d, tt.minStop, tt.maxStop)
			}
			mustBeGone(t, ps)
		})
	}
}

func TestProcessStopNowOnDoneContext(t *testing.T) {
	tg, _ := fakeProcessGrace(t, longGrace, ReadyProbe{}, "-ignore-term", "-child")
	if _, err := tg.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	ps := pids(t, tg.Logs())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	if err := tg.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if d := time.Since(start); d > noGraceBound {
		t.Errorf("Stop with a done ctx took %s; want SIGKILL without the %s grace period", d, longGrace)
	}
	mustBeGone(t, ps)
}

func TestProcessStartCancelled(t *testing.T) {
	// -ignore-term: an interrupted Start must not wait out the grace.
	tg, _ := fakeProcessGrace(t, longGrace, ReadyProbe{Timeout: longGrace}, "-never-ready", "-child", "-ignore-term")
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err := tg.Start(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Start: got %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > noGraceBound {
		t.Errorf("cancelled Start took %s; want SIGKILL without the %s grace period", d, longGrace)
	}
	mustBeGone(t, pids(t, tg.Logs()))
}

// TestProcessInterrupt wires the target like the runner does: Ctrl-C
// cancels the run's context, the run unwinds, and the deferred Stop ends the
// process group. The target is in its own group, so the interrupt itself
// never reaches it.
func TestProcessInterrupt(t *testing.T) {
	ctx, stop := signal.NotifyContext(t.Context(), os.Interrupt)
	defer stop()
	tg, _ := fakeProcess(t, ReadyProbe{}, "-child")
	if _, err := tg.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	ps := pids(t, tg.Logs())
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatalf("send SIGINT: %v", err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("SIGINT did not cancel the context")
	}
	for _, pid := range ps {
		if !alive(pid) {
			t.Fatalf("process %d died from the harness's SIGINT; Stop should be what ends it", pid)
		}
	}
	if err := tg.Stop(context.WithoutCancel(ctx)); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	mustBeGone(t, ps)
}

func TestProcessStartCtxBoundsStartupOnly(t *testing.T) {
	tg, url := fakeProcess(t, ReadyProbe{})
	ctx, cancel := context.WithCancel(t.Context())
	if _, err := tg.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	cancel()
	time.Sleep(200 * time.Millisecond)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("target died with the Start context: %v", err)
	}
	resp.Body.Close()
}

func TestProcessMisuse(t *testing.T) {
	t.Run("empty command", func(t *testing.T) {
		tg := Process(ProcessSpec{})
		if _, err := tg.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "empty command") {
			t.Errorf("Start: got %v, want an empty-command error", err)
		}
		if err := tg.Stop(t.Context()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	t.Run("missing program", func(t *testing.T) {
		tg := Process(ProcessSpec{Command: []string{"/nonexistent/assay-target"}})
		_, err := tg.Start(t.Context())
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Start: got %v, want os.ErrNotExist", err)
		}
	})
	t.Run("stop before start", func(t *testing.T) {
		if err := Process(ProcessSpec{Command: []string{"true"}}).Stop(t.Context()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	t.Run("start twice", func(t *testing.T) {
		tg, _ := fakeProcess(t, ReadyProbe{})
		if _, err := tg.Start(t.Context()); err != nil {
			t.Fatalf("Start: %v", err)
		}
		if _, err := tg.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "already started") {
			t.Errorf("second Start: got %v, want already started", err)
		}
	})
}

// lockedBuffer is a bytes.Buffer safe for the copier and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestProcessTee(t *testing.T) {
	var stdout, stderr lockedBuffer
	tg := Process(ProcessSpec{
		Command: []string{fakeserverBin, "-exit", "4"},
		Stdout:  &stdout,
		Stderr:  &stderr,
		Ready:   ReadyProbe{Log: "never"},
	})
	defer tg.Stop(context.Background())
	if _, err := tg.Start(t.Context()); !errors.Is(err, ErrExited) {
		t.Fatalf("Start: got %v, want ErrExited", err)
	}
	if !strings.Contains(stdout.String(), "fakeserver pid") {
		t.Errorf("stdout tee got %q", stdout.String())
	}
	if !strings.Contains(stderr.String(), "exiting with status 4") {
		t.Errorf("stderr tee got %q", stderr.String())
	}
	logs := string(tg.Logs())
	if !strings.Contains(logs, "fakeserver pid") || !strings.Contains(logs, "exiting with status 4") {
		t.Errorf("Logs() lacks a stream:\n%s", logs)
	}
}

func TestURL(t *testing.T) {
	ep := Endpoint{Issuer: "https://as.example", TokenEndpoint: "https://as.example/token"}
	tg := URL(ep)
	got, err := tg.Start(t.Context())
	if err != nil || got != ep {
		t.Errorf("Start = %+v, %v; want %+v", got, err, ep)
	}
	if err := tg.Stop(t.Context()); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if tg.Logs() != nil {
		t.Errorf("Logs() = %q, want nil", tg.Logs())
	}
}
