// Package runner is the assay program: it reads a target config, starts the
// mock IdP, starts or reaches the target, runs the suites through Ginkgo
// and writes the reports. Run is the whole program and is callable from
// tests (in a subprocess: Ginkgo allows one RunSpecs per process).
package runner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/assayhq/assay/reports"
)

// Version is assay's version, set at build time with -ldflags.
var Version = "dev"

const usage = `assay: conformance and attack checks for OAuth 2.0 token endpoints that take JWTs
(RFC 7523 JWT bearer grant, private_key_jwt and client_secret_jwt).

Usage:
  assay run [flags]        run the checks (default target: the built-in reference server;
                           --config F for any other: a URL, a local process or a container)
  assay list [flags]       list the checks, one per line
  assay validate --config F  check a target config and report every problem
  assay version            print the version

Run "assay run --help" for the run flags.

Outcomes: PASS · FAIL (a MUST broken) · WARN (a SHOULD broken) · N/A (does not apply, with
a reason) · SKIP (filtered out) · ERROR (harness problem or target unreachable).
Exit codes: 0 conformant · 1 a FAIL not listed as expected · 2 usage or config error · 3 an ERROR.
`

// Run runs the assay command line args. getenv reads the environment;
// stdout and stderr receive all output.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if err := dispatch(ctx, args, getenv, stdout, stderr); err != nil {
		return &printable{err}
	}
	return nil
}

// printable is an error whose text is safe for a terminal: a setup error
// can quote the target (a discovery body, a TLS peer name), so its control
// characters and escape sequences are shown escaped (reports.Clean).
type printable struct{ err error }

func (p *printable) Error() string { return reports.Clean(p.err.Error()) }
func (p *printable) Unwrap() error { return p.err }

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageErr("no command given")
	}
	switch args[0] {
	case "run":
		return runCommand(ctx, args[1:], getenv, stdout, stderr)
	case "list":
		return listCommand(args[1:], stdout, stderr)
	case "validate":
		return validateCommand(args[1:], getenv, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "assay", Version)
		return nil
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageErr("unknown command %q", args[0])
}

// commandHelp heads each command's --help.
var commandHelp = map[string]string{
	"run": `Usage: assay run [flags]

Runs the checks against a target and prints one line per check, then a
summary by outcome and by spec section. Without --config the target is the
built-in reference server (in process).

Examples:
  assay run                                   # every check, reference server, profile BASE
  assay run --profile BIS --out reports/      # all report formats into reports/
  assay run --config fixtures/targets/fosite.yaml
  assay run --only A-CA-04 -v                 # one check with its full exchange
  assay run --label-filter 'spec: containsAny RFC7523-3'
`,
	"list": `Usage: assay list [flags]

Lists the checks, one per line: ID, level, citations, expected verdict per
profile, reference defect, title.

Examples:
  assay list --label-filter 'level:SHOULD'
  assay list --only B-ALG-01,B-ALG-07
`,
	"validate": `Usage: assay validate --config FILE

Checks a target config and reports every problem at once, each with its
field path (and file:line:column where the file has it); exits 2 if there
is any. Beyond the file's own rules it checks what a run would otherwise
meet only later: key files that are missing, public-only or lack the
client's algorithm, a mockidp.listen address this machine cannot bind,
hooks and commands that do not exist or are not executable, unknown defect
names and expected-failure IDs no check has. A plain-http issuer on
loopback is a warning naming the MUST rows it will fail. Nothing is started.
`,
}

// parse parses flags, turning every flag error into a one-line usage error.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stderr)
		fmt.Fprint(stderr, commandHelp[fs.Name()])
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
		return quiet(ExitOK)
	}
	if err != nil {
		return usageErr("%s: %v (see assay %s --help)", fs.Name(), err, fs.Name())
	}
	if fs.NArg() > 0 {
		return usageErr("%s: unexpected argument %q (see assay %s --help)", fs.Name(), fs.Arg(0), fs.Name())
	}
	return nil
}

// listFlag is a repeatable, comma-separated string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	n := len(*l)
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			*l = append(*l, x)
		}
	}
	if len(*l) == n {
		// --only '' would otherwise select everything, the opposite of
		// what was typed.
		return errors.New("empty list")
	}
	return nil
}
