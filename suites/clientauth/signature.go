package clientauth

import (
	"context"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// signatureRows: RFC 7523 §3 item 9 and key quality (RFC 7518 §3.5).
func signatureRows() []check.Row {
	return []check.Row{
		{
			Check: check.Check{ID: "A-CA-24", Level: check.MUST, Cite: cite("RFC7523-3"), Defect: defect.SkipSignatureCheck,
				Title: "rejects an assertion whose signature has one bit flipped"},
			Send: check.Mutate(assertion.FlipSignatureBit),
			Want: expect.Everywhere(expect.RejectClient),
		},
		{
			Check: check.Check{ID: "A-CA-24.2", Level: check.MUST, Cite: cite("RFC7523-3", "RFC7515-5.2"), Defect: defect.SkipSignatureCheck,
				Title: "rejects an assertion signed by a key nobody registered (same kid)"},
			Send: func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
				k, err := check.ForeignKey(e, check.DefaultAlg(e.Cast.A))
				if err != nil {
					return nil, err
				}
				return e.Authenticate(ctx, e.Cast.A, assertion.SignWithKeyOnly(k))
			},
			Want: expect.Everywhere(expect.RejectClient),
		},
		{
			Check: check.Check{ID: "A-JO-22", Level: check.MUST, Cite: cite("RFC7515-4.1.3", "RFC8725-3.10"), Defect: defect.TrustEmbeddedJWK,
				Title: "does not trust a key embedded in the jwk header"},
			Send: func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
				k, err := check.ForeignKey(e, check.DefaultAlg(e.Cast.A))
				if err != nil {
					return nil, err
				}
				return e.Authenticate(ctx, e.Cast.A, assertion.SignWithKeyOnly(k), assertion.Header("jwk", k.Public()))
			},
			Want: expect.Everywhere(expect.RejectClient),
		},
	}
}
