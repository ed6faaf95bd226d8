package runner_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/reference"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/runner/config"
)

// The fault matrix: assay run against targets that misbehave in
// every way a real one can, each through the real binary. Every row must
// end with exit 3 (ERROR) and a readable cause, quickly, without a panic,
// without a FAIL where the target could not be reached, without a PASS from
// a target that issues no tokens, and without leaving processes or
// goroutines behind.

// faultServer is a loopback listener with a misbehaviour. It counts the
// connections it accepted so a row can prove assay really talked to it.
type faultServer struct {
	ln    net.Listener
	srv   *http.Server // nil for raw servers
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
	done  chan struct{}
}

func (f *faultServer) URL() string { return "http://" + f.ln.Addr().String() }

func (f *faultServer) Close() {
	close(f.done)
	if f.srv != nil {
		_ = f.srv.Close()
	} else {
		_ = f.ln.Close()
	}
	f.mu.Lock()
	for _, c := range f.conns {
		_ = c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// serveHTTP serves h on loopback until Close.
func serveHTTP(t *testing.T, h http.HandlerFunc) *faultServer {
	t.Helper()
	f := &faultServer{ln: listenLoopback(t), done: make(chan struct{})}
	f.srv = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second,
		ConnState: func(c net.Conn, s http.ConnState) {
			if s == http.StateNew {
				f.mu.Lock()
				f.conns = append(f.conns, c)
				f.mu.Unlock()
			}
		}}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		_ = f.srv.Serve(f.ln)
	}()
	return f
}

// serveSilent accepts connections and never reads or answers.
func serveSilent(t *testing.T) *faultServer {
	t.Helper()
	f := &faultServer{ln: listenLoopback(t), done: make(chan struct{})}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			c, err := f.ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.conns = append(f.conns, c)
			f.mu.Unlock()
		}
	}()
	return f
}

func (f *faultServer) accepted() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.conns)
}

// Misbehaving handlers.

func always5xx(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintln(w, "internal server error")
}

func htmlErrorPage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintln(w, "<!doctype html><html><head><title>400 Bad Request</title></head><body><h1>Bad Request</h1><p>nginx</p></body></html>")
}

// nonJSON answers 200 with a JSON content type and a body that is not JSON,
// a different broken body per request.
func nonJSON() http.HandlerFunc {
	bodies := []string{`{"access_token": "x", `, `access_token=x&token_type=Bearer`, `null`, `["access_token"]`, "\x00\xff\xfe", ``}
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		b := bodies[n%len(bodies)]
		n++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, b)
	}
}

// bigBody answers 200 with a 10 MB JSON-looking body whose token never
// ends.
func bigBody(w http.ResponseWriter, _ *http.Request) {
	const size = 10 << 20
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(size))
	head := `{"token_type":"Bearer","access_token":"`
	_, _ = w.Write([]byte(head))
	chunk := []byte(strings.Repeat("a", 64<<10))
	for n := len(head); n < size; n += len(chunk) {
		if n+len(chunk) > size {
			chunk = chunk[:size-n]
		}
		if _, err := w.Write(chunk); err != nil {
			return // the client stopped reading: good
		}
	}
}

