package negative

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/oracle"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// keyAttacks is catalog B.3: key selection and key injection (RFC 7515
// §4.1.2-4.1.6; RFC 8725 §3.10; 8725bis §3.10).
func keyAttacks() []check.Row {
	as := []check.Row{
		{Check: check.Check{ID: "B-KEY-01.1", Title: "rejects an attacker key embedded as jwk, kid kept (CVE-2018-0114, CVE-2026-27962)",
			Cite: cite("RFC7515-4.1.3", "RFC8725-3.10"), Defect: defect.TrustEmbeddedJWK},
			AlsoGrant: true,
			Send:      check.MutateWith(embeddedJWK(true))},
		{Check: check.Check{ID: "B-KEY-01.2", Title: "rejects an attacker key embedded as jwk, no kid (CVE-2018-0114, CVE-2026-27962)",
			Cite: cite("RFC7515-4.1.3", "RFC8725-3.10"), Defect: defect.TrustEmbeddedJWK},
			AlsoGrant: true,
			Send:      check.MutateWith(embeddedJWK(false))},
		{Check: check.Check{ID: "B-KEY-02", Title: "rejects jku pointing at an attacker JWKS and never fetches it",
			Cite: cite("RFC7515-4.1.2", "RFC8725-3.10"), Defect: defect.FetchHeaderURL},
			AlsoGrant: true, Needs: needOracle,
			Send: check.MutateWith(headerURL("jku", "B-KEY-02", func(o *oracle.Oracle, path string) string { return o.URL(path + "jwks.json") }))},
		{Check: check.Check{ID: "B-KEY-03.1", Title: "rejects x5u pointing at an attacker certificate and never fetches it",
			Cite: cite("RFC7515-4.1.5", "RFC8725bis-3.10"), Defect: defect.FetchHeaderURL},
			Needs: needOracle,
			Send:  check.MutateWith(headerURL("x5u", "B-KEY-03.1", func(o *oracle.Oracle, path string) string { return o.URL(path + "cert.pem") }))},
		{Check: check.Check{ID: "B-KEY-03.2", Title: "never fetches a jku at http://localhost",
			Cite: cite("RFC8725bis-3.10"), Defect: defect.FetchHeaderURL},
			Needs: needLoopbackOracle,
			Send: check.MutateWith(headerURL("jku", "B-KEY-03.2", func(o *oracle.Oracle, path string) string {
				return "http://localhost:" + o.Port() + path + "internal/jwks"
			}))},
		{Check: check.Check{ID: "B-KEY-03.3", Title: "never fetches a jku at the loopback address 127.0.0.1",
			Cite: cite("RFC8725bis-3.10"), Defect: defect.FetchHeaderURL},
			Needs: needLoopbackOracle,
			Send:  check.MutateWith(headerURL("jku", "B-KEY-03.3", func(o *oracle.Oracle, path string) string { return "http://127.0.0.1:" + o.Port() + path }))},
		{Check: check.Check{ID: "B-KEY-04.1", Title: "rejects an x5c holding a self-signed certificate of an attacker key",
			Cite: cite("RFC7515-4.1.6"), Defect: defect.TrustX5C},
			Send: check.MutateWith(selfSignedX5C(false))},
		{Check: check.Check{ID: "B-KEY-04.2", Title: "rejects an x5c holding an expired self-signed certificate",
			Cite: cite("RFC7515-4.1.6"), Defect: defect.TrustX5C},
			Send: check.MutateWith(selfSignedX5C(true))},
		{Check: check.Check{ID: "B-KEY-05.1", Title: "rejects a kid path traversal to /dev/null with an empty HMAC key",
			Cite: cite("RFC8725-2.9", "RFC8725bis-3.10"), Defect: defect.KidPathLookup, KillIn: nonFAPI()},
			Send: check.Mutate(assertion.HMAC([]byte{}), assertion.Header("kid", "../../../../../../dev/null"))},
		{Check: check.Check{ID: "B-KEY-05.2", Title: "rejects a kid naming /proc/sys/kernel/randomize_va_space with the HMAC key \"2\"",
			Cite: cite("RFC8725-2.9", "RFC8725bis-3.10"), Defect: defect.KidPathLookup, KillIn: nonFAPI()},
			Send: check.Mutate(assertion.HMAC([]byte("2\n")), assertion.Header("kid", "/proc/sys/kernel/randomize_va_space"))},
		{Check: check.Check{ID: "B-KEY-06.1", Title: "rejects a SQL-injected kid whose UNION SELECT yields the HMAC key",
			Cite: cite("RFC8725bis-3.10"), Defect: defect.KidInjection, KillIn: nonFAPI()},
			Send: check.Mutate(assertion.HMAC([]byte("1")), assertion.Header("kid", "x' UNION SELECT '1';--"))},
		{Check: check.Check{ID: "B-KEY-06.2", Title: "rejects an LDAP-wildcard kid that matches another client's key",
			Cite: cite("RFC8725bis-3.10", "RFC8725-3.8"), Defect: defect.KidInjection},
			Send: check.MutateWith(func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
				k, err := likeA(e, e.Cast.B)
				if err != nil {
					return nil, err
				}
				return []assertion.Mutation{assertion.SignWithKeyOnly(k), assertion.Header("kid", "*)(uid=*))(|(uid=*")}, nil
			})},
	}
	for i, kid := range []string{"|sleep 10", "$(sleep 10)"} {
		as = append(as, check.Row{Check: check.Check{ID: variant("B-KEY-07", i), Title: "answers a command-injection kid " + quote(kid) + " without delay", Level: check.SHOULD,
			Cite: cite("RFC8725bis-3.10"), Defect: defect.SlowKid, KillIn: []check.Profile{check.BASE}, Serial: timed},
			Send: check.Mutate(assertion.Header("kid", kid))})
	}
	for i, kid := range []string{`123`, `["%s"]`, `{"a":1}`, `null`} {
		kid := kid
		as = append(as, check.Row{Check: check.Check{ID: variant("B-KEY-07", i+2), Title: "rejects a kid of JSON type " + kidType(kid),
			Cite: cite("RFC7515-4.1.4"), Defect: defect.KidTypeCoercion},
			Send: check.Mutate(func(d *assertion.Draft) {
				d.Header = d.Header.Set("kid", raw(strings.ReplaceAll(kid, "%s", d.Header.String("kid"))))
			})})
	}
	as = append(as,
		check.Row{Check: check.Check{ID: "B-KEY-08", Title: "rejects a signature by a key the client JWKS marks use:enc",
			Cite: cite("RFC7517-4.2"), Defect: defect.IgnoreKeyUse, Serial: changesB, Spare: "B"},
			Needs: needHosted,
			Send: hostedB(func(e *check.Env, k keys.Key) (json.RawMessage, []assertion.Mutation, error) {
				enc := k.With(k.ID()+"-enc", k.Alg())
				j := enc.Public()
				j.Use = "enc"
				b, err := json.Marshal(j)
				return b, []assertion.Mutation{assertion.SignWith(enc)}, err
			})},
		// use is OPTIONAL (RFC 7517 §4.2): a key without it may verify
		// signatures, and a server that skips such keys breaks interop.
		check.Row{Check: check.Check{ID: "B-KEY-08.2", Title: "accepts a signature by a client JWKS key without a use member", Level: check.SHOULD,
			Cite: cite("RFC7517-4.2"), Defect: defect.RequireKeyUse, Serial: changesB, Spare: "B"},
			Needs: needHosted,
			Want:  expect.Everywhere(issuedTo(clientB)),
			Send: hostedB(func(e *check.Env, k keys.Key) (json.RawMessage, []assertion.Mutation, error) {
				plain := k.With(k.ID()+"-nouse", k.Alg())
				j := plain.Public()
				j.Use = ""
				b, err := json.Marshal(j)
				return b, []assertion.Mutation{assertion.SignWith(plain)}, err
			})},
		check.Row{Check: check.Check{ID: "B-KEY-10", Title: "rejects HS256 under a symmetric key smuggled into the client JWKS",
			Cite: cite("OIDC-Reg-2", "RFC8725-3.1"), Defect: defect.AcceptSymmetricJWK, KillIn: nonFAPI(), Serial: changesB, Spare: "B"},
			Needs: needHosted,
			Send: hostedB(func(e *check.Env, k keys.Key) (json.RawMessage, []assertion.Mutation, error) {
				secret := make([]byte, 32)
				if _, err := e.Rand.Read(secret); err != nil {
					return nil, nil, err
				}
				kid := k.ID() + "-oct"
				b := fmt.Sprintf(`{"kty":"oct","k":%q,"kid":%q}`, b64(secret), kid)
				return raw(b), []assertion.Mutation{assertion.HMAC(secret), assertion.Header("kid", kid)}, nil
			})},
		check.Row{Check: check.Check{ID: "B-KEY-11", Title: "rejects HS256 keyed with an RSA key published under the same kid as the client's EC key",
			Cite: cite("FAPI2-5.4.3", "RFC8725-3.1"), Defect: defect.HMACWithPublicKey, KillIn: nonFAPI(), Serial: changesB, Spare: "B"},
			Needs: needHosted,
			Send: hostedBWait(func(e *check.Env, k keys.Key) (json.RawMessage, []assertion.Mutation, error) {
				rk, err := check.KeyFor(e.Cast.A, "RS256")
				if err != nil {
					return nil, nil, err
				}
				dup := rk.With(k.ID(), "RS256")
				b, err := json.Marshal(dup.Public())
				pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spkiDER(dup)})
				return b, []assertion.Mutation{assertion.HMAC(pemKey), assertion.Header("kid", k.ID())}, err
			}, true)},
		check.Row{Check: check.Check{ID: "B-KEY-14", Title: "does not pick the verification key by an x5t#S256 that names another client's certificate",
			Cite: cite("RFC7515-4.1.8", "RFC7523-3"), Defect: defect.X5tLookup, Serial: changesB},
			Needs: needHosted,
			Send:  foreignX5t},
		check.Row{Check: check.Check{ID: "B-KEY-12", Title: "does not refetch the client JWKS for every unknown kid (50 in a burst)", Level: check.SHOULD,
			Cite: cite("OIDC-Core-10.1.1"), Defect: defect.RefetchEveryKid, Serial: countsFetches},
			Needs: needHosted,
			Send:  kidFlood},
	)
	return as
}

