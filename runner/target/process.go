package target

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// DefaultStopGrace is how long Stop waits after SIGTERM before SIGKILL.
const DefaultStopGrace = 5 * time.Second

// ProcessSpec describes a target started as a local command.
type ProcessSpec struct {
	// Command is the program and its arguments. A relative program path
	// with a slash is resolved against Dir (os/exec semantics).
	Command []string
	// Dir is the working directory; empty means the harness's.
	Dir string
	// Env is the complete environment (os/exec semantics: nil inherits the
	// harness's environment). The runner passes os.Environ() plus the
	// config's process.env.
	Env []string
	// Ready says when the process is ready. Ready.URL must be absolute.
	Ready ReadyProbe
	// Endpoint is returned by Start as given.
	Endpoint Endpoint
	// Stdout and Stderr, when set, receive a copy of the process's output
	// as it arrives (for example the runner's verbose log).
	Stdout, Stderr io.Writer
	// StopGrace is how long Stop waits after SIGTERM before SIGKILL; zero
	// means DefaultStopGrace.
	StopGrace time.Duration
}

// Process returns a Target that runs spec.Command in its own process group
// and captures its output (the last MaxLogBytes, stdout and stderr
// together).
func Process(spec ProcessSpec) Target {
	return &process{spec: spec, out: newOutput(MaxLogBytes, spec.Ready.Log)}
}

type process struct {
	spec ProcessSpec
	out  *output

	mu      sync.Mutex
	started bool
	stopped bool
	cmd     *exec.Cmd
	kill    context.CancelFunc // cancels the command's context: SIGKILL to the group
	exited  chan struct{}      // closed when Wait returned
	waitErr error              // set before exited is closed
	copied  chan struct{}      // closed when both output pipes hit EOF
	readers []*os.File         // read ends of the output pipes
}

func (p *process) name() string {
	if len(p.spec.Command) == 0 {
		return "(no command)"
	}
	return p.spec.Command[0]
}

// Start runs the command and waits for readiness. The ctx bounds startup
// only; see the package doc.
func (p *process) Start(ctx context.Context) (Endpoint, error) {
	if err := p.start(); err != nil {
		return Endpoint{}, fmt.Errorf("start process %s: %w", p.name(), err)
	}
	r := readiness{
		timeout:  p.spec.Ready.timeout(),
		interval: p.spec.Ready.interval(),
		logLine:  p.spec.Ready.Log,
		died:     p.exited,
		exited: func(context.Context) error {
			select {
			case <-p.exited:
				if p.waitErr == nil {
					return errors.New("exit status 0")
				}
				return p.waitErr
			default:
				return nil
			}
		},
	}
	if p.spec.Ready.Log != "" {
		r.logSeen = p.out.seen
	}
	switch {
	case p.spec.Ready.URL != "":
		r.check = httpCheck(p.spec.Ready.client(), p.spec.Ready.URL)
	case p.spec.Ready.Port != "":
		r.check = dialCheck(net.JoinHostPort("127.0.0.1", p.spec.Ready.Port))
	}
	if err := r.wait(ctx); err != nil {
		// Stop first so that the output is complete when the caller
		// quotes its tail (Logs), redacted. An interrupted Start (ctx
		// done) kills at once; otherwise the process gets its grace period.
		_ = p.Stop(ctx)
		return Endpoint{}, fmt.Errorf("start process %s: %w", p.name(), err)
	}
	return p.spec.Endpoint, nil
}

// start launches the command with its output wired to p.out.
func (p *process) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started {
		return errors.New("already started")
	}
	p.started = true
	if len(p.spec.Command) == 0 {
		p.stopped = true
		return errors.New("empty command")
	}

	// The command's context is ours, not the caller's: cancelling the
	// Start ctx after startup must not kill the target (Stop does), and
	// exec.CommandContext then gives us SIGKILL-the-group on kill().
	life, kill := context.WithCancel(context.Background())
	cmd := exec.CommandContext(life, p.spec.Command[0], p.spec.Command[1:]...)
	cmd.Dir = p.spec.Dir
	cmd.Env = p.spec.Env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return signalGroup(cmd.Process.Pid, syscall.SIGKILL) }

	// Our own pipes rather than cmd.StdoutPipe: Wait then returns when the
	// process exits, even if a grandchild still holds the write end.
	outR, outW, err := os.Pipe()
	if err != nil {
		kill()
		p.stopped = true
		return fmt.Errorf("create stdout pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		kill()
		outR.Close()
		outW.Close()
		p.stopped = true
		return fmt.Errorf("create stderr pipe: %w", err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	err = cmd.Start()
	// The child has its copies; ours must go so EOF arrives when it exits.
	outW.Close()
	errW.Close()
	if err != nil {
		kill()
		outR.Close()
		errR.Close()
		p.stopped = true
		return err
	}

	p.cmd, p.kill = cmd, kill
	p.readers = []*os.File{outR, errR}
	p.exited = make(chan struct{})
	p.copied = make(chan struct{})
	var wg sync.WaitGroup
	for _, c := range []struct {
		r   *os.File
		tee io.Writer
	}{{outR, p.spec.Stdout}, {errR, p.spec.Stderr}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := p.out.stream()
			var w io.Writer = s
			if c.tee != nil {
				w = io.MultiWriter(s, teeWriter{c.tee})
			}
			_, _ = io.Copy(w, c.r)
			s.Close()
		}()
	}
	go func() {
		wg.Wait()
		close(p.copied)
	}()
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return nil
}

// Stop sends SIGTERM to the process group, waits up to StopGrace (or until
// ctx is done), then sends SIGKILL to the group. Members left behind by a
// leader that exited on SIGTERM are killed too.
func (p *process) Stop(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.started || p.stopped {
		return nil
	}
	p.stopped = true
	pid := p.cmd.Process.Pid
	defer p.kill()

	grace := p.spec.StopGrace
	if grace <= 0 {
		grace = DefaultStopGrace
	}
	var errs []error
	if err := signalGroup(pid, syscall.SIGTERM); err != nil {
		errs = append(errs, fmt.Errorf("signal process group %d: %w", pid, err))
	}
	t := time.NewTimer(grace)
	select {
	case <-p.exited:
	case <-t.C:
	case <-ctx.Done():
	}
	t.Stop()
	// Always: the leader may be gone while children it started live on.
	if err := signalGroup(pid, syscall.SIGKILL); err != nil {
		errs = append(errs, fmt.Errorf("kill process group %d: %w", pid, err))
	}
	select {
	case <-p.exited:
	case <-time.After(grace):
		errs = append(errs, fmt.Errorf("wait for process %d: still running after SIGKILL", pid))
	}
	// A process that left our group may still hold the pipes; do not wait
	// for it forever.
	select {
	case <-p.copied:
	case <-time.After(time.Second):
		for _, r := range p.readers {
			r.Close()
		}
		<-p.copied
	}
	for _, r := range p.readers {
		r.Close()
	}
	if len(errs) > 0 {
		return fmt.Errorf("stop process %s: %w", p.name(), errors.Join(errs...))
	}
	return nil
}

// Logs returns the captured output, or nil if there was none.
func (p *process) Logs() []byte { return p.out.Bytes() }

// signalGroup signals every process in the group led by pid; a group that is
// already gone is not an error.
func signalGroup(pid int, sig syscall.Signal) error {
	err := syscall.Kill(-pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// teeWriter drops write errors so a broken tee never stops the capture.
type teeWriter struct{ w io.Writer }

func (t teeWriter) Write(p []byte) (int, error) {
	_, _ = t.w.Write(p)
	return len(p), nil
}
