// Package provision makes the target know assay's clients and its grant
// issuer: RFC 7591 dynamic client registration, or the user's hook
// commands.
//
// Static registration needs nothing here: the config names the client_ids.
// With dynamic registration assay POSTs each client's metadata (RFC 7591
// §2) to the registration endpoint and reads client_id (and client_secret
// for secret clients) from the response (§3.2.1). With command
// registration assay runs the user's hook once per client, the metadata
// as JSON on stdin, and reads the client_id from stdout. The trust-issuer
// hook gets {"issuer", "jwks_uri"} of IdP-H on stdin the same way.
//
// Every failure is a harness problem (semantics §2: ERROR) and says why;
// secrets (the initial access token, client secrets) never appear in an
// error.
package provision

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/assayhq/assay/mockidp/oauth"
)

// Metadata is the client metadata assay registers (RFC 7591 §2). Secret
// clients carry no jwks_uri.
type Metadata struct {
	ClientName                  string   `json:"client_name"`
	JWKSURI                     string   `json:"jwks_uri,omitempty"`
	TokenEndpointAuthMethod     string   `json:"token_endpoint_auth_method"`
	TokenEndpointAuthSigningAlg string   `json:"token_endpoint_auth_signing_alg,omitempty"`
	GrantTypes                  []string `json:"grant_types"`
}

// Registered is what the target assigned.
type Registered struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret,omitempty"`
}

// Trust is the trust-issuer hook's input: the JWT bearer grant's issuer
// (IdP-H), where its keys are and the keys themselves (public JWKS
// inline, for a server that takes keys but fetches none), the algorithm
// and kid it signs with, and the subjects it asserts.
type Trust struct {
	Issuer   string          `json:"issuer"`
	JWKSURI  string          `json:"jwks_uri"`
	JWKS     json.RawMessage `json:"jwks,omitempty"`
	Alg      string          `json:"alg,omitempty"`
	Kid      string          `json:"kid,omitempty"`
	Subject  string          `json:"subject,omitempty"`
	Subjects []string        `json:"subjects,omitempty"`
}

// Registrar registers one client.
type Registrar interface {
	Register(ctx context.Context, m Metadata) (Registered, error)
}

// maxBody bounds what assay reads from a registration response or a hook.
const maxBody = 64 << 10

// Dynamic registers clients at an RFC 7591 registration endpoint.
type Dynamic struct {
	// Endpoint is the registration endpoint URL.
	Endpoint string
	// InitialAccessToken is sent as a Bearer token when set (RFC 7591 §3).
	InitialAccessToken string
	// Client sends the request; it must have a timeout.
	Client *http.Client
}

