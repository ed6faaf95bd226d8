package target

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/netip"
	"path/filepath"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

// ContainerSpec describes a target run as a Docker container.
//
// Nothing is ever pulled: Image must already exist in the local engine, or
// Build makes it from a Dockerfile whose stages start FROM scratch (or from
// local images). The runner sets TESTCONTAINERS_RYUK_DISABLED=true before
// it first calls this package, because the reaper image cannot be pulled;
// Stop is what removes the container.
type ContainerSpec struct {
	// Image is a local image reference; Start fails at once if the engine
	// does not have it. Exactly one of Image and Build.
	Image string
	// Build builds the image from a Dockerfile; the image is kept, so a
	// second run reuses the engine's layer cache.
	Build *BuildSpec
	// Env is the container's environment.
	Env map[string]string
	// Ports are the container ports to publish ("8443/tcp"), each on an
	// ephemeral port of Host. The first one serves the issuer.
	Ports []string
	// Cmd overrides the image's CMD (the arguments of its ENTRYPOINT).
	Cmd []string
	// Labels are added to the container (for example to find it in tests).
	Labels map[string]string
	// Ready says when the container is ready; see ReadyProbe. Its Timeout
	// counts from the container's start; the build is bounded by the
	// context given to Start.
	Ready ReadyProbe
	// Host is the address the published ports are bound to and reached at;
	// default "127.0.0.1" (the test certificates name it, and a defective
	// target should not be reachable from the network).
	Host string
	// HostPort is the host port Ports[0] is published on; empty means an
	// ephemeral one. A fixed port lets the container be told its own
	// host-visible issuer before it starts.
	HostPort string
	// IssuerScheme is "https" (default) or "http".
	IssuerScheme string
	// IssuerPath is appended to the issuer URL ("/realms/assay").
	IssuerPath string
	// Endpoint computes the Endpoint from the host and the host port mapped
	// to Ports[0]. Nil means Issuer = IssuerScheme://host:port + IssuerPath,
	// with TokenEndpoint and MetadataURL left to discovery. Use it when the
	// container is configured with its own issuer value.
	// HostGatewayAlias is always set to "host.docker.internal".
	Endpoint func(host, port string) Endpoint
	// StopGrace is how long Stop lets the container handle SIGTERM before
	// the engine kills it; zero means DefaultStopGrace.
	StopGrace time.Duration
	// Logger receives testcontainers' progress messages; nil discards them.
	Logger interface{ Printf(format string, v ...any) }
}

// BuildSpec builds a container image from a Dockerfile.
type BuildSpec struct {
	// Context is the build context directory.
	Context string
	// Dockerfile is the Dockerfile's path inside Context; default
	// "Dockerfile".
	Dockerfile string
	// Args are the build arguments.
	Args map[string]*string
	// Repo and Tag name the image; default "assay-target-<hash of the
	// context path and Dockerfile>" and "latest", so rebuilds retag one
	// image instead of piling up new ones.
	Repo, Tag string
}

// Container returns a Target that runs spec in Docker through
// testcontainers-go. The container can reach the host's listeners as
// host.docker.internal (mapped to host-gateway); see MockIdPBindHost.
func Container(spec ContainerSpec) Target {
	var id [8]byte
	_, _ = rand.Read(id[:])
	return &containerTarget{spec: spec, out: newOutput(MaxLogBytes, spec.Ready.Log), instance: hex.EncodeToString(id[:])}
}

type containerTarget struct {
	spec ContainerSpec

	out *output

	// instance labels this target's container (LabelInstance), so Stop
	// can find one the engine created after the create call was cancelled.
	instance string

	mu      sync.Mutex // guards the fields below
	started bool
	created bool // a create request was sent
	stopped bool // Stop ran; a Start still in flight must clean up
	ctr     testcontainers.Container
}

func (c *containerTarget) name() string {
	if c.spec.Image != "" {
		return c.spec.Image
	}
	if c.spec.Build != nil {
		return c.spec.Build.Context
	}
	return "(no image)"
}

func (c *containerTarget) host() string {
	if c.spec.Host != "" {
		return c.spec.Host
	}
	return "127.0.0.1"
}

// Start builds the image if asked, creates and starts the container and
// waits for readiness. On error the container is already removed.
func (c *containerTarget) Start(ctx context.Context) (Endpoint, error) {
	c.mu.Lock()
	again := c.started
	c.started = true
	c.mu.Unlock()
	if again {
		// No cleanup here: it would remove the container the first Start
		// runs.
		return Endpoint{}, fmt.Errorf("start container %s: already started", c.name())
	}
	ep, err := c.start(ctx)
	if err != nil {
		// The caller quotes the output's tail (Logs), redacted.
		_ = c.Stop(ctx) // with ctx done: no grace, but still removed
		return Endpoint{}, fmt.Errorf("start container %s: %w", c.name(), err)
	}
	return ep, nil
}