// slowDrip answers 200 at once, then one byte of body every 100 ms, forever
// (until the client gives up or the server closes).
func slowDrip(done <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		fl, _ := w.(http.Flusher)
		for {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
			select {
			case <-r.Context().Done():
				return
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// redirectLoop sends every request back to itself.
func redirectLoop(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, r.URL.Path, http.StatusFound)
}

// urlTarget is a config for a url target at base with every endpoint
// given, so that the run reaches the checks instead of stopping at
// discovery.
func urlTarget(t *testing.T, name, base, extra string) string {
	return urlTargetTimeout(t, name, base, extra, "2s")
}

// issuerOnly is a url target found through its metadata document alone;
// extra is added under target.
func issuerOnly(t *testing.T, name, base, extra string) string {
	t.Helper()
	return writeFile(t, name+".yaml", fmt.Sprintf(`version: v1
name: fault %s
target:
  kind: url
  issuer: %s
%s
clients:
  A: {id: client-a}
  B: {id: client-b}
timeouts: {request: 2s, check: 5s}
`, name, base, extra))
}

// urlTargetTimeout is urlTarget with timeouts.request set to request: a
// row that waits for a silent target pays it once per check that reaches
// the network.
func urlTargetTimeout(t *testing.T, name, base, extra, request string) string {
	t.Helper()
	return writeFile(t, name+".yaml", fmt.Sprintf(`version: v1
name: fault %[1]s
target:
  kind: url
  issuer: %[2]s
  tokenEndpoint: %[2]s/token
  metadataURL: %[2]s/.well-known/openid-configuration
%[3]s
clients:
  A: {id: client-a}
  B: {id: client-b}
timeouts: {request: %[4]s, check: 5s}
`, name, base, extra, request))
}

// faultRun is one exec of assay with a bounded wait.
type faultRun struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
	report         *v1.Report // nil when the run stopped before the checks
	reportSize     int
}

func runBounded(t *testing.T, limit time.Duration, args ...string) faultRun {
	t.Helper()
	return runBoundedEnv(t, limit, nil, args...)
}

// runBoundedEnv is runBounded with variables added to the environment
// ("NAME=value").
func runBoundedEnv(t *testing.T, limit time.Duration, env []string, args ...string) faultRun {
	t.Helper()
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "report.json")
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, assayBin, append(args, "--json", jsonPath)...)
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	start := time.Now()
	err := cmd.Run()
	r := faultRun{stdout: o.String(), stderr: e.String(), elapsed: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("assay hung: killed after %s\nstdout:\n%s\nstderr:\n%s", limit, r.stdout, r.stderr)
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("exec assay: %v", err)
	}
	if b, err := os.ReadFile(jsonPath); err == nil {
		r.reportSize = len(b)
		r.report = &v1.Report{}
		if err := json.Unmarshal(b, r.report); err != nil {
			t.Fatalf("report.json: %v", err)
		}
	}
	return r
}

func (r faultRun) count(o v1.Outcome) int {
	if r.report == nil {
		return 0
	}
	n := 0
	for _, res := range r.report.Results {
		if res.Outcome == o {
			n++
		}
	}
	return n
}

// ids lists the IDs of the results with outcome o, for failure messages.
func (r faultRun) ids(o v1.Outcome) string {
	var out []string
	if r.report != nil {
		for _, res := range r.report.Results {
			if res.Outcome == o {
				out = append(out, res.ID+" ("+res.Reason+")")
			}
		}
	}
	return strings.Join(out, "\n  ")
}

// pidAlive reports whether pid is a live (non-zombie) process.
func pidAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) S ...: the state follows the last ')'.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}

func readPIDs(t *testing.T, path string) []int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var pids []int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if n, err := strconv.Atoi(strings.TrimSpace(sc.Text())); err == nil {
			pids = append(pids, n)
		}
	}
	return pids
}

type faultRow struct {
	name string
	// setup returns the assay arguments (after "run"); it may register
	// cleanups with t.
	setup func(t *testing.T) []string
	// cause: every string must appear in stderr, stdout or an ERROR reason.
	cause []string
	// reachable: the target answers HTTP, so FAIL rows are possible in
	// principle; unreachable targets must yield no FAIL at all.
	reachable bool
	// code is the wanted exit code; zero value means 3.
	code int
	// tokens: the target issues tokens (PASS allowed).
	tokens bool
	// warn: a line stderr must hold.
	warn string
	// after runs extra assertions (leaked processes).
	after func(t *testing.T, r faultRun)
}

// hangBound is when a fault row's run counts as hung and is killed. It is
// not a speed budget (a loaded 2-core CI box running the race detector may
// be slow): that assay gives up on a silent or dripping target is shown by
// the cause ("not sent: the last 3 requests"), derived from the configured
// request timeout, not by the wall clock.
const hangBound = 3 * time.Minute