func kidType(kid string) string {
	switch kid[0] {
	case '[':
		return "array"
	case '{':
		return "object"
	case 'n':
		return "null"
	}
	return "number"
}

func needOracle(e *check.Env) string {
	if e.Oracle == nil {
		return "no SSRF listener is configured (U6)"
	}
	return ""
}

// needLoopbackOracle is needOracle for the rows whose URL names the
// loopback address: a container's loopback is its own, so a fetch there
// never reaches the harness and the row could only pass.
func needLoopbackOracle(e *check.Env) string {
	if why := needOracle(e); why != "" {
		return why
	}
	if !e.Oracle.Loopback() {
		return "the target does not share the harness's loopback (a container): a fetch of a loopback URL cannot be observed"
	}
	return ""
}

func needHosted(e *check.Env) string {
	if e.IdP == nil || e.IdP.JWKS(e.Cast.B.Name) == nil {
		return "client B's JWKS is not hosted by the harness"
	}
	return ""
}

// attacker is the key nobody trusts: the one the SSRF listener serves.
func attacker() (keys.Key, error) { return keys.Fixture(oracle.AttackerKey) }

// embeddedJWK signs with the attacker key and embeds its public JWK.
func embeddedJWK(keepKid bool) func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
	return func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
		k, err := attacker()
		if err != nil {
			return nil, err
		}
		j, err := json.Marshal(k.Public())
		if err != nil {
			return nil, err
		}
		ms := []assertion.Mutation{assertion.SignWithKeyOnly(k), assertion.Header("alg", k.Alg()), assertion.Header("jwk", raw(string(j)))}
		if !keepKid {
			ms = append(ms, assertion.DropHeader("kid"))
		}
		return ms, nil
	}
}

