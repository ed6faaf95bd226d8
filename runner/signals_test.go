package runner_test

import (
	"errors"
	"net"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// waitFor polls cond until it holds, failing the test if assay exits first
// or nothing happens for limit (a bound on a hang, not a speed budget).
func waitFor(t *testing.T, s *started, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		select {
		case <-s.done:
			t.Fatalf("assay exited %d before %s\nstdout:\n%s\nstderr:\n%s", s.code, what, s.out, s.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not reached after %s\nstdout:\n%s\nstderr:\n%s", what, limit, s.out, s.err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// signalMidRun sends sig once the first check has passed and returns the
// exit code: 3 (ERROR: interrupted), or 0 when the last checks finished
// before the signal landed.
func signalMidRun(t *testing.T, s *started, sig syscall.Signal) int {
	t.Helper()
	waitFor(t, s, "the first PASS", 3*time.Minute, func() bool { return strings.Contains(s.out.String(), "\nPASS ") })
	if err := s.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatal(err)
	}
	code := s.wait(t, time.Minute)
	if code != 3 && code != 0 {
		t.Errorf("exit %d after %v, want 3 (ERROR: interrupted)\nstdout:\n%s\nstderr:\n%s", code, sig, s.out, s.err)
	}
	return code
}

// TestSIGHUPProcessTarget: a hang-up (a closed terminal, a CI runner
// cancelling the job) cleans up like Ctrl-C: the run ends with ERROR and a
// summary, and the target's process group is gone.
func TestSIGHUPProcessTarget(t *testing.T) {
	cfg := referenceProcess(t, buildMockIdP(t))
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	addr := regexp.MustCompile(`127\.0\.0\.1:\d+`).FindString(string(b))
	s := startAssay(t, "run", "--config", cfg)
	if code := signalMidRun(t, s, syscall.SIGHUP); code == 3 && !strings.Contains(s.out.String()+s.err.String(), "interrupted") {
		t.Errorf("no word of the interruption\nstdout:\n%s\nstderr:\n%s", s.out, s.err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("the target process still listens on %s after assay exited", addr)
	}
}

// TestSIGHUPContainerTarget: the same for a container target: nothing is
// left behind.
func TestSIGHUPContainerTarget(t *testing.T) {
	needDocker(t)
	cfg := containerConfig(t, referenceImageContext(t))
	s := startAssay(t, "run", "--config", cfg)
	signalMidRun(t, s, syscall.SIGHUP)
	if left := containersOf(t, s.cmd.Process.Pid); len(left) > 0 {
		t.Errorf("containers left behind after SIGHUP: %v\nstderr:\n%s", left, s.err)
	}
}

// TestSweepAfterSIGKILL: SIGKILL leaves assay no chance to clean up, so its
// container stays; the next run on this host removes it and says so.
func TestSweepAfterSIGKILL(t *testing.T) {
	needDocker(t)
	cfg := containerConfig(t, referenceImageContext(t))
	s := startAssay(t, "run", "--config", cfg)
	pid := s.cmd.Process.Pid
	waitFor(t, s, "the first PASS", 3*time.Minute, func() bool { return strings.Contains(s.out.String(), "\nPASS ") })
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	s.wait(t, time.Minute)
	if left := containersOf(t, pid); len(left) == 0 {
		t.Fatalf("SIGKILL left no container: nothing to sweep (the test proves nothing)")
	}
	next := startAssay(t, "run", "--config", cfg, "--only", "A-MD-01")
	if code := next.wait(t, 3*time.Minute); code != 0 {
		t.Errorf("the next run: exit %d\nstdout:\n%s\nstderr:\n%s", code, next.out, next.err)
	}
	if !strings.Contains(next.out.String(), "left by an assay run that no longer exists") {
		t.Errorf("the next run did not say it swept\nstdout:\n%s", next.out)
	}
	if left := containersOf(t, pid); len(left) > 0 {
		t.Errorf("the killed run's containers are still there: %v", left)
	}
}