func TestFaultMatrix(t *testing.T) {
	ca := repoFile(t, "fixtures/tls/ca.pem")
	var servers struct {
		sync.Mutex
		list []*faultServer
	}
	keep := func(f *faultServer) *faultServer {
		servers.Lock()
		servers.list = append(servers.list, f)
		servers.Unlock()
		return f
	}
	goroutinesBefore := runtime.NumGoroutine()
	var neverPIDs string // the pids file of the "never ready" row
	var silent *faultServer

	rows := []faultRow{
		{name: "connection refused",
			setup: func(t *testing.T) []string {
				return []string{"--config", urlTarget(t, "refused", fmt.Sprintf("http://127.0.0.1:%d", freePort(t)), "")}
			},
			cause: []string{"connection refused"}},
		{name: "connection refused, discovery only",
			setup: func(t *testing.T) []string {
				return []string{"--config", issuerOnly(t, "refused-disc", fmt.Sprintf("http://127.0.0.1:%d", freePort(t)), "")}
			},
			cause: []string{"discover token endpoint", "connection refused"}},
		{name: "10 MB metadata document, discovery only",
			setup: func(t *testing.T) []string {
				return []string{"--config", issuerOnly(t, "big-disc", keep(serveHTTP(t, bigBody)).URL(), "")}
			},
			cause: []string{"discover token endpoint", "is larger than 1048576 bytes, the most assay reads"}},
		{name: "every request 5xx, discovery only",
			setup: func(t *testing.T) []string {
				return []string{"--config", issuerOnly(t, "5xx-disc", keep(serveHTTP(t, always5xx)).URL(), "")}
			},
			cause: []string{"discover token endpoint", "no metadata with a token_endpoint", "HTTP 500"}},
		{name: "accepts and never answers",
			setup: func(t *testing.T) []string {
				silent = keep(serveSilent(t))
				return []string{"--config", urlTargetTimeout(t, "silent", silent.URL(), "", "1s")}
			},
			cause: []string{"Client.Timeout exceeded while awaiting headers", "not sent: the last 3 requests"},
			// About 30 checks reach the network; after three 1 s timeouts
			// the client stops sending (suites.GiveUpAfter).
			after: func(t *testing.T, _ faultRun) {
				if silent.accepted() == 0 {
					t.Error("assay never connected to the silent target")
				}
			}},
		{name: "slow drip body",
			setup: func(t *testing.T) []string {
				f := &faultServer{}
				f = keep(serveHTTP(t, func(w http.ResponseWriter, r *http.Request) { slowDrip(f.done)(w, r) }))
				return []string{"--config", urlTargetTimeout(t, "drip", f.URL(), "", "1s")}
			},
			cause: []string{"while reading body", "not sent: the last 3 requests"}},
		{name: "every request 5xx", reachable: true,
			setup: func(t *testing.T) []string {
				return []string{"--config", urlTarget(t, "5xx", keep(serveHTTP(t, always5xx)).URL(), "")}
			},
			cause: []string{"HTTP 500"}},
		{name: "HTML error page", reachable: true,
			setup: func(t *testing.T) []string {
				return []string{"--config", urlTarget(t, "html", keep(serveHTTP(t, htmlErrorPage)).URL(), "")}
			},
			cause: []string{"HTTP 400", "<!doctype html>"}},
		{name: "non-JSON bodies", reachable: true,
			setup: func(t *testing.T) []string {
				return []string{"--config", urlTarget(t, "nonjson", keep(serveHTTP(t, nonJSON())).URL(), "")}
			},
			cause: []string{"got HTTP 200 without an access_token"}},
		{name: "10 MB body", reachable: true,
			setup: func(t *testing.T) []string {
				return []string{"--config", urlTarget(t, "big", keep(serveHTTP(t, bigBody)).URL(), "")}
			},
			cause: []string{"with a body over 1048576 bytes"},
			// Every check reads up to the 1 MiB cap of a 10 MB answer: bounded,
			// but not quick under -race on a loaded box.
			after: func(t *testing.T, r faultRun) {
				cut := 0
				for _, res := range r.report.Results {
					for _, ex := range res.Exchanges {
						if ex.Response == nil {
							continue
						}
						if len(ex.Response.Body) > 64<<10 {
							t.Errorf("%s: a response body of %d bytes in the report", res.ID, len(ex.Response.Body))
						}
						if ex.Response.Truncated {
							cut++
						}
					}
				}
				if cut == 0 {
					t.Error("no exchange in the report is marked truncated")
				}
				if r.reportSize > 8<<20 {
					t.Errorf("report.json is %d bytes: the target's bodies went into it unclipped", r.reportSize)
				}
				t.Logf("report.json: %d bytes, %d truncated bodies", r.reportSize, cut)
			}},
		{name: "redirect loop", reachable: true,
			setup: func(t *testing.T) []string {
				return []string{"--config", urlTarget(t, "redirect", keep(serveHTTP(t, redirectLoop)).URL(), "")}
			},
			cause: []string{"HTTP 302"}},
		{name: "TLS unknown CA",
			setup: func(t *testing.T) []string {
				return []string{"--config", tlsTarget(t, ""), "--only", "A-CA-04,A-MD-02"}
			},
			cause: []string{"certificate signed by unknown authority", "hint: if the target's certificate comes from a private CA"}},
		{name: "TLS unknown CA, caFile in config", code: 0, tokens: true,
			setup: func(t *testing.T) []string {
				return []string{"--config", tlsTarget(t, "  caFile: "+ca), "--only", "A-CA-04,A-MD-02"}
			}},
		{name: "TLS unknown CA, --ca-file", code: 0, tokens: true,
			setup: func(t *testing.T) []string {
				return []string{"--config", tlsTarget(t, ""), "--ca-file", ca, "--only", "A-CA-04,A-MD-02"}
			}},
		{name: "TLS unknown CA, --insecure-skip-verify", code: 0, tokens: true,
			setup: func(t *testing.T) []string {
				return []string{"--config", tlsTarget(t, ""), "--insecure-skip-verify", "--only", "A-CA-04,A-MD-02"}
			},
			warn: "TLS certificate verification is off"},
		{name: "process exits immediately",
			setup: func(t *testing.T) []string {
				return []string{"--config", processTarget(t, "exits", `echo "boom: no config"; exit 7`, "")}
			},
			cause: []string{"exited before it was ready", "exit status 7", "boom: no config"}},
		{name: "process never ready",
			setup: func(t *testing.T) []string {
				pids := filepath.Join(t.TempDir(), "pids")
				neverPIDs = pids
				script := fmt.Sprintf(`sleep 300 & echo $! >> %[1]s; echo $$ >> %[1]s; echo starting; wait`, pids)
				t.Cleanup(func() {
					for _, pid := range readPIDs(t, pids) {
						_ = syscall.Kill(pid, syscall.SIGKILL)
					}
				})
				return []string{"--config", processTarget(t, "never", script, pids)}
			},
			cause: []string{"not ready after 1s", "starting"},
			after: func(t *testing.T, _ faultRun) {
				pids := readPIDs(t, neverPIDs)
				if len(pids) != 2 {
					t.Fatalf("the target wrote pids %v, want the shell and its child", pids)
				}
				for _, pid := range pids {
					if pidAlive(pid) {
						t.Errorf("process %d outlived assay", pid)
					}
				}
			}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"run"}, row.setup(t)...)
			r := runBounded(t, hangBound, args...)
			want := row.code
			if want == 0 && !row.tokens {
				want = 3
			}
			all := r.stdout + "\n" + r.stderr
			if r.report != nil {
				for _, res := range r.report.Results {
					if res.Outcome == v1.Error {
						all += "\n" + res.Reason
					}
				}
			}
			if r.code != want {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, want, r.stdout, r.stderr)
			}
			for _, bad := range []string{"panic:", "goroutine ", "harness panic"} {
				if strings.Contains(all, bad) {
					t.Errorf("output holds %q:\n%s", bad, all)
				}
			}
			for _, c := range row.cause {
				if !strings.Contains(all, c) {
					t.Errorf("cause %q shown nowhere\nstdout:\n%s\nstderr:\n%s", c, r.stdout, r.stderr)
				}
			}
			if row.warn != "" && !strings.Contains(r.stderr, row.warn) {
				t.Errorf("stderr lacks the warning %q:\n%s", row.warn, r.stderr)
			}
			if !row.tokens && r.count(v1.Pass) > 0 {
				t.Errorf("PASS from a target that issues no tokens:\n  %s", r.ids(v1.Pass))
			}
			if !row.reachable && !row.tokens && r.count(v1.Fail) > 0 {
				t.Errorf("FAIL against an unreachable target:\n  %s", r.ids(v1.Fail))
			}
			t.Logf("exit %d in %s; report: %v", r.code, r.elapsed.Round(time.Millisecond), r.report != nil)
			if r.report != nil {
				t.Logf("counts %v", r.report.Summary.Counts)
			}
			if row.after != nil {
				row.after(t, r)
			}
		})
	}
	t.Cleanup(func() {
		for _, f := range servers.list {
			f.Close()
		}
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > goroutinesBefore+2 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > goroutinesBefore+2 {
			buf := make([]byte, 1<<16)
			t.Errorf("goroutines: %d before, %d after the fault servers closed\n%s", goroutinesBefore, n, buf[:runtime.Stack(buf, true)])
		}
	})
}