// headerURL points a key-URL header at the SSRF listener and signs with the
// attacker key the listener serves. url gets the row's own path on the
// listener (oracle.RowPath), so that a late fetch is charged to row id.
func headerURL(name, id string, url func(o *oracle.Oracle, path string) string) func(e *check.Env, c check.Carrier) ([]assertion.Mutation, error) {
	return func(e *check.Env, c check.Carrier) ([]assertion.Mutation, error) {
		k, err := attacker()
		if err != nil {
			return nil, err
		}
		return []assertion.Mutation{assertion.SignWith(k), assertion.Header(name, url(e.Oracle, e.Oracle.RowPath(id, string(c))))}, nil
	}
}

// selfSignedX5C embeds a self-signed certificate of the attacker key.
func selfSignedX5C(expired bool) func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
	return func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
		k, err := attacker()
		if err != nil {
			return nil, err
		}
		now := e.Clock()
		from, to := now.Add(-time.Hour), now.Add(24*time.Hour)
		if expired {
			from, to = now.Add(-48*time.Hour), now.Add(-24*time.Hour)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: e.Cast.A.ID},
			NotBefore: from, NotAfter: to, KeyUsage: x509.KeyUsageDigitalSignature}
		der, err := x509.CreateCertificate(e.Rand, tmpl, tmpl, k.PublicKey(), k.Private())
		if err != nil {
			return nil, fmt.Errorf("make x5c certificate: %w", err)
		}
		return []assertion.Mutation{assertion.SignWith(k), assertion.DropHeader("kid"),
			assertion.Header("x5c", []string{base64.StdEncoding.EncodeToString(der)})}, nil
	}
}

