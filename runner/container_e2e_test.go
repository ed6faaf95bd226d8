package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/assayhq/assay/runner"
	"github.com/assayhq/assay/runner/target"
)

// needDocker skips a test only when the Docker engine is absent.
func needDocker(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := target.DockerAvailable(ctx); err != nil {
		t.Skipf("skipping: needs a Docker engine: %v", err)
	}
}

// staticBuild builds a CGO_ENABLED=0 binary of pkg (run in dir) at out.
// Go's build cache makes a second build quick, and -trimpath keeps the
// bytes stable, so Docker's layer cache also holds.
func staticBuild(t *testing.T, dir, pkg, out string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, b)
	}
}

// referenceImageContext lays out bin/image the way `make image` does: the
// static mockidp binary next to its FROM scratch Dockerfile. The runner's
// Build spec names the image after this path, so reruns reuse it.
func referenceImageContext(t *testing.T) string {
	t.Helper()
	dir := repoFile(t, "bin/image")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	staticBuild(t, repoFile(t, "."), "./mockidp/cmd/mockidp", filepath.Join(dir, "mockidp"))
	df, err := os.ReadFile(repoFile(t, "mockidp/cmd/mockidp/Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), df, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// containerConfig runs the reference image with its issuer on the fixed
// host port assay picks, and client keys from assay's own mock IdP; extra
// are more arguments of the image's command (--defect NAME).
func containerConfig(t *testing.T, context string, extra ...string) string {
	args := ""
	for _, a := range extra {
		args += fmt.Sprintf(", %q", a)
	}
	return writeFile(t, "container.yaml", fmt.Sprintf(`version: v1
name: reference in a container
target:
  kind: container
  caFile: %s
  container:
    build: {context: %s, dockerfile: Dockerfile}
    ports: ["8443/tcp"]
    cmd: [--issuer, "https://127.0.0.1:${ASSAY_TARGET_PORT}", --idp-url, "${ASSAY_MOCKIDP_URL}"%s]
    ready: {url: /jwks, timeout: 30s}
clients:
  A: {id: client-a, keys: fixture}
  B: {id: client-b, keys: fixture}
  P: {id: client-p, keys: fixture, signingAlg: PS256}
`, repoFile(t, "fixtures/tls/ca.pem"), context, args))
}

// started is an assay process the test can signal.
type started struct {
	cmd      *exec.Cmd
	out, err *lockedBuffer
	done     chan struct{}
	code     int
}

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

func startAssay(t *testing.T, args ...string) *started {
	t.Helper()
	s := &started{cmd: exec.Command(assayBin, args...), out: &lockedBuffer{}, err: &lockedBuffer{}, done: make(chan struct{})}
	s.cmd.Env = append(os.Environ(), "NO_COLOR=1", "TESTCONTAINERS_RYUK_DISABLED=true")
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.err
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := s.cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			s.code = ee.ExitCode()
		} else if err != nil {
			s.code = -1
		}
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			// A test that stops early (a failure) ends assay as a user
			// would, so it removes its container; SIGKILL only if it does
			// not exit, and then TestMain sweeps what it left.
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.done:
			case <-time.After(time.Minute):
				_ = s.cmd.Process.Kill()
				<-s.done
			}
		}
	})
	return s
}

// wait bounds the run: a hung assay is killed and the test fails.
func (s *started) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-s.done:
		return s.code
	case <-time.After(d):
		_ = s.cmd.Process.Kill()
		<-s.done
		t.Fatalf("assay did not exit within %s\nstdout:\n%s\nstderr:\n%s", d, s.out, s.err)
		return -1
	}
}

// containersOf lists the containers (running or not) assay process pid
// started.
func containersOf(t *testing.T, pid int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", "ps", "-aq",
		"--filter", "label="+target.LabelTarget,
		"--filter", fmt.Sprintf("label=%s=%d", runner.LabelPID, pid)).CombinedOutput()
	if err != nil {
		t.Fatalf("docker ps: %v\n%s", err, out)
	}
	return strings.Fields(string(out))
}

