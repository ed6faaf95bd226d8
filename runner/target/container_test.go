package target

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

const testLabel = "assay.test"

// needDocker skips the test when no Docker engine answers, and switches off
// testcontainers' reaper, whose image cannot be pulled here.
func needDocker(t testing.TB) {
	t.Helper()
	t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := DockerAvailable(ctx); err != nil {
		t.Skip("docker engine not available: ", err)
	}
}

// fakeserverContext writes a build context holding the static fakeserver
// and a FROM scratch Dockerfile. The image name is fixed, so reruns hit the
// layer cache and retag one image.
func fakeserverContext(t testing.TB) *BuildSpec {
	t.Helper()
	dir := t.TempDir()
	bin, err := os.ReadFile(fakeserverBin)
	if err != nil {
		t.Fatalf("read fakeserver: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fakeserver"), bin, 0o755); err != nil {
		t.Fatalf("write fakeserver: %v", err)
	}
	dockerfile := "FROM scratch\nCOPY fakeserver /fakeserver\nENTRYPOINT [\"/fakeserver\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatalf("write Dockerfile: %v", err)
	}
	return &BuildSpec{Context: dir, Repo: "assay-test-fakeserver", Tag: "latest"}
}

// runLabel returns a label value unique to this test run.
func runLabel(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// containersLabelled lists every container, running or not, with
// assay.test=value and any further label filters ("key=value").
func containersLabelled(t *testing.T, value string, more ...string) []string {
	t.Helper()
	// Not t.Context(): this also runs in cleanups, after it is cancelled.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		t.Fatalf("docker client: %v", err)
	}
	defer cli.Close()
	res, err := cli.ContainerList(ctx, client.ContainerListOptions{
		All:     true,
		Filters: make(client.Filters).Add("label", append(more, testLabel+"="+value)...),
	})
	if err != nil {
		t.Fatalf("list containers: %v", err)
	}
	var ids []string
	for _, c := range res.Items {
		ids = append(ids, c.ID[:12]+" "+string(c.State))
	}
	return ids
}

// mustLeaveNoContainers registers a check, run after every Stop cleanup,
// that no container of this run is left.
func mustLeaveNoContainers(t *testing.T, label string) {
	t.Helper()
	t.Cleanup(func() {
		if left := containersLabelled(t, label); len(left) > 0 {
			t.Errorf("containers left behind: %v", left)
		}
	})
}

func TestContainer(t *testing.T) {
	needDocker(t)
	build := fakeserverContext(t)
	label := runLabel(t)
	mustLeaveNoContainers(t, label)

	// The container proves it reaches the host by fetching from a listener
	// bound where the mock IdP would bind for a container target.
	var hits atomic.Int64
	ln, err := net.Listen("tcp", net.JoinHostPort(MockIdPBindHost(KindContainer), "0"))
	if err != nil {
		t.Fatalf("listen for the container: %v", err)
	}
	host := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "hello from the host")
	}))
	host.Listener.Close()
	host.Listener = ln
	host.Start()
	defer host.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	probe := MockIdPURL(KindContainer, port) + "/jwks"

	tg := Container(ContainerSpec{
		Build:        build,
		Ports:        []string{"8080/tcp"},
		Cmd:          []string{"-addr", ":8080", "-ready-log", "serving now", "-probe", probe},
		Labels:       map[string]string{testLabel: label},
		Ready:        ReadyProbe{URL: "/health", Log: "serving now", Timeout: 60 * time.Second},
		IssuerScheme: "http",
		IssuerPath:   "/realms/assay",
		StopGrace:    2 * time.Second,
	})
	defer tg.Stop(context.Background())
	ep, err := tg.Start(t.Context())
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if !strings.HasPrefix(ep.Issuer, "http://127.0.0.1:") || !strings.HasSuffix(ep.Issuer, "/realms/assay") {
		t.Errorf("Issuer = %q, want http://127.0.0.1:<mapped>/realms/assay", ep.Issuer)
	}
	if n := len(containersLabelled(t, label, LabelTarget+"=true")); n != 1 {
		t.Errorf("%d running containers carry %s, want 1", n, LabelTarget)
	}
	if ep.HostGatewayAlias != "host.docker.internal" {
		t.Errorf("HostGatewayAlias = %q", ep.HostGatewayAlias)
	}
	resp, err := http.Get(ep.Issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatalf("GET through the mapped port: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "/realms/assay/.well-known") {
		t.Errorf("GET through the mapped port: %d %s", resp.StatusCode, body)
	}

	want := "probe " + probe + ": 200 hello from the host"
	deadline := time.Now().Add(25 * time.Second)
	for !strings.Contains(string(tg.Logs()), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the container did not reach the host listener (%d hits); logs:\n%s", hits.Load(), tg.Logs())
		}
		time.Sleep(100 * time.Millisecond)
	}

	if _, err := tg.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "already started") {
		t.Errorf("second Start: got %v, want already started", err)
	}
	if n := len(containersLabelled(t, label)); n != 1 {
		t.Fatalf("after a second Start %d containers run, want the first one still", n)
	}

	if err := tg.Stop(t.Context()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if left := containersLabelled(t, label); len(left) > 0 {
		t.Errorf("Stop left containers: %v", left)
	}
	if err := tg.Stop(t.Context()); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	logs := string(tg.Logs())
	for _, line := range []string{"serving now", want} {
		if !strings.Contains(logs, line) {
			t.Errorf("Logs() after Stop lacks %q:\n%s", line, logs)
		}
	}
}

