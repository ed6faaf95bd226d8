package target

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// fakeserverBin is the path of the static fakeserver binary TestMain builds
// once for every test in the package (test-only state, set before any test).
var fakeserverBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "assay-target-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "create temp dir:", err)
		os.Exit(1)
	}
	fakeserverBin = filepath.Join(dir, "fakeserver")
	// Static, so the same binary runs in a FROM scratch image.
	build := exec.Command("go", "build", "-trimpath", "-o", fakeserverBin, "./testdata/fakeserver")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build fakeserver: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freePort returns a TCP port that was free a moment ago on 127.0.0.1. It
// is drawn from below Linux's default ephemeral range (32768-60999): a port
// the kernel handed out would also be a candidate for the local end of the
// harness's own probe connections, and binding it would then fail.
func freePort(t *testing.T) string {
	t.Helper()
	for range 100 {
		port := strconv.Itoa(20000 + rand.IntN(12000))
		ln, err := net.Listen("tcp", "127.0.0.1:"+port)
		if err == nil {
			ln.Close()
			return port
		}
	}
	t.Fatal("no free port in 20000-31999")
	return ""
}
