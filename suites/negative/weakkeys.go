package negative

import (
	"encoding/json"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/suites/check"
)

// weakKeyAttacks is catalog B.4: key material the AS must refuse
// (RFC 7518 §3.3, §3.5: RSA keys of 2048 bits or more; FAPI 2.0 SP §5.4.1).
func weakKeyAttacks() []attack {
	return []attack{
		{id: "B-KEYQ-01", title: "rejects a signature by a 1024-bit RSA key published in the client JWKS",
			cite: cite("RFC7518-3.5", "FAPI2-5.4.1"), d: defect.AcceptShortRSA, needs: needHosted,
			send: hostedB(func(e *check.Env, _ keys.Key) (json.RawMessage, []assertion.Mutation, error) {
				weak, err := keys.Fixture("weak.rs1024")
				if err != nil {
					return nil, nil, err
				}
				weak = weak.With(weak.ID(), "PS256")
				b, err := json.Marshal(weak.Public())
				return b, []assertion.Mutation{assertion.SignWith(weak)}, err
			})},
		// go-jose refuses the 96-byte signature on its own; a hand-rolled
		// verifier that splits the signature in halves and takes the curve
		// from the key accepts it.
		{id: "B-KEYQ-07", title: "rejects ES256 signed with a P-384 key whose JWK says alg ES256",
			cite: cite("RFC7518-3.4", "RFC8725-3.1"), d: defect.CurveNotBound, needs: needHosted,
			send: hostedB(func(e *check.Env, k keys.Key) (json.RawMessage, []assertion.Mutation, error) {
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
