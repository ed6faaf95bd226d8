package clientauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// signWithKid authenticates client A with its key kid, alg and kid set from it.
func signWithKid(kid string, ms ...assertion.Mutation) check.Sender {
	return func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
		k, ok := e.Cast.A.Key(kid)
		if !ok {
			return nil, fmt.Errorf("client A has no key %s", kid)
		}
		return e.Authenticate(ctx, e.Cast.A, append([]assertion.Mutation{assertion.SignWith(k)}, ms...)...)
	}
}

// derSignature replaces the 64-octet R||S of ES256 by the ASN.1 DER form,
// drawing the nonce from random.
func derSignature(random io.Reader) func(si []byte, d *assertion.Draft) ([]byte, error) {
	return func(si []byte, d *assertion.Draft) ([]byte, error) {
		k, ok := d.Key.Private().(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("der signature: need an EC key, have %T", d.Key.Private())
		}
		h := sha256.Sum256(si)
		return ecdsa.SignASN1(random, k, h[:])
	}
}

// jsonSerialization rewrites a compact JWS as the flattened JWS JSON
// Serialization (RFC 7515 §7.2.2).
func jsonSerialization(tok string) string {
	p := strings.SplitN(tok, ".", 3)
	b, _ := json.Marshal(map[string]string{"protected": p[0], "payload": p[1], "signature": p[2]})
	return string(b)
}

// nestUnsigned turns the claims into an unsigned inner JWT (alg none), so
// that the signed outer JWS carries cty JWT and a JWT as its payload.
func nestUnsigned(_ *assertion.Draft, claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(claims)) + "."
}

// insertInSignature puts s into the signature segment of a token, after n characters.
func insertInSignature(s string, n int) func(string) string {
	return func(tok string) string {
		i := strings.LastIndexByte(tok, '.') + 1 + n
		return tok[:i] + s + tok[i:]
	}
}