func (c *containerTarget) start(ctx context.Context) (Endpoint, error) {
	req, err := c.request()
	if err != nil {
		return Endpoint{}, err
	}
	if c.spec.Image != "" {
		// testcontainers would pull a missing image, retrying for minutes
		// against a registry we cannot reach.
		if err := localImage(ctx, c.spec.Image); err != nil {
			return Endpoint{}, err
		}
	}
	// Create with the caller's ctx (a build can be cancelled), but start
	// with a context that outlives Start: testcontainers ties the log
	// follower to it.
	c.mu.Lock()
	c.created = true
	c.mu.Unlock()
	var replaced string // the image a rebuild retags away from
	if b := req.FromDockerfile; b.Context != "" {
		replaced = imageID(ctx, b.Repo+":"+b.Tag)
	}
	ctr, err := testcontainers.GenericContainer(ctx, req)
	if err == nil && replaced != "" {
		dropReplaced(context.WithoutCancel(ctx), req.FromDockerfile.Repo+":"+req.FromDockerfile.Tag, replaced)
	}
	c.mu.Lock()
	stopped := c.stopped
	if ctr != nil {
		c.ctr = ctr
	}
	c.mu.Unlock()
	if err != nil {
		return Endpoint{}, fmt.Errorf("create container: %w", err)
	}
	if stopped {
		return Endpoint{}, errors.New("stopped while starting")
	}
	if err := ctr.Start(context.WithoutCancel(ctx)); err != nil {
		return Endpoint{}, fmt.Errorf("run container: %w", err)
	}

	host := c.host()
	// A container that exited at once has no port mappings left; say that
	// it exited rather than that a port is missing.
	mappedPort := func(port string) (string, error) {
		p, err := ctr.MappedPort(ctx, port)
		if err == nil {
			return p.Port(), nil
		}
		if dead := exited(ctx, ctr); dead != nil {
			c.fetchLogs(context.WithoutCancel(ctx), ctr)
			return "", fmt.Errorf("%w before it was ready: %w", ErrExited, dead)
		}
		return "", fmt.Errorf("find mapped port %s: %w", port, err)
	}
	var issuerPort string
	if len(c.spec.Ports) > 0 {
		if issuerPort, err = mappedPort(c.spec.Ports[0]); err != nil {
			return Endpoint{}, err
		}
	}

	r := readiness{
		timeout:  c.spec.Ready.timeout(),
		interval: c.spec.Ready.interval(),
		logLine:  c.spec.Ready.Log,
		exited:   func(ctx context.Context) error { return exited(ctx, ctr) },
	}
	if c.spec.Ready.Log != "" {
		r.logSeen = c.out.seen
	}
	if c.spec.Ready.URL != "" || c.spec.Ready.Port != "" {
		port := c.spec.Ready.Port
		if port == "" && len(c.spec.Ports) > 0 {
			port = c.spec.Ports[0]
		}
		mapped, err := mappedPort(port)
		if err != nil {
			return Endpoint{}, err
		}
		addr := net.JoinHostPort(host, mapped)
		if c.spec.Ready.URL != "" {
			r.check = httpCheck(c.spec.Ready.client(), c.scheme()+"://"+addr+c.spec.Ready.URL)
		} else {
			r.check = dialCheck(addr)
		}
	}
	if err := r.wait(ctx); err != nil {
		if errors.Is(err, ErrExited) {
			c.fetchLogs(context.WithoutCancel(ctx), ctr)
		}
		return Endpoint{}, err
	}

	var ep Endpoint
	if c.spec.Endpoint != nil {
		ep = c.spec.Endpoint(host, issuerPort)
	} else {
		ep = Endpoint{Issuer: c.scheme() + "://" + net.JoinHostPort(host, issuerPort) + c.spec.IssuerPath}
	}
	ep.HostGatewayAlias = HostGatewayAlias
	return ep, nil
}

func (c *containerTarget) scheme() string {
	if c.spec.IssuerScheme != "" {
		return c.spec.IssuerScheme
	}
	return "https"
}

