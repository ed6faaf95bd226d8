// Package target starts, watches and stops the token endpoint under test.
//
// There are three kinds: URL (already running; nothing to start), Process
// (a local command in its own process group) and Container (a Docker
// container started through testcontainers-go, optionally built from a
// Dockerfile). Each constructor takes every input as an explicit spec; no
// kind reads flags or keeps package state, and none registers a global
// cleanup.
//
// Cleanup is the caller's job, and it is simple: defer Stop right after
// Start, whatever Start returned. Stop is idempotent and safe after a failed
// or never-called Start. The assay runner runs under
// signal.NotifyContext(SIGINT, SIGTERM); Ctrl-C cancels that context, the
// run unwinds, and the deferred Stop terminates the process group or removes
// the container. A process target lives in its own process group, so the
// terminal's Ctrl-C never reaches it directly: Stop is what ends it.
//
// The context given to Start bounds startup only (image build, container
// creation, readiness). Cancelling it after Start returned does not stop the
// target; Stop does.
package target

import (
	"context"
	"errors"
)

// Endpoint says where the target's token endpoint is, as seen from the
// harness. Empty TokenEndpoint and MetadataURL mean "discover from Issuer".
type Endpoint struct {
	// Issuer is the authorization server's issuer identifier (RFC 8414 §2).
	Issuer string
	// TokenEndpoint is the URL token requests are sent to.
	TokenEndpoint string
	// MetadataURL is the discovery document's URL (RFC 8414 §3, or
	// OpenID Connect Discovery 1.0 §4).
	MetadataURL string
	// HostGatewayAlias is the host name under which the target reaches
	// listeners on the harness host ("host.docker.internal" for containers),
	// or "" when the target shares the host's network namespace.
	HostGatewayAlias string
}

// Target is a token endpoint the harness can start and stop.
type Target interface {
	// Start brings the target up and waits until it is ready. On error it
	// has already cleaned up what it started; Stop is still safe.
	Start(ctx context.Context) (Endpoint, error)
	// Stop ends the target and releases everything Start acquired. It is
	// idempotent.
	Stop(ctx context.Context) error
	// Logs returns the target's captured output (the last MaxLogBytes), or
	// nil if there is none.
	Logs() []byte
}

// Errors callers branch on: a target that never became ready, or one that
// exited during startup, is a harness ERROR with the target's output
// attached, not a conformance failure.
var (
	// ErrNotReady means the readiness probe did not succeed in time.
	ErrNotReady = errors.New("target not ready")
	// ErrExited means the target process or container exited before it
	// became ready.
	ErrExited = errors.New("target exited")
)

// HostGatewayAlias is the name a container uses to reach the host. Containers
// get it mapped to Docker's "host-gateway" (the docker0 bridge address).
const HostGatewayAlias = "host.docker.internal"

// URL returns a Target for an endpoint that is already running. Start
// returns ep unchanged; Stop does nothing.
func URL(ep Endpoint) Target { return urlTarget{ep: ep} }

type urlTarget struct{ ep Endpoint }

func (u urlTarget) Start(context.Context) (Endpoint, error) { return u.ep, nil }
func (u urlTarget) Stop(context.Context) error              { return nil }
func (u urlTarget) Logs() []byte                            { return nil }
