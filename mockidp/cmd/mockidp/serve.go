package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/profile"
	"github.com/assayhq/assay/mockidp/reference"
)

const usage = `mockidp: assay's mock IdP and strict reference token endpoint (test keys only).

Usage:
  mockidp serve [flags]

Flags:
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "serve" {
		fmt.Fprint(stderr, usage)
		return errors.New("want the serve command")
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "token endpoint listen address (TLS, test certificate)")
	idpAddr := fs.String("idp-addr", "127.0.0.1:0", "mock IdP (client and issuer JWKS) listen address")
	idpURL := fs.String("idp-url", "", "base URL the token endpoint uses to reach the mock IdP (default http://<idp-addr>)")
	issuer := fs.String("issuer", "", "issuer identifier (default https://<addr>)")
	prof := profile.BASE
	fs.Func("profile", "profile: "+profile.Names()+" (default BASE)", func(v string) error {
		var err error
		prof, err = profile.Parse(v)
		return err
	})
	spares := fs.Int("spares", 0, "register this many spare clients like client A: client-a-spare<i>, keys at <idp-url>/jwks/a<i>.json (assay's clients.spareIDs)")
	verifierAddr := fs.String("verifier-addr", "127.0.0.1:0", "reference verifier (resource server, TLS) listen address")
	var sched keys.Schedule
	fs.DurationVar(&sched.Period, "rotate-period", 0, "rotate token issuer IdP-V's signing key this often (0: never)")
	fs.DurationVar(&sched.Overlap, "rotate-overlap", 0, "publish IdP-V's next key this long before it becomes current")
	fs.DurationVar(&sched.Retire, "rotate-retire", 0, "keep IdP-V's previous key published this long after it stops signing")
	var defects []defect.Name
	fs.Func("defect", "switch on a named defect (repeatable)", func(v string) error {
		for _, d := range strings.Split(v, ",") {
			if !defect.Known(defect.Name(d)) {
				return fmt.Errorf("unknown defect %q", d)
			}
			defects = append(defects, defect.Name(d))
		}
		return nil
	})
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cast, err := mockidp.FixtureCast()
	if err != nil {
		return err
	}
	cast = cast.WithSpares(*spares)
	in, err := reference.Start(reference.Options{
		Profile: prof, Defects: defect.Of(defects...), Clock: time.Now, Rand: rand.Reader, Cast: cast,
		Addr: *addr, IdPAddr: *idpAddr, IdPURL: *idpURL, Issuer: *issuer,
		VerifierAddr: *verifierAddr, IssuerSchedule: sched,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "issuer %s\ntoken_endpoint %s\nmetadata %s/.well-known/openid-configuration\nmockidp %s\n",
		in.Issuer, in.TokenEndpoint(), in.Issuer, in.IdPURL)
	fmt.Fprintf(stdout, "token_issuer %s\ntoken_issuer_jwks %s\nmint %s/mint?aud=<your resource>\nverifier %s\nready\n",
		in.TokenIssuer.ID(), in.TokenIssuer.JWKSURI(), in.TokenIssuer.ID(), in.VerifierURL)
	<-ctx.Done()
	return in.Close()
}
