package negative

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/suites/check"
)

// algorithmAttacks is catalog B.1 (RFC 7518 §3; RFC 8725 §2.1, §3.1).
func algorithmAttacks() []check.Row {
	as := []check.Row{
		{Check: check.Check{ID: "B-ALG-01", Title: "rejects alg none with an empty signature (CVE-2015-2951)",
			Cite: cite("RFC7518-3.6", "RFC8725-2.1"), Defect: defect.AcceptAlgNone},
			AlsoGrant: true,
			Send:      check.Mutate(assertion.Unsigned("none"), assertion.Header("typ", "JWT"))},
		{Check: check.Check{ID: "B-ALG-03", Title: "rejects alg none that keeps the original signature",
			Cite: cite("RFC7518-3.6", "RFC8725-2.1"), Defect: defect.AcceptAlgNone},
			Send: check.Mutate(replaceSegment(0, func(d *assertion.Draft) []byte {
				return d.Header.Set("alg", "none").Bytes()
			}))},
		{Check: check.Check{ID: "B-ALG-04", Title: "rejects HS256 keyed with an empty secret (CVE-2019-20933, CVE-2020-28637)",
			Cite: cite("RFC8725-2.2", "RFC8725-3.1"), Defect: defect.HMACEmptySecret, KillIn: nonFAPI()},
			Send: check.Mutate(assertion.HMAC([]byte{}))},
		{Check: check.Check{ID: "B-ALG-11", Title: fmt.Sprintf("rejects HS256 keyed with each of %d guessable secrets (jwt_tool common secrets, client_id)", len(guessableSecrets)+1),
			Cite: cite("RFC8725-2.2", "RFC8725-3.1"), Defect: defect.GuessableHMACSecret, KillIn: nonFAPI()},
			Send: guessSecrets},
		{Check: check.Check{ID: "B-ALG-07", Title: "rejects HS256 keyed with the AS's own public key (CVE-2016-10555, CVE-2024-33663)",
			Cite: cite("RFC8725-2.1", "RFC8725-3.1"), Defect: defect.HMACWithASKey, KillIn: nonFAPI()},
			AlsoGrant: true,
			Needs: func(e *check.Env) string {
				if e.Meta.JWKSURI == "" {
					return "the metadata has no jwks_uri"
				}
				return ""
			},
			Send: asKeyHMAC},
		// Ed25519 is the same primitive as EdDSA over Ed25519; accepting
		// what the metadata does not list is a SHOULD-level lapse.
		{Check: check.Check{ID: "B-ALG-12", Title: "rejects the fully specified alg Ed25519 when only EdDSA is advertised", Level: check.SHOULD,
			Cite: cite("RFC8725bis-3.2", "FAPI2-5.4.1"), Defect: defect.AlgAlias},
			Needs: func(e *check.Env) string {
				if e.Meta.SupportsSigningAlg("Ed25519") {
					return "the AS advertises Ed25519, so accepting it is right"
				}
				return ""
			},
			Send: check.MutateWith(withKey(partyA, "EdDSA", func(k keys.Key) []assertion.Mutation {
				return []assertion.Mutation{assertion.SignWith(k), assertion.Header("alg", "Ed25519"), assertion.SignAlg("EdDSA")}
			}))},
		{Check: check.Check{ID: "B-ALG-09", Title: "rejects RS256 from a client registered for PS256, signed by the same RSA key",
			Cite: cite("RFC8725-3.1", "OIDC-Reg-2"), Defect: defect.AlgNotBound, KillIn: nonFAPI()},
			Needs: func(e *check.Env) string {
				if e.Cast.P.ID == "" {
					return "no client P registered with token_endpoint_auth_signing_alg=PS256"
				}
				return ""
			},
			Send: authenticateAs(func(c mockidp.Cast) mockidp.Party { return c.P }, func(e *check.Env) ([]assertion.Mutation, error) {
				k, err := keyOf(e.Cast.P, "PS256")
				return []assertion.Mutation{assertion.SignWith(k.With(k.ID(), "RS256"))}, err
			})},
		// RFC 7515 §4.1.4 makes kid a hint: a server that falls back to the
		// client's other keys authenticates the right client, so these are
		// SHOULD (8725bis §3.1: one algorithm per key).
		{Check: check.Check{ID: "B-ALG-10.1", Title: "rejects PS256 under the kid of an EC key (signed by the client's RSA key)", Level: check.SHOULD,
			Cite: cite("RFC8725bis-3.1"), Defect: defect.KidFallback},
			Send: check.MutateWith(crossKid("PS256", "ES256"))},
		{Check: check.Check{ID: "B-ALG-10.2", Title: "rejects ES256 under the kid of an RSA key (signed by the client's EC key)", Level: check.SHOULD,
			Cite: cite("RFC8725bis-3.1"), Defect: defect.KidFallback},
			Send: check.MutateWith(crossKid("ES256", "PS256"))},
	}
	for i, spelling := range []string{"None", "NONE", "nOnE", "noNE"} {
		as = append(as, check.Row{Check: check.Check{ID: variant("B-ALG-02", i), Title: "rejects the none case variant " + quote(spelling),
			Cite: cite("RFC7515-4.1.1", "RFC8725bis-2.11"), Defect: defect.CaseInsensitiveAlg},
			Send: check.Mutate(assertion.Unsigned(spelling))})
	}
	for i, v := range []struct {
		name string
		m    assertion.Mutation
	}{
		{"missing", assertion.DropHeader("alg")},
		{"null", assertion.Header("alg", nil)},
		{"an array", assertion.Header("alg", []string{"ES256"})},
		{"a number", assertion.Header("alg", 256)},
		{"an object", assertion.Header("alg", raw(`{"x":1}`))},
	} {
		as = append(as, check.Row{Check: check.Check{ID: variant("B-ALG-05", i), Title: "rejects an assertion whose alg is " + v.name + " (signed ES256)",
			Cite: cite("RFC7515-4.1.1"), Defect: defect.AlgFromKey},
			Send: check.MutateWith(es256(v.m, assertion.SignAlg("ES256")))})
	}
	for i, v := range []struct {
		name   string
		secret func(k keys.Key) []byte
	}{
		{"the uncompressed point 04||x||y", func(k keys.Key) []byte { return ecPoint(k, true) }},
		{"x||y", func(k keys.Key) []byte { return ecPoint(k, false) }},
		{"the DER SPKI", spkiDER},
		{"the PEM SPKI", func(k keys.Key) []byte {
			return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spkiDER(k)})
		}},
	} {
		v := v
		as = append(as, check.Row{Check: check.Check{ID: variant("B-ALG-08", i), Title: "rejects HS256 keyed with the client's EC public key as " + v.name,
			Cite: cite("RFC8725-2.1", "RFC8725-3.1"), Defect: defect.HMACWithPublicKey, KillIn: nonFAPI()},
			Send: check.MutateWith(withPublicKey(partyA, "ES256", func(k keys.Key) []assertion.Mutation {
				return []assertion.Mutation{assertion.HMAC(v.secret(k)), assertion.Header("kid", k.ID())}
			}))})
	}
	return as
}

