package negative

import (
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// headerAttacks is catalog B.5: header semantics and duplicate or
// case-variant members (RFC 7515 §4; RFC 7519 §4; RFC 8725 §3.11).
func headerAttacks() []attack {
	as := []attack{
		{id: "B-HDR-01", title: "rejects an unknown critical header parameter (CVE-2025-59420, CVE-2026-32597)",
			cite: cite("RFC7515-4.1.11"), d: defect.IgnoreCrit,
			mk: withKey(partyA, "PS256", func(k keys.Key) []assertion.Mutation {
				return []assertion.Mutation{assertion.SignWith(k), assertion.Header("crit", []string{"urn:x:mfa"}), assertion.Header("urn:x:mfa", true)}
			})},
		{id: "B-HDR-02", title: "rejects crit given as a string instead of an array",
			cite: cite("RFC7515-4.1.11"), d: defect.IgnoreCrit,
			ms: []assertion.Mutation{assertion.Header("crit", "b64")}},
		{id: "B-HDR-03", title: "rejects an RFC 7797 unencoded payload (b64:false, crit b64)",
			cite: cite("RFC7797-5", "RFC8725bis-3.14"), d: defect.UnencodedPayload, mk: unencoded(true)},
		{id: "B-HDR-04", title: "rejects an unencoded payload with b64:false but no crit",
			cite: cite("RFC7797-6", "RFC8725bis-3.14"), d: defect.UnencodedPayload, mk: unencoded(false)},
		{id: "B-HDR-06", title: "rejects a nested JWT (cty JWT) whose inner layer is unsigned",
			cite: cite("RFC7519-7.2", "RFC8725-3.3"), d: defect.FollowNestedJWT, mk: nestedNone},
		{id: "B-HDR-08.1", title: "rejects a duplicate alg, or reads the last one (first: ES256, last: none)",
			cite: cite("RFC7515-4", "RFC8725-3.1"), d: defect.FirstDuplicateWins,
			ms: []assertion.Mutation{assertion.AddHeader("alg", "none")}},
		{id: "B-HDR-08.2", title: "rejects a duplicate kid, or reads the last one (first: client A's, last: client B's)",
			cite: cite("RFC7515-4"), d: defect.FirstDuplicateWins,
			mk: func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
				k, _ := e.Cast.B.Key("")
				return []assertion.Mutation{assertion.AddHeader("kid", k.ID())}, nil
			}},
		{id: "B-HDR-10.1", title: "rejects duplicate iss and sub, or reads the last (first: A, last: B)",
			cite: cite("RFC7519-4"), d: defect.FirstDuplicateWins,
			ms: []assertion.Mutation{assertion.AddClaim("iss", assertion.OtherClientID), assertion.AddClaim("sub", assertion.OtherClientID)}},
		{id: "B-HDR-10.2", title: "rejects a duplicate exp, or reads the last (first: valid, last: expired)",
			cite: cite("RFC7519-4"), d: defect.FirstDuplicateWins,
			ms: []assertion.Mutation{assertion.AddClaim("exp", assertion.At(-999*time.Second))}},
		{id: "B-HDR-10.3", title: "rejects a duplicate aud, or reads the last (first: this AS, last: an attacker)",
			cite: cite("RFC7519-4"), d: defect.FirstDuplicateWins,
			ms: []assertion.Mutation{assertion.AddClaim("aud", "https://attacker.example")}},
		// A case variant is an unknown member and must be ignored; a parser
		// that folds case (Go's encoding/json) lets it win.
		{id: "B-HDR-09.1", title: "ignores a header member ALG (a case variant of alg)",
			cite: cite("RFC7515-4", "RFC7519-4"), d: defect.FoldMemberCase,
			ms: []assertion.Mutation{assertion.AddHeader("ALG", "none")}, want: expect.Everywhere(issuedTo(clientA))},
		{id: "B-HDR-09.2", title: "ignores a claim EXP (a case variant of exp) that says expired",
			cite: cite("RFC7519-4"), d: defect.FoldMemberCase,
			ms: []assertion.Mutation{assertion.AddClaim("EXP", assertion.At(-999*time.Second))}, want: expect.Everywhere(issuedTo(clientA))},
		{id: "B-HDR-09.3", title: "ignores a claim Sub (a case variant of sub) naming another principal", grant: true,
			cite: cite("RFC7519-4"), d: defect.FoldMemberCase,
			ms:   []assertion.Mutation{assertion.AddClaim("Sub", assertion.Value(otherPrincipal))},
			want: expect.Everywhere(issuedTo(clientA)), wantG: expect.Everywhere(expect.Issued{Subject: user})},
	}
	for i, typ := range []string{"at+jwt", "dpop+jwt", "oauth-authz-req+jwt", "logout+jwt", "secevent+jwt", "application/at+jwt"} {
		as = append(as, attack{id: variant("B-HDR-07", i), title: "refuses an assertion typed " + quote(typ),
			level: check.SHOULD, cite: cite("RFC8725-3.11", "RFC8725bis-3.11"), d: defect.IgnoreTyp,
			ms: []assertion.Mutation{assertion.Header("typ", typ)}})
	}
	return as
}

// unencoded signs b64(H) + "." + C with the raw claims JSON as the payload
// (RFC 7797 §5) and sends b64(H) + "." + C + "." + b64(sig).
func unencoded(withCrit bool) func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
	return func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
		return []assertion.Mutation{func(d *assertion.Draft) {
			d.Header = d.Header.Set("b64", false)
			if withCrit {
				d.Header = d.Header.Set("crit", []string{"b64"})
			}
			input := func(d *assertion.Draft) []byte { return []byte(b64(d.HeaderBytes()) + "." + string(d.ClaimsBytes())) }
			d.Signature = func(_ []byte, d *assertion.Draft) ([]byte, error) {
				return assertion.SignBytes(d.Alg(), d.Key.Private(), d.Secret, input(d), e.Rand)
			}
			d.Finish = func(tok string) string {
				return string(input(d)) + tok[strings.LastIndexByte(tok, '.'):]
			}
		}}, nil
	}
}

// nestedNone wraps an unsigned inner JWT carrying the assertion's claims in
// an outer JWS signed by the client, with cty JWT: the outer payload is the
// inner token's text, not a claims set (RFC 7519 §7.2 step 8).
func nestedNone(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
	return []assertion.Mutation{func(d *assertion.Draft) {
		inner := b64([]byte(`{"alg":"none"}`)) + "." + b64(d.ClaimsBytes()) + "."
		d.Header = d.Header.Set("cty", "JWT")
		d.RawClaims = []byte(inner)
	}}, nil
}