// joseRows: JOSE processing of the client assertion (RFC 7515, 7518, 7519,
// 7797; RFC 8725 and 8725bis). One canonical row per requirement; the
// attack suite adds variants.
func joseRows() []check.Row {
	rej := expect.Everywhere(expect.RejectClient)
	return []check.Row{
		{
			Check: check.Check{ID: "A-JO-01", Level: check.MUST, Cite: cite("RFC7515-4.1.1"), Defect: defect.InferAlgFromKey,
				Title: "rejects an assertion whose header has no alg (signed ES256)"},
			Send: check.MutateWith(func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
				// Signed with the client's own algorithm (ES256 by default).
				return []assertion.Mutation{assertion.SignAlg(check.DefaultAlg(e.Cast.A)), assertion.DropHeader("alg")}, nil
			}),
			Want: rej,
		},
		{
			Check: check.Check{ID: "A-JO-04", Level: check.MUST, Cite: cite("RFC7515-5.2", "RFC8725-3.1", "FAPI2-5.4.1"), Defect: defect.AnyJOSEAlg,
				Title:  "rejects an assertion signed with an algorithm it does not advertise (ES384; BCP and FAPI2 must, others should)",
				KillIn: []check.Profile{check.BCP, check.FAPI2}},
			Send: signWithKid("a-es384"),
			// RFC 7515 §5.2: an algorithm the application does not accept
			// "SHOULD" make the JWS invalid. RFC 8725 §3.1 (the BCP
			// profile) has only the allowed set used, and FAPI 2.0 SP
			// §5.4.1 allows PS256, ES256 and EdDSA only: MUST there.
			Want: func() map[check.Profile]check.Expectation {
				m := expect.Everywhere(expect.Advisory{Inner: expect.RejectClient})
				m[check.BCP] = expect.RejectClient
				m[check.FAPI2] = expect.RejectClient
				return m
			}(),
			Needs: func(e *check.Env) string {
				if e.Meta.SupportsSigningAlg("ES384") {
					return "token_endpoint_auth_signing_alg_values_supported lists ES384; A-MD-12 covers advertised algorithms"
				}
				return ""
			},
		},
		{
			Check: check.Check{ID: "A-JO-05", Level: check.MUST, Cite: cite("RFC8725-3.1", "RFC8725bis-3.1"), Defect: defect.IgnoreKeyAlg,
				Title: "refuses PS256 with the key registered for RS256 (one algorithm per key)"},
			Send: signWithKid("a-rs256", assertion.Header("alg", "PS256")),
			Want: rej,
		},
		{
			Check: check.Check{ID: "A-JO-08", Level: check.MUST, Cite: cite("RFC7519-4", "RFC7515-4"), Defect: defect.FirstDuplicateWins,
				Title: "rejects duplicate claims or uses the last one, never the first (aud twice)"},
			Send: check.Mutate(assertion.AddClaim("aud", "https://attacker.example")),
			Want: rej,
		},
		{
			Check: check.Check{ID: "A-JO-09", Level: check.MUST, Cite: cite("RFC7515-2", "RFC8725bis-3.14"), Defect: defect.LenientBase64,
				Title: "rejects base64 padding in a segment"},
			Send: check.Mutate(assertion.Finish(func(tok string) string { return tok + "==" })),
			Want: rej,
		},
		{
			Check: check.Check{ID: "A-JO-09.2", Level: check.MUST, Cite: cite("RFC7515-2", "RFC8725bis-3.14"), Defect: defect.LenientBase64,
				Title: "rejects a line break inside a segment"},
			Send: check.Mutate(assertion.Finish(insertInSignature("\r\n", 8))),
			Want: rej,
		},
		{
			Check: check.Check{ID: "A-JO-10", Level: check.MUST, Cite: cite("RFC7519-7.2", "RFC8725-3.7"), Defect: defect.AllowTrailingJSON,
				Title: "rejects a claims segment with bytes after the JSON object"},
			Send: check.Mutate(assertion.EditClaims(func(_ *assertion.Draft, text string) string { return text + `x"}` })),
			Want: rej,
		},
		{
			Check: check.Check{ID: "A-JO-11", Level: check.MUST, Cite: cite("RFC7519-4.1.4"), Defect: defect.LenientNumericDate,
				Title: "rejects exp given as a string"},
			Send: check.Mutate(assertion.Claim("exp", func(d *assertion.Draft) any {
				return strconv.FormatInt(d.Now.Add(time.Minute).Unix(), 10)
			})),
			Want: rej,
		},
		{
			Check: check.Check{ID: "A-JO-12", Level: check.MUST, Cite: cite("RFC7519-2"), Defect: defect.IntegerNumericDate,
				Title: "accepts a non-integer NumericDate (exp now+60.5)"},
			Send: check.Mutate(assertion.Claim("exp", func(d *assertion.Draft) any {
				return json.Number(strconv.FormatInt(d.Now.Add(time.Minute).Unix(), 10) + ".5")
			})),
			Want: expect.Everywhere(issuedToA()),
		},
		{
			Check: check.Check{ID: "A-JO-13", Level: check.MUST, Cite: cite("RFC7518-3.4"), Defect: defect.AcceptDERSignature,
				Title: "rejects a DER-encoded ES256 signature"},
			Send: func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
				k, err := check.KeyOf(e.Cast.A, "ES256")
				if err != nil {
					return nil, err
				}
				return e.Send(ctx, check.Client, assertion.SignWith(k), func(d *assertion.Draft) { d.Signature = derSignature(e.Rand) })
			},
			Want: rej,
		},
		{
			Check: check.Check{ID: "A-JO-17", Level: check.MUST, Cite: cite("RFC8725-3.3", "RFC7519-7.2"), Defect: defect.UnwrapNestedUnverified,
				Title: "rejects a nested JWT whose inner JWT is unsigned"},
			Send: check.Mutate(assertion.Header("cty", "JWT"), assertion.EditClaims(nestUnsigned)),
			Want: rej,
		},
		{
			Check: check.Check{ID: "A-JO-18", Level: check.MUST, Cite: cite("RFC8725bis-3.14", "RFC7523-2.2"), Defect: defect.AcceptJSONSerialization,
				Title: "rejects the JWS JSON serialization as a client assertion"},
			Send: check.Mutate(assertion.Finish(jsonSerialization)),
			Want: rej,
		},
		{
			Check: check.Check{ID: "A-JO-23", Level: check.MUST, Cite: cite("RFC7517-4.2"), Defect: defect.IgnoreKeyUse,
				Title: "does not verify with a client key published with use enc"},
			Send: signWithKid("a-enc-es256"),
			Want: rej,
		},
		{
			Check: check.Check{ID: "A-JO-25", Level: check.MUST, Cite: cite("RFC7797-6", "RFC7797-7"), Defect: defect.AcceptB64False,
				Title: "rejects b64 false (unencoded payload) in a client assertion"},
			Send: check.Mutate(assertion.Header("b64", false), assertion.Header("crit", []string{"b64"})),
			Want: rej,
		},
		{
			Check: check.Check{ID: "A-CA-25", Level: check.MUST, Cite: cite("RFC7523-3", "RFC7519-7.2"), Defect: defect.DecodeClaimsTwice,
				Title: "rejects claims sent as a JSON string instead of an object"},
			Send: check.Mutate(assertion.EditClaims(func(_ *assertion.Draft, text string) string {
				b, _ := json.Marshal(text)
				return string(b)
			})),
			Want: expect.Everywhere(expect.RejectClientOrRequest),
		},
	}
}

// errorCodeRows: RFC 7523 §3.2 makes invalid_client the code of every
// client assertion failure; one row per kind of failure.
func errorCodeRows() []check.Row {
	rows := []struct {
		title string
		m     []assertion.Mutation
	}{
		{"a bad signature", []assertion.Mutation{assertion.FlipSignatureBit}},
		{"an expired assertion", []assertion.Mutation{assertion.IssuedAt(-6 * time.Minute), assertion.Expires(-5 * time.Minute)}},
		{"an aud naming another server", []assertion.Mutation{assertion.Audience("https://other-as.example")}},
		{"a missing sub", []assertion.Mutation{assertion.DropClaim("sub")}},
	}
	out := make([]check.Row, 0, len(rows))
	for i, r := range rows {
		id := "A-CA-26"
		if i > 0 {
			id = fmt.Sprintf("A-CA-26.%d", i+1)
		}
		out = append(out, check.Row{
			Check: check.Check{ID: id, Level: check.MUST, Cite: cite("RFC7523-3.2", "RFC7521-4.2.1"), Defect: defect.ClientErrorsAsRequest,
				Title: "answers " + r.title + " with invalid_client"},
			Send: check.Mutate(r.m...),
			Want: expect.Everywhere(expect.RejectClient),
		})
	}
	return out
}
