package negative

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// headerAttacks is catalog B.5: header semantics and duplicate or
// case-variant members (RFC 7515 §4; RFC 7519 §4; RFC 8725 §3.11).
func headerAttacks() []check.Row {
	as := []check.Row{
		{Check: check.Check{ID: "B-HDR-01", Title: "rejects an unknown critical header parameter (CVE-2025-59420, CVE-2026-32597)",
			Cite: cite("RFC7515-4.1.11"), Defect: defect.IgnoreCrit},
			Send: check.MutateWith(withKey(partyA, "PS256", func(k keys.Key) []assertion.Mutation {
				return []assertion.Mutation{assertion.SignWith(k), assertion.Header("crit", []string{"urn:x:mfa"}), assertion.Header("urn:x:mfa", true)}
			}))},
		{Check: check.Check{ID: "B-HDR-02", Title: "rejects crit given as a string instead of an array",
			Cite: cite("RFC7515-4.1.11"), Defect: defect.IgnoreCrit},
			Send: check.Mutate(assertion.Header("crit", "b64"))},
		{Check: check.Check{ID: "B-HDR-03", Title: "rejects an RFC 7797 unencoded payload (b64:false, crit b64)",
			Cite: cite("RFC7797-5", "RFC8725bis-3.14"), Defect: defect.UnencodedPayload},
			Send: check.MutateWith(unencoded(true))},
		{Check: check.Check{ID: "B-HDR-04", Title: "rejects an unencoded payload with b64:false but no crit",
			Cite: cite("RFC7797-6", "RFC8725bis-3.14"), Defect: defect.UnencodedPayload},
			Send: check.MutateWith(unencoded(false))},
		{Check: check.Check{ID: "B-HDR-05", Title: "rejects a JWE (encrypted to the AS's own enc key, unsigned) as a client assertion (CVE-2023-51774, CVE-2022-3102)",
			Cite: cite("RFC8725bis-3.3", "RFC7523-3"), Defect: defect.DecryptJWE},
			Send: encryptedAssertion},
		{Check: check.Check{ID: "B-HDR-06", Title: "rejects a nested JWT (cty JWT) whose inner layer is unsigned",
			Cite: cite("RFC7519-7.2", "RFC8725-3.3"), Defect: defect.FollowNestedJWT},
			Send: check.MutateWith(nestedNone)},
		{Check: check.Check{ID: "B-HDR-08.1", Title: "rejects a duplicate alg, or reads the last one (first: ES256, last: none)",
			Cite: cite("RFC7515-4", "RFC8725-3.1"), Defect: defect.FirstDuplicateWins},
			Send: check.Mutate(assertion.AddHeader("alg", "none"))},
		{Check: check.Check{ID: "B-HDR-08.2", Title: "rejects a duplicate kid, or reads the last one (first: client A's, last: client B's)",
			Cite: cite("RFC7515-4"), Defect: defect.FirstDuplicateWins},
			Send: check.MutateWith(func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
				k, _ := e.Cast.B.Key("")
				return []assertion.Mutation{assertion.AddHeader("kid", k.ID())}, nil
			})},
		{Check: check.Check{ID: "B-HDR-10.1", Title: "rejects duplicate iss and sub, or reads the last (first: A, last: B)",
			Cite: cite("RFC7519-4"), Defect: defect.FirstDuplicateWins},
			Send: check.Mutate(assertion.AddClaim("iss", assertion.OtherClientID), assertion.AddClaim("sub", assertion.OtherClientID))},
		{Check: check.Check{ID: "B-HDR-10.2", Title: "rejects a duplicate exp, or reads the last (first: valid, last: expired)",
			Cite: cite("RFC7519-4"), Defect: defect.FirstDuplicateWins},
			Send: check.Mutate(assertion.AddClaim("exp", assertion.At(-999*time.Second)))},
		{Check: check.Check{ID: "B-HDR-10.3", Title: "rejects a duplicate aud, or reads the last (first: this AS, last: an attacker)",
			Cite: cite("RFC7519-4"), Defect: defect.FirstDuplicateWins},
			Send: check.Mutate(assertion.AddClaim("aud", "https://attacker.example"))},
		// A case variant is an unknown member and must be ignored; a parser
		// that folds case (Go's encoding/json) lets it win.
		{Check: check.Check{ID: "B-HDR-09.1", Title: "ignores a header member ALG (a case variant of alg)",
			Cite: cite("RFC7515-4", "RFC7519-4"), Defect: defect.FoldMemberCase},
			Want: expect.Everywhere(issuedTo(clientA)),
			Send: check.Mutate(assertion.AddHeader("ALG", "none"))},
		{Check: check.Check{ID: "B-HDR-09.2", Title: "ignores a claim EXP (a case variant of exp) that says expired",
			Cite: cite("RFC7519-4"), Defect: defect.FoldMemberCase},
			Want: expect.Everywhere(issuedTo(clientA)),
			Send: check.Mutate(assertion.AddClaim("EXP", assertion.At(-999*time.Second)))},
		// On the grant carrier the principal is the user the grant names.
		{Check: check.Check{ID: "B-HDR-09.3", Title: "ignores a claim Sub (a case variant of sub) naming another principal",
			Cite: cite("RFC7519-4"), Defect: defect.FoldMemberCase},
			Want: expect.Everywhere(issuedTo(clientA)),
			Send: check.Mutate(assertion.AddClaim("Sub", assertion.Value(otherPrincipal)))},
		{Check: check.Check{ID: "B-HDR-09.3", Title: "ignores a claim Sub (a case variant of sub) naming another principal",
			Cite: cite("RFC7519-4"), Defect: defect.FoldMemberCase, Carrier: check.Grant},
			Want: expect.Everywhere(expect.Issued{Subject: user}),
			Send: check.Mutate(assertion.AddClaim("Sub", assertion.Value(otherPrincipal)))},
		// Claim names are case-sensitive (RFC 7519 §4): Sub cannot stand in
		// for a missing sub (RFC 7523 §3 item 2 MUST).
		{Check: check.Check{ID: "B-HDR-09.4", Title: "rejects an assertion whose subject is in Sub, not sub (claim names are case-sensitive)",
			Cite: cite("RFC7519-4", "RFC7523-3"), Defect: defect.FoldMemberCase},
			AlsoGrant: true,
			Send: check.Mutate(func(d *assertion.Draft) {
				sub := d.Claims.String("sub")
				d.Claims = d.Claims.Remove("sub").Add("Sub", sub)
			})},
	}
	for i, typ := range []string{"at+jwt", "dpop+jwt", "oauth-authz-req+jwt", "logout+jwt", "secevent+jwt", "application/at+jwt"} {
		as = append(as, check.Row{Check: check.Check{ID: variant("B-HDR-07", i), Title: "refuses an assertion typed " + quote(typ), Level: check.SHOULD,
			Cite: cite("RFC8725-3.11", "RFC8725bis-3.11"), Defect: defect.IgnoreTyp},
			Send: check.Mutate(assertion.Header("typ", typ))})
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

// encryptedAssertion encrypts client A's claims to the encryption key the
// target publishes (ECDH-ES or RSA-OAEP-256, A256GCM): a 5-segment JWE with
// no signature anywhere. Anyone can encrypt to a public key, so decrypting
// authenticates nobody. A target that publishes no enc key gets the same
// JWE for a key of the harness's: it must refuse it all the same.
func encryptedAssertion(ctx context.Context, e *check.Env, c check.Carrier) (*client.Transcript, error) {
	tok, err := signed(e, c)
	if err != nil {
		return nil, err
	}
	claims, err := base64.RawURLEncoding.DecodeString(segments(tok)[1])
	if err != nil {
		return nil, err
	}
	rcpt, err := encRecipient(ctx, e)
	if err != nil {
		return nil, err
	}
	enc, err := jose.NewEncrypter(jose.A256GCM, rcpt, (&jose.EncrypterOptions{}).WithType("JWT"))
	if err != nil {
		return nil, err
	}
	obj, err := enc.Encrypt(claims)
	if err != nil {
		return nil, err
	}
	jwe, err := obj.CompactSerialize()
	if err != nil {
		return nil, err
	}
	return post(ctx, e, c, jwe)
}

// encRecipient is the first use:"enc" EC or RSA key of the target's JWKS,
// or the attacker's EC key when there is none.
func encRecipient(ctx context.Context, e *check.Env) (jose.Recipient, error) {
	if e.Meta.JWKSURI != "" {
		tr, err := e.HTTP.Do(ctx, client.Request{Method: http.MethodGet, URL: e.Meta.JWKSURI})
		if err != nil {
			return jose.Recipient{}, fmt.Errorf("fetch the target's JWKS: %w", err)
		}
		var set jose.JSONWebKeySet
		if tr.Status == http.StatusOK && json.Unmarshal(tr.Body, &set) == nil {
			for _, k := range set.Keys {
				if k.Use != "enc" {
					continue
				}
				switch k.Key.(type) {
				case *ecdsa.PublicKey:
					return jose.Recipient{Algorithm: jose.ECDH_ES, Key: k.Key, KeyID: k.KeyID}, nil
				case *rsa.PublicKey:
					return jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: k.Key, KeyID: k.KeyID}, nil
				}
			}
		}
	}
	k, err := attacker()
	if err != nil {
		return jose.Recipient{}, err
	}
	return jose.Recipient{Algorithm: jose.ECDH_ES, Key: k.PublicKey(), KeyID: k.ID()}, nil
}