// TestContainerStopInterrupted: the runner's context is cancelled on
// Ctrl-C before the deferred Stop runs; Stop must still remove the
// container, only without the grace period.
func TestContainerStopInterrupted(t *testing.T) {
	needDocker(t)
	label := runLabel(t)
	mustLeaveNoContainers(t, label)
	tg := Container(ContainerSpec{
		Build:     fakeserverContext(t),
		Ports:     []string{"8080/tcp"},
		Cmd:       []string{"-addr", ":8080", "-ignore-term"},
		Labels:    map[string]string{testLabel: label},
		Ready:     ReadyProbe{Log: "listening on", Timeout: 30 * time.Second},
		StopGrace: time.Minute,
	})
	defer tg.Stop(context.Background())
	ctx, cancel := context.WithCancel(t.Context())
	if _, err := tg.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	cancel()
	start := time.Now()
	if err := tg.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if d := time.Since(start); d > 45*time.Second {
		t.Errorf("Stop with a done context took %s; want no grace period (it is a minute)", d)
	}
	if left := containersLabelled(t, label); len(left) > 0 {
		t.Errorf("Stop left containers: %v", left)
	}
}

func TestContainerStartFails(t *testing.T) {
	needDocker(t)
	build := fakeserverContext(t)
	label := runLabel(t)
	mustLeaveNoContainers(t, label)

	tests := []struct {
		name  string
		cmd   []string
		ready ReadyProbe
		is    error
		says  []string
	}{
		{
			name:  "exits early",
			cmd:   []string{"-exit", "3"},
			ready: ReadyProbe{URL: "/", Timeout: 30 * time.Second},
			is:    ErrExited,
			says:  []string{"exit code 3", "exiting with status 3 as asked"},
		},
		{
			name:  "never ready",
			cmd:   []string{"-never-ready"},
			ready: ReadyProbe{URL: "/", Timeout: time.Second},
			is:    ErrNotReady,
			says:  []string{"not ready after 1s", "fakeserver pid 1"},
		},
		{
			name:  "never logs",
			cmd:   []string{"-addr", ":8080"},
			ready: ReadyProbe{Log: "never printed", Timeout: time.Second},
			is:    ErrNotReady,
			says:  []string{`no output line contained "never printed"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := Container(ContainerSpec{
				Build:     build,
				Ports:     []string{"8080/tcp"},
				Cmd:       tt.cmd,
				Labels:    map[string]string{testLabel: label},
				Ready:     tt.ready,
				StopGrace: time.Second,
			})
			defer tg.Stop(context.Background())
			_, err := tg.Start(t.Context())
			if !errors.Is(err, tt.is) {
				t.Fatalf("Start: got %v, want %v", err, tt.is)
			}
			// The error says why; what the container printed is in Logs
			// (the runner quotes its tail, redacted).
			said := err.Error() + "\n" + string(tg.Logs())
			for _, s := range tt.says {
				if !strings.Contains(said, s) {
					t.Errorf("error and logs lack %q:\n%s", s, said)
				}
			}
			if left := containersLabelled(t, label); len(left) > 0 {
				t.Errorf("failed Start left containers: %v", left)
			}
			if err := tg.Stop(t.Context()); err != nil {
				t.Errorf("Stop after failed Start: %v", err)
			}
		})
	}

	t.Run("local image by name", func(t *testing.T) {
		tg := Container(ContainerSpec{
			Image:        build.Repo + ":" + build.Tag, // built by the rows above
			IssuerScheme: "http",
			Ports:        []string{"8080/tcp"},
			Cmd:          []string{"-addr", ":8080"},
			Labels:       map[string]string{testLabel: label},
			Ready:        ReadyProbe{URL: "/", Timeout: 30 * time.Second},
		})
		defer tg.Stop(context.Background())
		if _, err := tg.Start(t.Context()); err != nil {
			t.Fatalf("Start: %v", err)
		}
	})

	t.Run("bad Dockerfile", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nCOPY missing /missing\n"), 0o644)
		tg := Container(ContainerSpec{
			Build:  &BuildSpec{Context: dir, Repo: "assay-test-broken"},
			Labels: map[string]string{testLabel: label},
		})
		defer tg.Stop(context.Background())
		if _, err := tg.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "start container") {
			t.Fatalf("Start: got %v, want a build error", err)
		}
	})

	t.Run("image not in the engine", func(t *testing.T) {
		start := time.Now()
		tg := Container(ContainerSpec{Image: "assay-test-no-such-image:" + label, Ports: []string{"8080/tcp"}, Labels: map[string]string{testLabel: label}})
		defer tg.Stop(context.Background())
		_, err := tg.Start(t.Context())
		if err == nil || !strings.Contains(err.Error(), "assay never pulls") {
			t.Fatalf("Start: got %v, want a no-pull error", err)
		}
		if d := time.Since(start); d > time.Minute {
			t.Errorf("took %s; a missing image must fail without pull attempts", d)
		}
	})

	t.Run("image and build both set", func(t *testing.T) {
		tg := Container(ContainerSpec{Image: "x", Build: build})
		if _, err := tg.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "exactly one of Image and Build") {
			t.Fatalf("Start: got %v", err)
		}
	})
}

// TestContainerRebuildDropsReplacedImage: rebuilding a changed context
// retags the image and removes the one it replaced, instead of leaving a
// dangling image per run.
func TestContainerRebuildDropsReplacedImage(t *testing.T) {
	needDocker(t)
	label := runLabel(t)
	mustLeaveNoContainers(t, label)
	build := fakeserverContext(t)
	build.Repo = "assay-test-rebuild-" + label
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if cli, err := testcontainers.NewDockerClientWithOpts(ctx); err == nil {
			_, _ = cli.ImageRemove(ctx, build.Repo+":latest", client.ImageRemoveOptions{Force: true})
			cli.Close()
		}
	})
	run := func(rev string) string {
		t.Helper()
		df := "FROM scratch\nCOPY fakeserver /fakeserver\nLABEL assay.test.rev=" + rev + "\nENTRYPOINT [\"/fakeserver\"]\n"
		if err := os.WriteFile(filepath.Join(build.Context, "Dockerfile"), []byte(df), 0o644); err != nil {
			t.Fatal(err)
		}
		tg := Container(ContainerSpec{
			Build:  build,
			Ports:  []string{"8080/tcp"},
			Cmd:    []string{"-addr", ":8080"},
			Labels: map[string]string{testLabel: label},
			Ready:  ReadyProbe{Log: "listening on", Timeout: 30 * time.Second},
		})
		if _, err := tg.Start(t.Context()); err != nil {
			t.Fatalf("Start rev %s: %v", rev, err)
		}
		if err := tg.Stop(context.Background()); err != nil {
			t.Fatalf("Stop rev %s: %v", rev, err)
		}
		return imageID(t.Context(), build.Repo+":latest")
	}
	first := run("1")
	second := run("2")
	if first == "" || second == "" || first == second {
		t.Fatalf("image IDs %q then %q: want two different builds", first, second)
	}
	if imageID(t.Context(), first) != "" {
		t.Errorf("the replaced image %s is still there", first)
	}
}
