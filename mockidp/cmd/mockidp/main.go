// Command mockidp runs assay's mock IdP and strict reference token endpoint
// as a process or container: `mockidp serve --addr 127.0.0.1:0` prints its
// URLs and serves until SIGINT or SIGTERM. It also runs token issuer IdP-V
// (discovery, a jwks_uri, /mint) for teams testing their own verifiers:
// `--rotate-period 1h --rotate-overlap 10m --rotate-retire 10m` rotates its
// keys on that schedule.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "mockidp:", err)
		os.Exit(2)
	}
}