// request translates the spec into a testcontainers request.
func (c *containerTarget) request() (testcontainers.GenericContainerRequest, error) {
	s := c.spec
	if (s.Image == "") == (s.Build == nil) {
		return testcontainers.GenericContainerRequest{}, errors.New("set exactly one of Image and Build")
	}
	hostIP, err := netip.ParseAddr(c.host())
	if err != nil {
		return testcontainers.GenericContainerRequest{}, fmt.Errorf("parse host %q: %w", c.host(), err)
	}
	bindings := network.PortMap{}
	for i, p := range s.Ports {
		port, err := network.ParsePort(p)
		if err != nil {
			return testcontainers.GenericContainerRequest{}, fmt.Errorf("parse port %q: %w", p, err)
		}
		b := network.PortBinding{HostIP: hostIP}
		if i == 0 {
			b.HostPort = s.HostPort
		}
		bindings[port] = []network.PortBinding{b}
	}
	labels := map[string]string{LabelTarget: "true", LabelInstance: c.instance}
	maps.Copy(labels, s.Labels)
	var logger tclog.Logger = tclog.NewNoopLogger()
	if s.Logger != nil {
		logger = s.Logger
	}
	req := testcontainers.ContainerRequest{
		Image:        s.Image,
		Env:          s.Env,
		ExposedPorts: s.Ports,
		Cmd:          s.Cmd,
		Labels:       labels,
		HostConfigModifier: func(hc *container.HostConfig) {
			hc.ExtraHosts = append(hc.ExtraHosts, HostGatewayAlias+":host-gateway")
			hc.PortBindings = bindings
		},
		LogConsumerCfg: &testcontainers.LogConsumerConfig{
			Consumers: []testcontainers.LogConsumer{&logConsumer{c: c}},
		},
	}
	if b := s.Build; b != nil {
		repo, tag := b.Repo, b.Tag
		if repo == "" {
			sum := sha256.Sum256([]byte(filepath.Clean(b.Context) + "\x00" + b.Dockerfile))
			repo = "assay-target-" + hex.EncodeToString(sum[:4])
		}
		if tag == "" {
			tag = "latest"
		}
		req.FromDockerfile = testcontainers.FromDockerfile{
			Context:        b.Context,
			Dockerfile:     b.Dockerfile,
			BuildArgs:      b.Args,
			Repo:           repo,
			Tag:            tag,
			BuildLogWriter: io.Discard,
			KeepImage:      true,
		}
	}
	return testcontainers.GenericContainerRequest{ContainerRequest: req, Logger: logger}, nil
}

// exited reports a container that is no longer running.
func exited(ctx context.Context, ctr testcontainers.Container) error {
	st, err := ctr.State(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil // the wait's own deadline; not a death
		}
		return fmt.Errorf("inspect container: %w", err)
	}
	if st.Running || st.Status == container.StateCreated || st.Status == container.StateRestarting {
		return nil
	}
	msg := fmt.Sprintf("status %s, exit code %d", st.Status, st.ExitCode)
	if st.OOMKilled {
		msg += ", killed for lack of memory"
	}
	if st.Error != "" {
		msg += ": " + st.Error
	}
	return errors.New(msg)
}

// stopAPITimeout bounds the engine calls of Stop beyond the grace period.
const stopAPITimeout = 30 * time.Second

// LabelTarget marks every container this package starts, so that one left
// behind by a harness that was killed outright can be found:
// docker ps -a --filter label=io.assay.target
const LabelTarget = "io.assay.target"

// LabelInstance holds a random id per Target value.
const LabelInstance = "io.assay.instance"

// Stop stops the container (SIGTERM, then SIGKILL after StopGrace, or at
// once if ctx is already done), keeps its complete output for Logs, and
// removes it. It is idempotent and also cleans up after a Start that failed
// halfway.
func (c *containerTarget) Stop(ctx context.Context) error {
	c.mu.Lock()
	ctr := c.ctr
	c.ctr = nil
	c.stopped = true
	created := c.created
	c.created = false
	c.mu.Unlock()
	if ctr == nil {
		if created {
			// Create was interrupted (Ctrl-C): the engine may still have
			// made the container after the client gave up on the call.
			return c.sweep(ctx)
		}
		return nil
	}
	grace := c.spec.StopGrace
	if grace <= 0 {
		grace = DefaultStopGrace
	}
	// A done ctx (the run was interrupted) means no grace, not no cleanup:
	// the engine calls get a context of their own, or the container would
	// outlive the run.
	if ctx.Err() != nil {
		grace = 0
	}
	api, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace+stopAPITimeout)
	defer cancel()
	var errs []error
	if err := ctr.Stop(api, &grace); err != nil {
		errs = append(errs, fmt.Errorf("stop container: %w", err))
	}
	c.fetchLogs(api, ctr)
	if err := ctr.Terminate(api); err != nil {
		errs = append(errs, fmt.Errorf("remove container: %w", err))
	}
	if len(errs) > 0 {
		return fmt.Errorf("stop container %s: %w", c.name(), errors.Join(errs...))
	}
	return nil
}

