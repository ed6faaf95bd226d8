package clientauth

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// confusionRows is B-ALG-06: HS256 keyed with client A's own RSA public
// key, once per encoding a confused library uses as the secret (catalog
// B-ALG-06 (a)-(g); RFC 8725 §2.1, §3.1). Each variant has the defect that
// accepts only its encoding, so each proves it sends that one.
func confusionRows() []check.Row {
	defects := map[keys.Confusion]defect.Name{
		keys.ConfusePEM:        defect.HMACPublicPEM,
		keys.ConfusePEMTrimmed: defect.HMACPublicPEMTrimmed,
		keys.ConfusePKCS1:      defect.HMACPublicPKCS1,
		keys.ConfuseDER:        defect.HMACPublicDER,
		keys.ConfuseJWK:        defect.HMACPublicJWK,
		keys.ConfuseModulus:    defect.HMACPublicModulus,
		keys.ConfuseModulusB64: defect.HMACPublicModulusB64,
	}
	var rows []check.Row
	for i, enc := range keys.Confusions() {
		enc := enc
		rows = append(rows, check.Row{
			Check: check.Check{ID: fmt.Sprintf("B-ALG-06.%d", i+1), Level: check.MUST, Cite: cite("RFC8725-2.1", "RFC8725-3.1"), Defect: defects[enc],
				Title: "refuses HS256 keyed with the client's own RSA public key as " + string(enc),
				// FAPI2 refuses HS256 by its allowlist before any key is read.
				KillIn: allowing("HS256")},
			Send: func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
				k, ok := e.Cast.A.KeyFor("RS256")
				if !ok {
					return nil, fmt.Errorf("client A has no RS256 key")
				}
				secret, err := keys.ConfusionSecret(k.Public(), enc)
				if err != nil {
					return nil, err
				}
				return e.Authenticate(ctx, e.Cast.A, assertion.HMAC(secret), assertion.Header("kid", k.ID()))
			},
			Want: expect.Everywhere(expect.RejectClientOrRequest),
		})
	}
	return rows
}

// typingRows: explicit typing (7523bis §4; RFC 8725 §3.11) and one
// algorithm per key (RFC 8725 §3.1; RFC 7517 §4.4; RFC 7518 §3.5).
func typingRows() []check.Row {
	return []check.Row{
		{
			Check: check.Check{ID: "A-CA-21", Level: check.SHOULD, Cite: cite("BIS-4"), Defect: defect.RejectTypedAssertion,
				Title: "accepts typ client-authentication+jwt"},
			Send: check.Mutate(assertion.Header("typ", "client-authentication+jwt")),
			Want: expect.Everywhere(issuedToA()),
			// Under BIS and BCP the control is typed so.
			Contrast: check.Mutate(assertion.DropHeader("typ")),
		},
		{
			Check: check.Check{ID: "A-CA-22", Level: check.SHOULD, Cite: cite("BIS-4"), Defect: defect.RequireTyp,
				Title: "still accepts an untyped client assertion"},
			Send: check.Mutate(assertion.DropHeader("typ")),
			Want: expect.Everywhere(issuedToA()),
			// Outside BIS and BCP the control is untyped.
			Contrast: check.Mutate(assertion.Header("typ", "client-authentication+jwt")),
		},
		{
			Check: check.Check{ID: "A-CA-23", Level: check.SHOULD, Cite: cite("RFC8725-3.11", "RFC8725bis-3.11"), Defect: defect.IgnoreTyp,
				Title: "refuses a client assertion typed as another kind of JWT (at+jwt)"},
			Send: check.Mutate(assertion.Header("typ", "at+jwt")),
			Want: expect.Everywhere(expect.RejectClient),
		},
		{
			Check: check.Check{ID: "A-JO-24", Level: check.MUST, Cite: cite("RFC7517-4.4", "RFC8725-3.1"), Defect: defect.IgnoreKeyAlg,
				Title: "refuses RS256 with a key whose JWK alg is PS256",
				// FAPI2 refuses RS256 by its allowlist before the key's alg is read.
				KillIn: allowing("RS256")},
			Send: func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
				k, err := check.KeyOf(e.Cast.A, "PS256")
				if err != nil {
					return nil, err
				}
				return e.Authenticate(ctx, e.Cast.A, assertion.SignWith(k), assertion.Header("alg", "RS256"), assertion.SignAlg("RS256"))
			},
			Want: expect.Everywhere(expect.RejectClient),
		},
		{
			// RFC 7518 §3.5 fixes the salt for signers and sets no verifier
			// rule; accepting another salt forges nothing (as B-SIG-08).
			Check: check.Check{ID: "A-JO-15", Level: check.SHOULD, Cite: cite("RFC7518-3.5"), Defect: defect.AnyPSSSalt,
				Title: "refuses a PS256 signature whose salt length is not 32"},
			Send: func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
				k, err := check.KeyOf(e.Cast.A, "PS256")
				if err != nil {
					return nil, err
				}
				salt0 := func(si []byte, d *assertion.Draft) ([]byte, error) {
					h := sha256.Sum256(si)
					return rsa.SignPSS(e.Rand, k.Private().(*rsa.PrivateKey), crypto.SHA256, h[:], &rsa.PSSOptions{SaltLength: 0})
				}
				return e.Authenticate(ctx, e.Cast.A, assertion.SignWith(k), func(d *assertion.Draft) { d.Signature = salt0 })
			},
			Want:  expect.Everywhere(expect.RejectClient),
			Needs: advertised("PS256"),
		},
	}
}