// changesB is the Serial of the rows that publish an extra key in client
// B's hosted set: a row that authenticates as B meanwhile would meet it.
const changesB = "changes client B's hosted key set"

// countsFetches is the Serial of B-KEY-12: any other row's unknown kid
// would add to the fetches of client A's key set it counts.
const countsFetches = "counts the target's fetches of client A's key set"

// hostedB publishes one extra JWK in client B's hosted key set for the
// duration of the exchange and authenticates as B with the mutations.
// Client B's set is used because the positive controls never load it, so a
// target sees the change on its first fetch.
func hostedB(extra func(e *check.Env, k keys.Key) (json.RawMessage, []assertion.Mutation, error)) check.Sender {
	return hostedBWait(extra, false)
}

// hostedBWait publishes the extra key in client B's hosted JWKS and sends
// B's assertion built with the mutations. A row proves nothing while the
// target answers from a key set cached before the change, so it asks
// again (check.Env.Converge: after the declared refetch interval, and with
// sameKid, where the extra key reuses a kid the target knows, after the
// key-cache expiry) until a fetch of the changed set is seen. A target
// that never fetches it makes the row N/A, with how long assay waited.
func hostedBWait(extra func(e *check.Env, k keys.Key) (json.RawMessage, []assertion.Mutation, error), sameKid bool) check.Sender {
	return func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
		k, ok := e.Cast.B.Key("")
		if !ok {
			return nil, fmt.Errorf("client B has no key")
		}
		j, ms, err := extra(e, k)
		if err != nil {
			return nil, err
		}
		d, err := e.ClientDraft(e.Cast.B)
		if err != nil {
			return nil, err
		}
		alg := d.Apply(ms...).Alg()
		h := e.IdP.JWKS(e.Cast.B.Name)
		h.SetExtra(j)
		defer h.SetExtra()
		since := h.Hits()
		var prev *client.Transcript
		send := func(ctx context.Context) (*client.Transcript, error) {
			tr, err := e.Authenticate(ctx, e.Cast.B, ms...)
			if tr != nil && prev != nil {
				tr.Related = append(tr.Related, prev)
			}
			prev = tr
			if err == nil && refusedAlg(e, alg, tr) && h.Hits() == since {
				return tr, errAlgRefused
			}
			return tr, err
		}
		tr, fetched, err := e.Converge(ctx, sameKid, e.Wait, send, func(*client.Transcript) bool { return h.Hits() > since })
		if errors.Is(err, errAlgRefused) {
			// Decided before waiting: no wait can make the target look at a
			// key for an algorithm it refuses outright.
			return tr, &check.Inapplicable{Reason: fmt.Sprintf("the target refused the %s assertion without fetching client B's changed key set, and profile %s does not allow %s: the algorithm is refused before any key is looked up, so the row cannot reach the key", alg, e.Profile, alg)}
		}
		if err != nil || fetched {
			return tr, err
		}
		r := e.Rotation
		why := fmt.Sprintf("the target never fetched client B's changed key set, also not %s later (its declared unknown-kid refetch interval)", r.RefetchMin)
		if sameKid {
			why = fmt.Sprintf("the target answered from its cached copy of client B's keys; the extra key reuses a kid it knows, so only its key-cache expiry (%s declared) would make it refetch", r.Expiry())
			if !e.Fits(ctx, r.Expiry()) {
				why += fmt.Sprintf(", longer than the allowed wait %s: declare rotation timings (README, rotation:)", r.MaxWait)
			}
		}
		return tr, &check.Inapplicable{Reason: why + "; the row could not reach it"}
	}
}

