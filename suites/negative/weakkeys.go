package negative

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// weakKeyAttacks is catalog B.4: key material the AS must refuse
// (RFC 7518 §3.3, §3.5: RSA keys of 2048 bits or more; FAPI 2.0 SP §5.4.1).
//
// Not implemented, on purpose:
//   - B-KEYQ-04 (ROCA modulus). The row needs a real ROCA-vulnerable public
//     key (Wycheproof's jws_rsa_roca_key group); a modulus generated here
//     would only look like one, and no fingerprint test can tell the
//     difference from the outside. No such key is available offline.
//   - B-KEYQ-05 (EC point off the curve). go-jose and crypto/ecdsa refuse
//     the JWK and the point, so the reference already passes; a defect that
//     accepted the point would still have no signature that verifies under
//     it without implementing invalid-curve key recovery, so the row could
//     not be shown to fail. B-DOS-06 covers off-curve points where they do
//     matter black-box (an ECDH-ES epk).
//   - B-KEYQ-03's e=2 variant: even exponents are not RSA keys at all and
//     crypto/rsa refuses them; e=3 is the variant real libraries accept.
func weakKeyAttacks() []check.Row {
	return []check.Row{
		{Check: check.Check{ID: "B-KEYQ-01", Title: "rejects a signature by a 1024-bit RSA key published in the client JWKS",
			Cite: cite("RFC7518-3.5", "FAPI2-5.4.1"), Defect: defect.AcceptShortRSA, Serial: changesB, Spare: "B"},
			Needs: needHosted,
			Send: hostedB(func(e *check.Env, _ keys.Key) (json.RawMessage, []assertion.Mutation, error) {
				weak, err := keys.Fixture("weak.rs1024")
				if err != nil {
					return nil, nil, err
				}
				weak = weak.With(weak.ID(), "PS256")
				b, err := json.Marshal(weak.Public())
				return b, []assertion.Mutation{assertion.SignWith(weak)}, err
			})},
		{Check: check.Check{ID: "B-KEYQ-02", Title: "rejects an RS256 \"signature\" that is the padded message itself, under an RSA key with e=1",
			Cite: cite("RFC8017-3.1", "RFC7518-3.3"), Defect: defect.TextbookRSA, KillIn: nonFAPI(), Serial: changesB, Spare: "B"},
			Needs: needHosted,
			Send:  hostedB(exponentOne)},
		{Check: check.Check{ID: "B-KEYQ-03", Title: "refuses an RSA key with public exponent 3 in the client JWKS",
			Cite: cite("FAPI2-5.4.1", "RFC8017-3.1"), Defect: defect.AcceptSmallRSAExp, Serial: changesB, Spare: "B"},
			Needs: needHosted, Want: expect.Only(expect.RejectClient, check.FAPI2, check.BCP),
			Send: hostedB(func(e *check.Env, _ keys.Key) (json.RawMessage, []assertion.Mutation, error) {
				e3, err := keys.Fixture("weak-e3.ps256")
				if err != nil {
					return nil, nil, err
				}
				b, err := json.Marshal(e3.Public())
				return b, []assertion.Mutation{assertion.SignWith(e3)}, err
			})},
		// Part (a) of the catalog row, the length of a secret the AS
		// issues, is A-JO-16 (suites/clientauth, registration.go).
		{Check: check.Check{ID: "B-KEYQ-06", Title: "rejects client H's HS256 assertion keyed with only the first 16 bytes of its secret",
			Cite: cite("RFC7518-3.2", "OIDC-Core-16.19"), Defect: defect.TruncatedHMACKey, KillIn: nonFAPI()},
			Needs: needH,
			Send: authenticateAs(func(c mockidp.Cast) mockidp.Party { return c.H }, func(e *check.Env) ([]assertion.Mutation, error) {
				return []assertion.Mutation{assertion.HMAC([]byte(e.Cast.H.Secret[:16]))}, nil
			})},
		// go-jose refuses the 96-byte signature on its own; a hand-rolled
		// verifier that splits the signature in halves and takes the curve
		// from the key accepts it.
		{Check: check.Check{ID: "B-KEYQ-07", Title: "rejects ES256 signed with a P-384 key whose JWK says alg ES256",
			Cite: cite("RFC7518-3.4", "RFC8725-3.1"), Defect: defect.CurveNotBound, Serial: changesB, Spare: "B"},
			Needs: needHosted,
			Send: hostedB(func(e *check.Env, k keys.Key) (json.RawMessage, []assertion.Mutation, error) {
				p384, err := keys.Fixture("client-a.es384")
				if err != nil {
					return nil, nil, err
				}
				p384 = p384.With(k.ID()+"-p384", "ES256")
				b, err := json.Marshal(p384.Public())
				return b, []assertion.Mutation{assertion.SignWith(p384)}, err
			})},
	}
}

// exponentOne publishes client A's RS256 modulus with e=1 under a fresh kid
// and signs with EM itself: s^1 mod n = EM, so no private key is needed
// (Wycheproof rejectsPublicExponent1).
func exponentOne(e *check.Env, k keys.Key) (json.RawMessage, []assertion.Mutation, error) {
	rk, err := keyOf(e.Cast.A, "RS256")
	if err != nil {
		return nil, nil, err
	}
	pub, ok := rk.PublicKey().(*rsa.PublicKey)
	if !ok {
		return nil, nil, fmt.Errorf("client A's RS256 key is %T", rk.PublicKey())
	}
	kid := k.ID() + "-e1"
	j := fmt.Sprintf(`{"kty":"RSA","use":"sig","alg":"RS256","kid":%q,"n":%q,"e":"AQ"}`, kid, b64(pub.N.Bytes()))
	return raw(j), []assertion.Mutation{assertion.Header("alg", "RS256"), assertion.Header("kid", kid), func(d *assertion.Draft) {
		d.Signature = func(si []byte, _ *assertion.Draft) ([]byte, error) {
			return encodedMessage(pub.Size(), hexBytes(sha256DigestInfo), digest(si)), nil
		}
	}}, nil
}

// sha256DigestInfo is the DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2).
const sha256DigestInfo = "3031300d060960864801650304020105000420"

// needH makes the row N/A without a client_secret_jwt client H whose
// secret is longer than the 16-byte prefix the row sends.
func needH(e *check.Env) string {
	if e.Cast.H.ID == "" || len(e.Cast.H.Secret) <= 16 {
		return "no client_secret_jwt client H with a secret over 16 bytes is configured"
	}
	if !e.Meta.SupportsAuthMethod(oauth.AuthClientSecretJWT) {
		return "token_endpoint_auth_methods_supported lacks client_secret_jwt"
	}
	return ""
}
