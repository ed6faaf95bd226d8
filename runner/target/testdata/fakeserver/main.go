// Command fakeserver is a stand-in target for the tests of package target.
// It is built by those tests (statically, so it also runs in a FROM scratch
// image) and never shipped.
//
// Flags choose how it misbehaves: exit at once, never listen, answer 503,
// start a child in its own process group, ignore SIGTERM, or GET a URL and
// log what came back (to prove a container reaches the host).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	exit := flag.Int("exit", -1, "print a line and exit at once with this status")
	neverReady := flag.Bool("never-ready", false, "never listen; just wait")
	status := flag.Int("status", http.StatusOK, "HTTP status every request gets")
	readyLog := flag.String("ready-log", "", "line printed once listening")
	delay := flag.Duration("delay", 0, "wait this long before listening")
	child := flag.Bool("child", false, "start a child that sleeps and print its pid")
	ignoreTerm := flag.Bool("ignore-term", false, "ignore SIGTERM")
	probe := flag.String("probe", "", "GET this URL at start and log the result")
	sleep := flag.Bool("sleep", false, "sleep forever (used for the child)")
	flag.Parse()

	if *ignoreTerm {
		signal.Ignore(syscall.SIGTERM)
	} else {
		// Explicitly: as PID 1 in a container, default signal actions do
		// not apply, and docker stop would wait out its grace period.
		term := make(chan os.Signal, 1)
		signal.Notify(term, syscall.SIGTERM)
		go func() {
			<-term
			fmt.Println("fakeserver: SIGTERM, exiting")
			os.Exit(0)
		}()
	}
	if *sleep {
		sleepForever()
	}
	fmt.Printf("fakeserver pid %d\n", os.Getpid())
	if *exit >= 0 {
		fmt.Fprintf(os.Stderr, "fakeserver: exiting with status %d as asked\n", *exit)
		os.Exit(*exit)
	}
	if *child {
		args := []string{"-sleep"}
		if *ignoreTerm {
			args = append(args, "-ignore-term")
		}
		c := exec.Command(os.Args[0], args...)
		if err := c.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "fakeserver: start child:", err)
			os.Exit(2)
		}
		fmt.Printf("child pid %d\n", c.Process.Pid)
	}
	if *probe != "" {
		go probeURL(*probe)
	}
	if *neverReady {
		sleepForever()
	}
	time.Sleep(*delay)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeserver: listen:", err)
		os.Exit(2)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	if *readyLog != "" {
		fmt.Println(*readyLog)
	}
	code := *status
	err = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprintf(w, "{\"path\":%q}\n", r.URL.Path)
	}))
	fmt.Fprintln(os.Stderr, "fakeserver: serve:", err)
	os.Exit(2)
}

// sleepForever blocks; a bare select{} would be a deadlock to the runtime.
func sleepForever() {
	for {
		time.Sleep(time.Hour)
	}
}

// probeURL retries for a few seconds because the host listener may come up
// after the container.
func probeURL(url string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
			resp.Body.Close()
			fmt.Printf("probe %s: %d %s\n", url, resp.StatusCode, body)
			return
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	fmt.Printf("probe %s: failed: %v\n", url, last)
}