// errAlgRefused ends a convergence that waiting cannot help (refusedAlg).
var errAlgRefused = errors.New("the target refused the assertion's algorithm")

// refusedAlg reports whether tr refused (4xx) an assertion whose alg the
// profile's algorithm allowlist excludes (FAPI 2.0 SP §5.4.1): such a
// target refuses it before looking up any key.
func refusedAlg(e *check.Env, alg string, tr *client.Transcript) bool {
	return alg != "" && !e.Profile.Rules().AllowsAlg(alg) && tr.Status >= 400 && tr.Status < 500
}

// kidFlood sends 50 assertions with fresh unknown kids and counts the
// fetches of client A's hosted JWKS they cause (OIDC Core §10.1.1 allows
// a refetch for an unknown kid; unbounded refetching is an amplifier).
func kidFlood(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
	const burst, bound = 50, 5
	h := e.IdP.JWKS(e.Cast.A.Name)
	before := h.Hits()
	var last *client.Transcript
	for i := 0; i < burst; i++ {
		kid, err := assertion.NewJTI(e.Rand)
		if err != nil {
			return nil, err
		}
		tr, err := e.Authenticate(ctx, e.Cast.A, assertion.Header("kid", "k-"+kid))
		if err != nil {
			return tr, err
		}
		if tr.Status == 200 {
			return tr, nil // U1 fails on it
		}
		last = tr
	}
	if n := h.Hits() - before; n > bound {
		last.Findings = append(last.Findings, fmt.Sprintf("%d assertions with unknown kids caused %d fetches of the client's jwks_uri (bound %d)", burst, n, bound))
	}
	return last, nil
}

// foreignX5t publishes client B's key with a self-signed certificate (C2)
// in B's hosted set, then sends client A's assertion, kid A1, signed by B's
// key, with x5t#S256 naming C2. Selected by kid, A1 fails the signature
// (REJ-C); a server that selects keys by thumbprint across every key set it
// knows verifies it with C2's key and authenticates B's key holder as A.
func foreignX5t(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
	// B's key of the algorithm A signs with, so that A's header fits it.
	bk, err := likeA(e, e.Cast.B)
	if err != nil {
		return nil, err
	}
	now := e.Clock()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: e.Cast.B.ID},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(e.Rand, tmpl, tmpl, bk.PublicKey(), bk.Private())
	if err != nil {
		return nil, fmt.Errorf("make certificate C2: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	j := bk.With(bk.ID()+"-c2", bk.Alg()).Public()
	j.Certificates = []*x509.Certificate{cert}
	b, err := json.Marshal(j)
	if err != nil {
		return nil, err
	}
	h := e.IdP.JWKS(e.Cast.B.Name)
	h.SetExtra(b)
	defer h.SetExtra()
	thumb := sha256.Sum256(der)
	return e.Authenticate(ctx, e.Cast.A, assertion.SignWithKeyOnly(bk), assertion.Header("x5t#S256", b64(thumb[:])))
}
