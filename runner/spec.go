package runner

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/runner/config"
	tgt "github.com/assayhq/assay/runner/target"
)

func targetName(cfg config.Config) string {
	switch {
	case cfg.Name != "":
		return cfg.Name
	case cfg.Target.Product != "":
		return strings.TrimSpace(cfg.Target.Product + " " + cfg.Target.Version)
	case cfg.Target.Issuer != "":
		return cfg.Target.Issuer
	}
	return cfg.Target.Kind + " target"
}

// clientTLS trusts the system roots plus target.caFile.
func clientTLS(t config.Target) (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: t.InsecureSkipVerify} //nolint:gosec // the user asked for it, and reports say so
	if t.CAFile == "" {
		return c, nil
	}
	pem, err := os.ReadFile(t.CAFile)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("target.caFile: %w", err)}
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("target.caFile: %s holds no PEM certificate", t.CAFile)}
	}
	c.RootCAs = pool
	return c, nil
}

// expand replaces ${ASSAY_MOCKIDP_URL} and ${ASSAY_TARGET_PORT} in command
// lines and environment values, so a started target can be pointed at this
// run's mock IdP and can name its own host-visible issuer.
func expand(s, idpURL, port string) string {
	return strings.NewReplacer("${ASSAY_MOCKIDP_URL}", idpURL, "${ASSAY_TARGET_PORT}", port).Replace(s)
}

// expandPort replaces ${ASSAY_TARGET_PORT} in s.
func expandPort(s, port string) string { return strings.ReplaceAll(s, targetPortVar, port) }

// freeTargetPort picks a free loopback port for a container or process
// target that names ${ASSAY_TARGET_PORT} (in its cmd, command, env, ready
// URL, or the issuer, endpoints and verifier URL assay reaches it at); ""
// when none does. The port is released before the target binds it; a
// clash fails the start with an ERROR, never a wrong result. It is drawn
// from below Linux's default ephemeral range (32768-60999), where the
// kernel does not hand out the local ends of the harness's own
// connections.
func freeTargetPort(cfg config.Config) (string, error) {
	var names []string
	t := cfg.Target
	switch {
	case t.Kind == config.KindContainer && t.Container != nil:
		names = append(names, t.Container.Cmd...)
		for _, v := range t.Container.Env {
			names = append(names, v)
		}
	case t.Kind == config.KindProcess && t.Process != nil:
		names = append(names, t.Process.Command...)
		for _, v := range t.Process.Env {
			names = append(names, v)
		}
		names = append(names, t.Process.Ready.URL, t.Issuer, t.TokenEndpoint, t.MetadataURL,
			t.IntrospectionEndpoint, t.RevocationEndpoint, cfg.TokenState.Resource)
		if cfg.Verifier != nil {
			names = append(names, cfg.Verifier.URL)
		}
	default:
		return "", nil
	}
	uses := false
	for _, a := range names {
		uses = uses || strings.Contains(a, targetPortVar)
	}
	if !uses {
		return "", nil
	}
	var err error
	for range 100 {
		port := strconv.Itoa(20000 + mrand.IntN(12000))
		var ln net.Listener
		if ln, err = net.Listen("tcp", "127.0.0.1:"+port); err == nil {
			ln.Close()
			return port, nil
		}
	}
	return "", fmt.Errorf("pick a host port for the target in 20000-31999: %w", err)
}

func buildTarget(cfg config.Config, idpURL, targetPort string, tlsCfg *tls.Config) (tgt.Target, error) {
	t := cfg.Target
	ep := tgt.Endpoint{Issuer: t.Issuer, TokenEndpoint: t.TokenEndpoint, MetadataURL: t.MetadataURL}
	if t.Kind == config.KindProcess {
		ep = tgt.Endpoint{Issuer: expandPort(t.Issuer, targetPort), TokenEndpoint: expandPort(t.TokenEndpoint, targetPort), MetadataURL: expandPort(t.MetadataURL, targetPort)}
	}
	probe := func(r config.Ready) tgt.ReadyProbe {
		timeout := r.Timeout.Duration
		if timeout == 0 {
			timeout = cfg.Timeouts.Start.Duration
		}
		return tgt.ReadyProbe{URL: r.URL, Port: r.Port, Log: r.Log, Timeout: timeout,
			Client: &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}}}
	}
	switch t.Kind {
	case config.KindURL:
		return tgt.URL(ep), nil
	case config.KindProcess:
		cmd := make([]string, len(t.Process.Command))
		for i, a := range t.Process.Command {
			cmd[i] = expand(a, idpURL, targetPort)
		}
		env := os.Environ()
		for k, v := range t.Process.Env {
			env = append(env, k+"="+expand(v, idpURL, targetPort))
		}
		env = append(env, "ASSAY_MOCKIDP_URL="+idpURL)
		ready := t.Process.Ready
		ready.URL = expandPort(ready.URL, targetPort)
		return tgt.Process(tgt.ProcessSpec{Command: cmd, Dir: t.Process.Dir, Env: env, Ready: probe(ready), Endpoint: ep}), nil
	case config.KindContainer:
		c := t.Container
		env := map[string]string{"ASSAY_MOCKIDP_URL": idpURL}
		for k, v := range c.Env {
			env[k] = expand(v, idpURL, targetPort)
		}
		cmd := make([]string, len(c.Cmd))
		for i, a := range c.Cmd {
			cmd[i] = expand(a, idpURL, targetPort)
		}
		spec := tgt.ContainerSpec{Image: c.Image, Env: env, Ports: c.Ports, Cmd: cmd, Ready: probe(c.Ready), HostPort: targetPort,
			// Tests (and users) find the containers of one run by these
			// labels; the next run sweeps them if this process dies.
			Labels: tgt.OwnerLabels(os.Getpid(), hostname())}
		if c.Build != nil {
			args := map[string]*string{}
			for k, v := range c.Build.BuildArgs {
				v := v
				args[k] = &v
			}
			spec.Build = &tgt.BuildSpec{Context: c.Build.Context, Dockerfile: c.Build.Dockerfile, Args: args}
		}
		if t.Issuer != "" {
			spec.Endpoint = func(string, string) tgt.Endpoint { return ep }
		}
		return tgt.Container(spec), nil
	}
	return nil, usageErr("target.kind: unknown %q", t.Kind)
}