// TestContainerE2E runs the whole suite against the reference server as a
// FROM scratch container: issuer on the host port assay maps, client
// JWKS from assay's mock IdP reached as host.docker.internal. It passes,
// and leaves no container behind.
func TestContainerE2E(t *testing.T) {
	needDocker(t)
	cfg := containerConfig(t, referenceImageContext(t))
	s := startAssay(t, "run", "--config", cfg)
	if code := s.wait(t, 5*time.Minute); code != 0 {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, s.out, s.err)
	}
	if !strings.Contains(s.out.String(), "http://host.docker.internal:") {
		t.Errorf("the mock IdP is not announced at host.docker.internal:\n%s", s.out)
	}
	if left := containersOf(t, s.cmd.Process.Pid); len(left) > 0 {
		t.Errorf("containers left behind: %v", left)
	}
	// Quiet by default: testcontainers' banner only with -v.
	if strings.Contains(s.err.String(), "Connected to docker") {
		t.Errorf("stderr carries testcontainers' banner without -v:\n%s", s.err)
	}
}

// TestContainerE2EInterrupted: Ctrl-C while the container starts and
// while the checks run both end assay with ERROR (exit 3) and remove the
// container.
func TestContainerE2EInterrupted(t *testing.T) {
	needDocker(t)
	cfg := containerConfig(t, referenceImageContext(t))
	for _, tc := range []struct {
		name  string
		ready func(s *started) bool
	}{
		{"starting", func(s *started) bool { return len(containersOf(t, s.cmd.Process.Pid)) > 0 }},
		{"mid-run", func(s *started) bool { return strings.Contains(s.out.String(), "\nPASS ") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startAssay(t, "run", "--config", cfg)
			pid := s.cmd.Process.Pid
			deadline := time.Now().Add(2 * time.Minute)
			for !tc.ready(s) {
				select {
				case <-s.done:
					t.Fatalf("assay exited %d before the SIGINT point\n%s\n%s", s.code, s.out, s.err)
				default:
				}
				if time.Now().After(deadline) {
					t.Fatalf("SIGINT point not reached after 2m\n%s\n%s", s.out, s.err)
				}
				time.Sleep(2 * time.Millisecond)
			}
			if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
				t.Fatal(err)
			}
			switch code := s.wait(t, time.Minute); code {
			case 3:
			case 0:
				// The few checks left finished before the signal landed.
				t.Logf("the run completed before SIGINT took effect")
			default:
				t.Errorf("exit %d after SIGINT, want 3 (ERROR: interrupted)\n%s", code, s.err)
			}
			if left := containersOf(t, pid); len(left) > 0 {
				t.Errorf("containers left behind after SIGINT: %v\nstderr:\n%s", left, s.err)
			}
		})
	}
}

// TestContainerSSRFOracle: a container target that fetches jku reaches
// the SSRF oracle, which listens on the Docker bridge and is named
// host.docker.internal like the mock IdP, and the fetch is charged to the
// row whose URL it carries. The rows whose URL names 127.0.0.1 are N/A: a
// container's loopback is its own, and they could only pass.
func TestContainerSSRFOracle(t *testing.T) {
	needDocker(t)
	cfg := containerConfig(t, referenceImageContext(t), "--defect", "fetch-header-url")
	out := filepath.Join(t.TempDir(), "report.json")
	s := startAssay(t, "run", "--config", cfg, "--only", "B-KEY-02,B-KEY-03.1,B-KEY-03.2,B-KEY-03.3", "--json", out)
	if code := s.wait(t, 5*time.Minute); code != 1 {
		t.Fatalf("exit %d, want 1 (FAIL)\nstdout:\n%s\nstderr:\n%s", code, s.out, s.err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Results []struct {
			ID, Carrier, Outcome, Reason string
		}
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rep.Results {
		key := r.ID + "/" + r.Carrier
		got[key] = r.Outcome + ": " + r.Reason
		switch key {
		case "B-KEY-02/client", "B-KEY-03.1/client":
			path := "/row/" + r.ID + "/client/"
			if r.Outcome != "FAIL" || !strings.Contains(r.Reason, "SSRF listener") || !strings.Contains(r.Reason, path) {
				t.Errorf("%s: %s: %s; want FAIL naming a request for %s from the SSRF listener", key, r.Outcome, r.Reason, path)
			}
		case "B-KEY-03.2/client", "B-KEY-03.3/client":
			if r.Outcome != "N/A" || !strings.Contains(r.Reason, "loopback") {
				t.Errorf("%s: %s: %s; want N/A (a container's loopback is its own)", key, r.Outcome, r.Reason)
			}
		}
	}
	for _, k := range []string{"B-KEY-02/client", "B-KEY-03.1/client", "B-KEY-03.2/client", "B-KEY-03.3/client"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no result for %s in the report: %v", k, got)
		}
	}
	if left := containersOf(t, s.cmd.Process.Pid); len(left) > 0 {
		t.Errorf("containers left behind: %v", left)
	}
}
