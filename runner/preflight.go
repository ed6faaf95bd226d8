package runner

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/runner/config"
	"github.com/assayhq/assay/suites"
)

// preflight finds what config.Validate cannot see from the file alone and a
// run would otherwise meet only after starting the target: key files that
// are missing, public-only or lack the client's algorithm; a grant.key
// that does not parse; a mock IdP
// address this machine cannot bind; hooks and commands that do not exist
// or are not executable; defect names the reference does not have;
// expected failures naming no check. It returns every problem at once, as
// *config.FieldError values, and warnings that do not stop a run.
func preflight(cfg config.Config) (problems []error, warnings []string) {
	add := func(path, format string, args ...any) {
		problems = append(problems, &config.FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	for _, c := range []struct {
		name string
		cl   *config.Client
	}{{"A", cfg.Clients.A}, {"B", cfg.Clients.B}, {"P", cfg.Clients.P}} {
		if c.cl == nil || c.cl.Keys == "" || c.cl.Keys == config.KeysFixture || c.cl.Keys == config.KeysGenerate {
			continue
		}
		path := "clients." + c.name + ".keys"
		ks, err := loadPrivateJWKS(c.cl.Keys)
		switch {
		case errors.Is(err, os.ErrNotExist):
			add(path, "client %s's key file %s does not exist", c.name, c.cl.Keys)
		case err != nil && strings.Contains(err.Error(), "not a private key"):
			add(path, "client %s's key file %s holds a public key (%v); assay signs as the client, so it needs the private key", c.name, c.cl.Keys, err)
		case err != nil:
			add(path, "client %s: %v", c.name, err)
		case c.cl.SigningAlg != "":
			var algs []string
			for _, k := range ks {
				algs = append(algs, k.Alg())
			}
			if !slices.Contains(algs, c.cl.SigningAlg) {
				add(path, "client %s's key file %s has no %s key for clients.%s.signingAlg (it holds %s)", c.name, c.cl.Keys, c.cl.SigningAlg, c.name, strings.Join(algs, ", "))
			}
		}
	}
	if g := cfg.Grant; g.On() && g.Key != "" {
		if _, _, err := loadGrantKey(g.Key, g.KID, g.SigningAlg); errors.Is(err, os.ErrNotExist) {
			add("grant.key", "the grant issuer's key file %s does not exist", g.Key)
		} else if err != nil {
			add("grant.key", "%v", err)
		}
	}
	if l := cfg.MockIdP.Listen; l != "" {
		if ln, err := net.Listen("tcp", l); err != nil {
			add("mockidp.listen", "cannot listen on %s here: %v", l, unwrapOp(err))
		} else {
			_ = ln.Close()
		}
	}
	program := func(path string, cmd []string) {
		if len(cmd) == 0 || cmd[0] == "" {
			return
		}
		if err := executable(cmd[0]); err != nil {
			add(path, "%v", err)
		}
	}
	if p := cfg.Target.Process; p != nil {
		program("target.process.command", p.Command)
	}
	program("registration.command", cfg.Registration.Command)
	program("registration.trustIssuerCommand", cfg.Registration.TrustIssuerCommand)
	if r := cfg.Target.Reference; r != nil {
		for i, d := range r.Defects {
			if d != "" && !defect.Known(defect.Name(d)) {
				add(fmt.Sprintf("target.reference.defects[%d]", i), "unknown defect %q (assay list shows each check's defect; mockidp/defect lists them all)", d)
			}
		}
	}
	if len(cfg.ExpectedFailures) > 0 {
		known := map[string]bool{}
		for _, c := range suites.All() {
			known[c.ID] = true
			known[c.ID+"/"+string(c.Carrier)] = true
		}
		perSource := map[string]int{} // indexes as config.Validate counts them
		for _, e := range cfg.ExpectedFailures {
			i := perSource[e.Source]
			perSource[e.Source]++
			if e.ID != "" && !known[e.ID] {
				field := "expectedFailures"
				if e.Source != "" {
					field = "expectedFailuresFile"
				}
				add(fmt.Sprintf("%s[%d].id", field, i), "no check has the ID %s (assay list shows them)", e.ID)
			}
		}
	}
	if u, err := url.Parse(cfg.Target.Issuer); err == nil && u.Scheme == "http" && cfg.Target.Kind != config.KindReference {
		warnings = append(warnings, fmt.Sprintf("target.issuer %s is plain http (allowed on loopback for development): the MUST rows %s will FAIL, because RFC 6749 §3.2 and RFC 8414 §2 require TLS",
			cfg.Target.Issuer, strings.Join(PlainHTTPRows, ", ")))
	}
	return problems, warnings
}

// PlainHTTPRows are the checks that FAIL against a target served over
// plain http: the https issuer, token_endpoint and jwks_uri in the metadata,
// and TLS on the token endpoint.
var PlainHTTPRows = []string{"A-MD-04", "A-MD-05", "A-MD-13", "A-TE-07"}

// executable says why a hook or command cannot be run: a path (with a
// slash) must exist and be executable; a bare name must be on PATH.
func executable(prog string) error {
	if !strings.Contains(prog, "/") {
		if _, err := exec.LookPath(prog); err != nil {
			return fmt.Errorf("%s is not on PATH", prog)
		}
		return nil
	}
	fi, err := os.Stat(prog)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s does not exist", prog)
	case err != nil:
		return fmt.Errorf("%s: %v", prog, unwrapOp(err))
	case fi.IsDir():
		return fmt.Errorf("%s is a directory, not a program", prog)
	case fi.Mode()&0o111 == 0:
		return fmt.Errorf("%s is not executable (chmod +x)", prog)
	}
	return nil
}

// unwrapOp drops the "listen tcp ...:" or "stat ...:" prefix the message
// already gives.
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