// sweep force-removes every container with this target's instance label.
func (c *containerTarget) sweep(ctx context.Context) error {
	api, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopAPITimeout)
	defer cancel()
	cli, err := testcontainers.NewDockerClientWithOpts(api)
	if err != nil {
		return fmt.Errorf("connect to docker: %w", err)
	}
	defer cli.Close()
	f := client.Filters{}.Add("label", LabelInstance+"="+c.instance)
	// The engine may register the container a moment after the cancelled
	// create returned; look twice.
	var errs []error
	for i := range 2 {
		if i > 0 {
			time.Sleep(500 * time.Millisecond)
		}
		list, err := cli.ContainerList(api, client.ContainerListOptions{All: true, Filters: f})
		if err != nil {
			return fmt.Errorf("list containers of %s: %w", c.name(), err)
		}
		for _, it := range list.Items {
			if _, err := cli.ContainerRemove(api, it.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
				errs = append(errs, fmt.Errorf("remove container %s: %w", it.ID, err))
			}
		}
	}
	return errors.Join(errs...)
}

// fetchLogs replaces the followed output with the engine's complete copy,
// which is authoritative once the container has stopped (the follower may
// have been cut off mid-stream).
func (c *containerTarget) fetchLogs(ctx context.Context, ctr testcontainers.Container) {
	rc, err := ctr.Logs(ctx)
	if err != nil {
		return // keep what the follower saw
	}
	defer rc.Close()
	full := newOutput(MaxLogBytes, "")
	s := full.stream()
	if _, err := io.Copy(s, rc); err != nil {
		return
	}
	s.Close()
	c.out.replace(full)
}

// Logs returns the container's output, or nil if there was none.
func (c *containerTarget) Logs() []byte { return c.out.Bytes() }

// logConsumer feeds followed container output into the target's output,
// one stream per Docker stream.
type logConsumer struct {
	c        *containerTarget
	mu       sync.Mutex
	out, err *stream
}

func (l *logConsumer) Accept(log testcontainers.Log) {
	l.mu.Lock()
	defer l.mu.Unlock()
	o := l.c.out
	if l.out == nil {
		l.out, l.err = o.stream(), o.stream()
	}
	if log.LogType == testcontainers.StderrLog {
		_, _ = l.err.Write(log.Content)
	} else {
		_, _ = l.out.Write(log.Content)
	}
}

// imageID is the ID of the local image ref, or "" if there is none.
func imageID(ctx context.Context, ref string) string {
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return ""
	}
	defer cli.Close()
	img, err := cli.ImageInspect(ctx, ref)
	if err != nil {
		return ""
	}
	return img.ID
}

// dropReplaced removes the image a rebuild of ref left without a tag, so
// that repeated runs retag one image instead of piling up dangling ones.
// An image still used by a container (another run's) stays: no force.
func dropReplaced(ctx context.Context, ref, old string) {
	if now := imageID(ctx, ref); now == "" || now == old {
		return
	}
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return
	}
	defer cli.Close()
	_, _ = cli.ImageRemove(ctx, old, client.ImageRemoveOptions{})
}

// localImage checks that the engine has img without pulling it.
func localImage(ctx context.Context, img string) error {
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return fmt.Errorf("connect to docker: %w", err)
	}
	defer cli.Close()
	if _, err := cli.ImageInspect(ctx, img); err != nil {
		return fmt.Errorf("find image %s in the local engine (assay never pulls; build it, or use build): %w", img, err)
	}
	return nil
}

// DockerAvailable reports whether a Docker engine answers; its error says
// why not. Tests skip container cases on it; the runner turns it into a
// config error for kind container.
//
// Like every call into testcontainers-go it reads testcontainers' settings
// once per process, so the runner sets TESTCONTAINERS_RYUK_DISABLED=true
// before the first call. testcontainers also prints an engine banner once
// per process through its default logger (testcontainers-go/log), which
// the runner may redirect; this package does not touch that global.
func DockerAvailable(ctx context.Context) error {
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return fmt.Errorf("connect to docker: %w", err)
	}
	defer cli.Close()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		return fmt.Errorf("ping docker: %w", err)
	}
	return nil
}

// SetLogger routes testcontainers' own messages (its "Connected to docker"
// banner among them, printed through its process-wide default logger) to
// logger, or nowhere when logger is nil: assay is quiet unless -v.
func SetLogger(logger interface{ Printf(format string, v ...any) }) {
	if logger == nil {
		tclog.SetDefault(tclog.NewNoopLogger())
		return
	}
	tclog.SetDefault(logger)
}