// tlsTarget is a url target: the reference, in this process, over TLS
// with a certificate from the committed test CA, which no system trusts.
// extra is added under target.
func tlsTarget(t *testing.T, extra string) string {
	t.Helper()
	cast, err := mockidp.FixtureCast()
	if err != nil {
		t.Fatal(err)
	}
	in, err := reference.Start(reference.Options{Profile: "BASE", Clock: time.Now, Rand: rand.Reader, Cast: cast})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	return issuerOnly(t, "tls", in.Issuer, extra)
}

// processTarget is a process target running script under sh; its readiness
// probe waits for a port nobody opens.
func processTarget(t *testing.T, name, script, _ string) string {
	t.Helper()
	port := freePort(t)
	return writeFile(t, name+".yaml", fmt.Sprintf(`version: v1
name: fault %[1]s
target:
  kind: process
  issuer: http://127.0.0.1:%[2]d
  tokenEndpoint: http://127.0.0.1:%[2]d/token
  process:
    command: [sh, -c, %[3]q]
    ready: {port: "%[2]d", timeout: 1s}
clients:
  A: {id: client-a}
  B: {id: client-b}
timeouts: {request: 400ms, check: 3s, start: 1s}
`, name, port, script))
}

// TestListenersBindLoopback: every listener assay opens binds 127.0.0.1
// unless configured otherwise, so a run never exposes the mock IdP (which
// hosts key sets) or the reference on the network.
func TestListenersBindLoopback(t *testing.T) {
	t.Parallel()
	if h, _, _ := net.SplitHostPort(config.Default().MockIdP.Listen); h != "127.0.0.1" {
		t.Errorf("config default mockidp.listen %q", config.Default().MockIdP.Listen)
	}
	cast, err := mockidp.FixtureCast()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ addr, want string }{{"", "127.0.0.1"}, {"127.0.0.2:0", "127.0.0.2"}} {
		in, err := reference.Start(reference.Options{Profile: "BASE", Clock: time.Now, Rand: rand.Reader, Cast: cast, Addr: tc.addr, IdPAddr: tc.addr})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{in.Issuer, in.IdPURL} {
			if h := hostOf(t, u); h != tc.want {
				t.Errorf("reference with addr %q listens at %s, want host %s", tc.addr, u, tc.want)
			}
		}
		_ = in.Close()
	}

	// The runner's own mock IdP, seen from inside a process target: the
	// target reads the kernel's socket table while assay runs.
	for _, tc := range []struct{ listen, want string }{{"", "0100007F"}, {"127.0.0.2:0", "0200007F"}} {
		out := filepath.Join(t.TempDir(), "sockets")
		script := fmt.Sprintf(`echo "${ASSAY_MOCKIDP_URL##*:}" > %[1]s; cat /proc/net/tcp /proc/net/tcp6 >> %[1]s`, out)
		cfg := processTarget(t, "sockets", script, "")
		if tc.listen != "" {
			b, _ := os.ReadFile(cfg)
			if err := os.WriteFile(cfg, append(b, []byte("mockidp: {listen: \""+tc.listen+"\"}\n")...), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		r := runBounded(t, 20*time.Second, "run", "--config", cfg)
		if r.code != 3 {
			t.Fatalf("exit %d (the target exits at once: want 3)\n%s", r.code, r.stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatalf("the target did not run: %v\n%s", err, r.stderr)
		}
		lines := strings.Split(string(b), "\n")
		port, err := strconv.Atoi(strings.TrimSpace(lines[0]))
		if err != nil {
			t.Fatalf("ASSAY_MOCKIDP_URL port: %q", lines[0])
		}
		hexPort := fmt.Sprintf(":%04X", port)
		var binds []string
		for _, l := range lines[1:] {
			f := strings.Fields(l)
			// sl local_address rem_address st ...; 0A is LISTEN.
			if len(f) > 3 && f[3] == "0A" && strings.HasSuffix(f[1], hexPort) {
				binds = append(binds, strings.TrimSuffix(f[1], hexPort))
			}
		}
		if len(binds) != 1 || binds[0] != tc.want {
			t.Errorf("mockidp.listen %q: the mock IdP listens on %v (hex, /proc/net/tcp), want only %s", tc.listen, binds, tc.want)
		}
	}
}

func hostOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Hostname()
}

// TestTLSFlagUsage: --ca-file and --insecure-skip-verify are usage errors
// together, with the reference target, and for an unreadable file.
func TestTLSFlagUsage(t *testing.T) {
	t.Parallel()
	url := urlTarget(t, "tlsflags", "https://127.0.0.1:1", "")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "--config", url, "--ca-file", "x.pem", "--insecure-skip-verify"}, 2, "give one, not both"},
		{[]string{"run", "--insecure-skip-verify"}, 2, "not used with the built-in reference target"},
		{[]string{"run", "--config", url, "--ca-file", filepath.Join(t.TempDir(), "missing.pem")}, 2, "target.caFile"},
	} {
		_, errOut, code := assay(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("assay %v: exit %d, stderr:\n%s\nwant exit %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}
