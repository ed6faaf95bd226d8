package clientauth

import (
	"context"
	"fmt"
	"strings"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// signWithAlg authenticates the first client that may sign with alg (A, B,
// then P: check.SignerOf) with its key for alg; N/A when none may.
func signWithAlg(alg string) check.Sender {
	return func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
		p, k, err := check.SignerOf(e, alg)
		if err != nil {
			return nil, err
		}
		return e.Authenticate(ctx, p, assertion.SignWith(k))
	}
}

// issuedToSigner expects a token for the client signWithAlg(alg) picks.
func issuedToSigner(alg string) expect.Issued {
	return expect.Issued{Principal: func(e *check.Env) string {
		p, _, _ := check.SignerOf(e, alg)
		return p.ID
	}}
}

// otherAlg authenticates client A with a key of its for an advertised
// algorithm of another key type than alg: the contrast of a per-algorithm
// row (check.Row.Contrast).
func otherAlg(alg string) check.Sender {
	return func(ctx context.Context, e *check.Env, c check.Carrier) (*client.Transcript, error) {
		for _, other := range []string{"ES256", "PS256", "EdDSA", "RS256"} {
			if other[:2] == alg[:2] || !e.Meta.SupportsSigningAlg(other) {
				continue
			}
			if k, ok := e.Cast.A.KeyFor(other); ok {
				return e.Authenticate(ctx, e.Cast.A, assertion.SignWith(k))
			}
		}
		return nil, fmt.Errorf("client A has no key for another advertised algorithm than %s", alg)
	}
}

// advertised makes a row N/A when the metadata does not list alg.
func advertised(alg string) func(e *check.Env) string {
	return func(e *check.Env) string {
		if !e.Meta.SupportsSigningAlg(alg) {
			return "token_endpoint_auth_signing_alg_values_supported does not list " + alg
		}
		return ""
	}
}

func issuedToA() expect.Issued {
	return expect.Issued{Principal: func(e *check.Env) string { return e.Cast.A.ID }}
}

// algorithmRows: every advertised algorithm is accepted (A-MD-12), unsecured
// and case-variant algorithms are not (A-JO-02, A-JO-03), FAPI2 refuses RS256
// (A-JO-26).
func algorithmRows() []check.Row {
	cites := cite("RFC7523-2.2", "RFC8414-2")
	var rows []check.Row
	for i, a := range []struct {
		alg string
		d   defect.Name
	}{{"ES256", defect.RejectEC}, {"PS256", defect.RejectRSA}, {"RS256", defect.RejectRSA}, {"EdDSA", defect.RejectEdDSA}} {
		rows = append(rows, check.Row{
			Check: check.Check{ID: fmt.Sprintf("A-MD-12.%d", i+1), Level: check.MUST, Cite: cites, Defect: a.d,
				Title: "accepts a client assertion signed with advertised algorithm " + a.alg},
			Send:  signWithAlg(a.alg),
			Want:  expect.Everywhere(issuedToSigner(a.alg)),
			Needs: advertised(a.alg),
			// One of these is the control's own algorithm: another
			// advertised algorithm tells its refusal from the control's.
			Contrast: otherAlg(a.alg),
		})
	}
	rows = append(rows, check.Row{
		Check: check.Check{ID: "A-MD-12.5", Level: check.MUST, Cite: cite("RFC7523-2.2", "OIDC-Core-9"), Defect: defect.RejectHMAC,
			Title: "accepts a client_secret_jwt assertion (HS256) from client H"},
		Send: check.As(func(c mockidp.Cast) mockidp.Party { return c.H }),
		Want: expect.Everywhere(expect.Issued{Principal: func(e *check.Env) string { return e.Cast.H.ID }}),
		// Client H's own positive check: client A's control does not
		// govern it (a broken private_key_jwt says nothing about HS256).
		Ungated: true,
		Needs: func(e *check.Env) string {
			if e.Cast.H.ID == "" || e.Cast.H.Secret == "" {
				return "no client_secret_jwt client H configured"
			}
			if !e.Meta.SupportsAuthMethod(oauth.AuthClientSecretJWT) {
				return "token_endpoint_auth_methods_supported lacks client_secret_jwt"
			}
			return advertised("HS256")(e)
		},
	})
	rows = append(rows,
		check.Row{
			Check: check.Check{ID: "A-JO-02", Level: check.MUST, Cite: cite("RFC7518-3.6", "RFC8725-3.1"), Defect: defect.AcceptAlgNone,
				Title: "rejects an unsecured client assertion (alg none)"},
			Send: check.Mutate(assertion.Unsigned("none")),
			Want: expect.Everywhere(expect.RejectClientOrRequest),
		},
		check.Row{
			Check: check.Check{ID: "A-JO-03", Level: check.MUST, Cite: cite("RFC7515-4.1.1", "RFC8725bis-3.1"), Defect: defect.CaseInsensitiveAlg,
				Title: "matches alg case-sensitively (\"es256\" is not ES256)"},
			Send: check.MutateWith(func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
				// The client's own algorithm in lower case (es256 by default).
				alg := check.DefaultAlg(e.Cast.A)
				return []assertion.Mutation{assertion.Header("alg", strings.ToLower(alg)), assertion.SignAlg(alg)}, nil
			}),
			Want: expect.Everywhere(expect.RejectClientOrRequest),
		},
		check.Row{
			Check: check.Check{ID: "A-JO-03.2", Level: check.MUST, Cite: cite("RFC7515-4.1.1", "RFC8725bis-2.11"), Defect: defect.CaseInsensitiveAlg,
				Title: "rejects a case variant of none (\"nOnE\")"},
			Send: check.Mutate(assertion.Unsigned("nOnE")),
			Want: expect.Everywhere(expect.RejectClientOrRequest),
		},
		check.Row{
			Check: check.Check{ID: "A-JO-26", Level: check.MUST, Cite: cite("FAPI2-5.4.1"), Defect: defect.IgnoreAlgAllowlist,
				Title: "refuses RS256 under FAPI 2.0 (PS256, ES256, EdDSA only)"},
			Send: signWithAlg("RS256"),
			Want: expect.Only(expect.RejectClientOrRequest, check.FAPI2),
		},
		check.Row{
			Check: check.Check{ID: "A-AU-11", Level: check.MUST, Cite: cite("OIDC-Reg-2"), Defect: defect.IgnoreRegisteredAlg,
				Title: "rejects an assertion not signed with the registered token_endpoint_auth_signing_alg"},
			Send: func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
				k, err := check.KeyFor(e.Cast.P, "ES256")
				if err != nil {
					return nil, err
				}
				return e.Authenticate(ctx, e.Cast.P, assertion.SignWith(k))
			},
			Want: expect.Everywhere(expect.RejectClient),
			Needs: func(e *check.Env) string {
				if e.Cast.P.ID == "" {
					return "no client P registered with token_endpoint_auth_signing_alg=PS256"
				}
				return ""
			},
		},
		check.Row{
			Check: check.Check{ID: "A-JO-06", Level: check.MUST, Cite: cite("RFC7515-4.1.11"), Defect: defect.IgnoreCrit,
				Title: "rejects an assertion with an unknown critical header parameter"},
			Send: check.Mutate(assertion.Header("crit", []string{"urn:x:mfa"}), assertion.Header("urn:x:mfa", true)),
			Want: expect.Everywhere(expect.RejectClient),
		},
	)
	return rows
}