func spkiDER(k keys.Key) []byte {
	der, err := x509.MarshalPKIXPublicKey(k.PublicKey())
	if err != nil {
		return nil
	}
	return der
}

// asKeyHMAC keys HS256 with the PEM SPKI of the first key the AS publishes
// at its jwks_uri, under that key's kid.
func asKeyHMAC(ctx context.Context, e *check.Env, c check.Carrier) (*client.Transcript, error) {
	tr, err := e.HTTP.Do(ctx, client.Request{Method: http.MethodGet, URL: e.Meta.JWKSURI})
	if err != nil {
		return tr, err
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(tr.Body, &set); err != nil || len(set.Keys) == 0 {
		return tr, fmt.Errorf("read the AS key set at %s: no keys", e.Meta.JWKSURI)
	}
	k := set.Keys[0]
	der, err := x509.MarshalPKIXPublicKey(k.Key)
	if err != nil {
		return tr, fmt.Errorf("encode the AS key: %w", err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	tok, err := signed(e, c, assertion.HMAC(pemKey), assertion.Header("kid", k.KeyID))
	if err != nil {
		return nil, err
	}
	return post(ctx, e, c, tok)
}

// guessableSecrets is a short list in the spirit of jwt_tool's
// jwt-common.txt: framework defaults, tutorial values and the empty string.
// The row also tries the client's own client_id.
var guessableSecrets = []string{
	"", "secret", "your-256-bit-secret", "secretkey", "secret_key", "jwt_secret", "jwtsecret", "changeme",
	"password", "123456", "key", "test", "admin", "default", "s3cr3t", "supersecret",
}

// guessSecrets sends one HS256 assertion per guessable secret (kid A1, as
// the playbook does) and returns the first that got a token, else the last
// refusal. Each try is an independent credential guess.
func guessSecrets(ctx context.Context, e *check.Env, c check.Carrier) (*client.Transcript, error) {
	var last *client.Transcript
	for _, s := range append(append([]string(nil), guessableSecrets...), e.Cast.A.ID) {
		tr, err := e.Send(ctx, c, assertion.HMAC([]byte(s)))
		if err != nil {
			return tr, err
		}
		if tr.Status/100 == 2 {
			tr.Findings = append(tr.Findings, fmt.Sprintf("HS256 keyed with the guessable secret %q was accepted", s))
			return tr, nil
		}
		last = tr
	}
	return last, nil
}

// crossKid signs with client A's key for alg under the kid of A's key for
// another algorithm (named, not the default key, which may be either).
func crossKid(alg, kidOf string) func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
	return func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
		signer, err := keyOf(e.Cast.A, alg)
		if err != nil {
			return nil, err
		}
		other, err := check.KeyFor(e.Cast.A, kidOf)
		if err != nil {
			return nil, err
		}
		return []assertion.Mutation{assertion.SignWithKeyOnly(signer), assertion.Header("alg", alg), assertion.Header("kid", other.ID())}, nil
	}
}