// Register POSTs m and reads the client information response.
func (d Dynamic) Register(ctx context.Context, m Metadata) (Registered, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return Registered{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Endpoint, bytes.NewReader(body))
	if err != nil {
		return Registered{}, fmt.Errorf("register %s: %w", m.ClientName, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if d.InitialAccessToken != "" {
		req.Header.Set("Authorization", "Bearer "+d.InitialAccessToken)
	}
	resp, err := d.Client.Do(req)
	if err != nil {
		return Registered{}, fmt.Errorf("register %s at %s: %w", m.ClientName, d.Endpoint, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Registered{}, fmt.Errorf("register %s at %s: read response: %w", m.ClientName, d.Endpoint, err)
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return Registered{}, fmt.Errorf("register %s at %s: %s", m.ClientName, d.Endpoint, describeError(resp, raw, d.InitialAccessToken != ""))
	}
	var out Registered
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct != "application/json" {
		return Registered{}, fmt.Errorf("register %s at %s: HTTP %d with Content-Type %q, want application/json (RFC 7591 §3.2.1)", m.ClientName, d.Endpoint, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return Registered{}, fmt.Errorf("register %s at %s: parse client information response: %w", m.ClientName, d.Endpoint, err)
	}
	if out.ClientID == "" {
		return Registered{}, fmt.Errorf("register %s at %s: response has no client_id (RFC 7591 §3.2.1)", m.ClientName, d.Endpoint)
	}
	if needsSecret(m) && out.ClientSecret == "" {
		return Registered{}, fmt.Errorf("register %s at %s: %s client got no client_secret (RFC 7591 §3.2.1)", m.ClientName, d.Endpoint, m.TokenEndpointAuthMethod)
	}
	return out, nil
}

func needsSecret(m Metadata) bool {
	return m.TokenEndpointAuthMethod == "client_secret_jwt" || m.TokenEndpointAuthMethod == "client_secret_basic" ||
		m.TokenEndpointAuthMethod == "client_secret_post"
}

// describeError renders an RFC 7591 §3.2.2 error response without echoing
// anything that could be a credential.
func describeError(resp *http.Response, raw []byte, sentToken bool) string {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	s := fmt.Sprintf("HTTP %d", resp.StatusCode)
	if json.Unmarshal(raw, &e) == nil && e.Error != "" {
		s += ": " + e.Error
		if e.Description != "" {
			s += ": " + oneLine(e.Description, 300)
		}
	} else if len(raw) > 0 {
		s += ": " + oneLine(string(raw), 300)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden || e.Error == "invalid_token":
		if sentToken {
			s += " (the initial access token was refused)"
		} else {
			s += " (the endpoint may need an initial access token: set registration.initialAccessTokenEnv)"
		}
	case e.Error == "invalid_client_metadata" || e.Error == "invalid_redirect_uri" || e.Error == "invalid_software_statement" ||
		e.Error == "unapproved_software_statement":
		s += " (the target refused the client metadata assay sends; register the clients statically or with a hook instead)"
	}
	return s
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// DefaultHookTimeout bounds one hook command.
const DefaultHookTimeout = 30 * time.Second

// Hook is a user command: JSON on stdin, its answer on stdout.
type Hook struct {
	// Command is the program and its arguments.
	Command []string
	// Env is the command's whole environment.
	Env []string
	// Dir is the working directory; empty means assay's.
	Dir string
	// Timeout bounds the command; zero means DefaultHookTimeout.
	Timeout time.Duration
}

// Run runs the hook with input as JSON on stdin and returns its stdout.
// The command runs in its own process group, which is killed on timeout
// or cancellation; a failure carries the command's stderr (bounded).
func (h Hook) Run(ctx context.Context, input any) ([]byte, error) {
	if len(h.Command) == 0 {
		return nil, errors.New("hook: no command")
	}
	in, err := json.Marshal(input)
	if err != nil {
		return nil, err
	}
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = DefaultHookTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, h.Command[0], h.Command[1:]...)
	cmd.Env, cmd.Dir = h.Env, h.Dir
	cmd.Stdin = bytes.NewReader(in)
	stdout, stderr := &capped{n: maxBody}, &capped{n: 8 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	// A grandchild holding the pipes open must not hang Wait.
	cmd.WaitDelay = 2 * time.Second
	err = cmd.Run()
	if err != nil {
		why := err.Error()
		if ctx.Err() == context.DeadlineExceeded {
			why = fmt.Sprintf("timed out after %s", timeout)
		}
		msg := fmt.Sprintf("hook %s: %s", strings.Join(h.Command, " "), why)
		if s := strings.TrimSpace(stderr.String()); s != "" {
			msg += "\nstderr:\n  " + strings.ReplaceAll(s, "\n", "\n  ")
		}
		return nil, errors.New(msg)
	}
	return stdout.b.Bytes(), nil
}

// capped keeps the first n bytes written and discards the rest.
type capped struct {
	b   bytes.Buffer
	n   int
	cut bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.n - c.b.Len(); room > 0 {
		if len(p) > room {
			c.b.Write(p[:room])
			c.cut = true
		} else {
			c.b.Write(p)
		}
	} else if len(p) > 0 {
		c.cut = true
	}
	return len(p), nil
}

func (c *capped) String() string {
	if c.cut {
		return c.b.String() + "\n[output truncated]"
	}
	return c.b.String()
}

// Command registers clients with a hook.
type Command struct{ Hook Hook }

// Register runs the hook with m on stdin. The hook prints the client_id
// (the first non-empty line), or a JSON object with client_id and, for
// secret clients, client_secret.
func (c Command) Register(ctx context.Context, m Metadata) (Registered, error) {
	out, err := c.Hook.Run(ctx, m)
	if err != nil {
		return Registered{}, fmt.Errorf("register %s: %w", m.ClientName, err)
	}
	s := strings.TrimSpace(string(out))
	var r Registered
	if strings.HasPrefix(s, "{") {
		if err := json.Unmarshal([]byte(s), &r); err != nil {
			return Registered{}, fmt.Errorf("register %s: hook %s printed invalid JSON: %w", m.ClientName, c.Hook.Command[0], err)
		}
	} else if s != "" {
		r.ClientID = strings.TrimSpace(strings.SplitN(s, "\n", 2)[0])
	}
	if r.ClientID == "" {
		return Registered{}, fmt.Errorf("register %s: hook %s printed no client_id on stdout", m.ClientName, c.Hook.Command[0])
	}
	return r, nil
}

// TrustIssuer runs the trust-issuer hook; its stdout is ignored.
func TrustIssuer(ctx context.Context, h Hook, t Trust) error {
	if _, err := h.Run(ctx, t); err != nil {
		return fmt.Errorf("trust issuer %s: %w", t.Issuer, err)
	}
	return nil
}

// RegistrationEndpoint reads registration_endpoint from the target's
// metadata (RFC 8414 §2; RFC 7591 §3): metadataURL if set, else the
// well-known locations the suites discover the token endpoint at
// (oauth.MetadataURLs, OpenID Discovery first when openIDFirst).
func RegistrationEndpoint(ctx context.Context, c *http.Client, issuer, metadataURL string, openIDFirst bool) (string, error) {
	urls := []string{metadataURL}
	if metadataURL == "" {
		urls = oauth.MetadataURLs(issuer, openIDFirst)
	}
	var errs []error
	for _, u := range urls {
		ep, err := registrationEndpoint(ctx, c, u)
		if err == nil {
			return ep, nil
		}
		errs = append(errs, err)
	}
	return "", fmt.Errorf("find the registration endpoint (set registration.endpoint): %w", errors.Join(errs...))
}

func registrationEndpoint(ctx context.Context, c *http.Client, u string) (string, error) {
	doc, err := metadata(ctx, c, u)
	if err != nil {
		return "", err
	}
	if doc.RegistrationEndpoint == "" {
		return "", fmt.Errorf("GET %s: no registration_endpoint", u)
	}
	return doc.RegistrationEndpoint, nil
}

// TokenEndpoint reads token_endpoint from the target's metadata (RFC 8414
// §2), as RegistrationEndpoint does, for the hooks' ASSAY_TOKEN_ENDPOINT
// when the config names none.
func TokenEndpoint(ctx context.Context, c *http.Client, issuer, metadataURL string, openIDFirst bool) (string, error) {
	urls := []string{metadataURL}
	if metadataURL == "" {
		urls = oauth.MetadataURLs(issuer, openIDFirst)
	}
	var errs []error
	for _, u := range urls {
		doc, err := metadata(ctx, c, u)
		if err == nil && doc.TokenEndpoint != "" {
			return doc.TokenEndpoint, nil
		}
		if err == nil {
			err = fmt.Errorf("GET %s: no token_endpoint", u)
		}
		errs = append(errs, err)
	}
	return "", errors.Join(errs...)
}

func metadata(ctx context.Context, c *http.Client, u string) (oauth.Metadata, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return oauth.Metadata{}, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return oauth.Metadata{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return oauth.Metadata{}, fmt.Errorf("GET %s: HTTP %d", u, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return oauth.Metadata{}, fmt.Errorf("GET %s: %w", u, err)
	}
	doc, err := oauth.ParseMetadata(body)
	if err != nil {
		return oauth.Metadata{}, fmt.Errorf("GET %s: %w", u, err)
	}
	return doc, nil
}
