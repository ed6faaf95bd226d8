package resource

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/suites/check"
)

// rotates is the Serial of the key checks: the tokens every other check
// mints are signed by the issuer's current key.
const rotates = "rotates the token issuer's keys and waits out the verifier's key cache"

// publishes is the Serial of C-RS-24: a key it adds to the issuer's
// published set, and the wait for the verifier to fetch it, would reach
// every check minting tokens meanwhile.
const publishes = "publishes an extra key in the token issuer's key set and waits for the verifier to fetch it"

// keyChecks: the issuer rotates its keys (OIDC Core §10.1.1): the verifier
// follows a new key and drops a withdrawn one.
func keyChecks() []check.Check {
	return []check.Check{
		{
			ID: "C-RS-02", Level: check.SHOULD, Cite: []string{"OIDC-Core-10.1.1"}, Defect: defect.VerifierNoRefetch,
			Verdicts: verdicts("2xx"), Title: "after the issuer rotates its keys, accepts a token signed by the new key within one retry",
			Serial: rotates,
			Run:    newKey,
		},
		{
			ID: "C-RS-24", Level: check.SHOULD, Cite: []string{"RFC7517-4.7", "RFC7517-4.8"}, Defect: defect.VerifierTrustsInconsistentX5c,
			Verdicts: verdicts(rejected), Title: "refuses a token signed by a published key whose x5c certificate and thumbprints belong to another key",
			Serial: publishes,
			Run:    inconsistentCert,
		},
		{
			ID: "C-RS-10", Level: check.MUST, Cite: []string{"OIDC-Core-10.1.1", "RFC9068-4"}, Defect: defect.VerifierKeepsRetiredKeys,
			Verdicts: verdicts(rejected), Title: "refuses a token signed by a key the issuer has withdrawn from its jwks_uri",
			Serial: rotates,
			Run:    retiredKey,
		},
	}
}

func newKey(ctx context.Context, e *check.Env) check.Result {
	if why := applies(e, asymmetric); why != "" {
		return check.NA(why)
	}
	if r, ok := present1(ctx, e); !ok {
		return r
	}
	e.TokenIssuer.RotateNow()
	tok, tr, failed := offer(ctx, e, muts())
	if failed != nil {
		return *failed
	}
	if granted(e, tr) {
		return check.Pass(tr)
	}
	if err := e.Wait(ctx, e.Rotation.RefetchMin); err != nil {
		return harness(err, nil)
	}
	tr2, err := present(ctx, e, tok)
	if err != nil {
		return harness(err, tr2)
	}
	if !granted(e, tr2) {
		return check.Broken(check.SHOULD, fmt.Sprintf("a token signed by the issuer's new key (generation %d) was refused, also after %s: HTTP %d", e.TokenIssuer.Generation(), e.Rotation.RefetchMin, tr2.Status), tr, tr2)
	}
	return check.Pass(tr, tr2)
}

// present1 presents a valid token first (the gate): the verifier must know
// the issuer's current key before a rotation proves anything.
func present1(ctx context.Context, e *check.Env) (check.Result, bool) { return gate(ctx, e) }

// retiredKey has the verifier accept a token of the current key, rotates
// twice so that key leaves the issuer's JWKS, waits out the declared cache
// TTL, and signs with the withdrawn key again.
func retiredKey(ctx context.Context, e *check.Env) check.Result {
	if why := applies(e, asymmetric); why != "" {
		return check.NA(why)
	}
	if !e.Fits(ctx, e.Rotation.Expiry()) {
		return check.NA(fmt.Sprintf("needs %s of waiting (declared key cache TTL %s + margin %s), more than the allowed wait %s: declare the verifier's TTL, or raise MaxWait and the check timeout",
			e.Rotation.Expiry(), e.Rotation.KeyCacheTTL, e.Rotation.Margin, e.Rotation.MaxWait))
	}
	if r, ok := present1(ctx, e); !ok {
		return r
	}
	old, err := e.TokenIssuer.Key(e.TokenIssuer.Generation())
	if err != nil {
		return harness(err, nil)
	}
	e.TokenIssuer.RotateNow()
	e.TokenIssuer.RotateNow()
	if err := e.Wait(ctx, e.Rotation.Expiry()); err != nil {
		return harness(err, nil)
	}
	_, tr, failed := offer(ctx, e, muts(assertion.SignWith(old)))
	if failed != nil {
		return *failed
	}
	r := refused(ctx, e, check.MUST, tr, challenge(e, tr, true))
	r.Notes = append(r.Notes, fmt.Sprintf("key %s withdrawn; waited %s", old.ID(), e.Rotation.Expiry()))
	return r
}

// inconsistentCert publishes, for the length of the row, one more key at
// the issuer's jwks_uri whose x5c, x5t and x5t#S256 are those of a
// certificate for another key (RFC 7517 §4.7: the certificate's key MUST
// match the JWK), and signs a token with it under its kid. A verifier that
// keeps such a key trusts a JWK its publisher broke.
func inconsistentCert(ctx context.Context, e *check.Env) check.Result {
	if why := applies(e, asymmetric); why != "" {
		return check.NA(why)
	}
	if r, ok := gate(ctx, e); !ok {
		return r
	}
	jti, err := assertion.NewJTI(e.Rand)
	if err != nil {
		return harness(err, nil)
	}
	k, err := keys.Generate(e.TokenIssuer.Alg(), "idp-v-x5c-"+jti[:8], e.Rand)
	if err != nil {
		return harness(err, nil)
	}
	other, err := keys.Generate("ES256", "other", e.Rand)
	if err != nil {
		return harness(err, nil)
	}
	raw, err := mismatchedJWK(e, k, other)
	if err != nil {
		return harness(err, nil)
	}
	restore := e.TokenIssuer.JWKS().Save()
	defer restore()
	e.TokenIssuer.JWKS().SetExtra(raw)
	tok, tr, failed := offer(ctx, e, muts(assertion.SignWith(k)))
	if failed != nil {
		return *failed
	}
	// A verifier that caches keys may have needed a refetch for the new
	// kid: the first refusal is retried once after RefetchMin.
	if !granted(e, tr) && tr.Status < 500 {
		if err := e.Wait(ctx, e.Rotation.RefetchMin); err != nil {
			return harness(err, nil)
		}
		if tr2, err := present(ctx, e, tok); err == nil {
			tr2.Related = append(tr2.Related, tr)
			tr = tr2
		}
	}
	return refused(ctx, e, check.SHOULD, tr, challenge(e, tr, true))
}

// mismatchedJWK is k's public JWK with the x5c certificate, x5t and
// x5t#S256 of a self-signed certificate for other.
func mismatchedJWK(e *check.Env, k, other keys.Key) (json.RawMessage, error) {
	now := e.Clock()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(now.Unix()), Subject: pkix.Name{CommonName: "assay: a certificate for another key (test only)"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(e.Rand, tmpl, tmpl, other.PublicKey(), other.Private())
	if err != nil {
		return nil, fmt.Errorf("make certificate: %w", err)
	}
	b, err := json.Marshal(k.Public())
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	s1, s256 := sha1.Sum(der), sha256.Sum256(der) //nolint:gosec // x5t is defined as SHA-1
	m["x5c"] = []string{base64.StdEncoding.EncodeToString(der)}
	m["x5t"] = base64.RawURLEncoding.EncodeToString(s1[:])
	m["x5t#S256"] = base64.RawURLEncoding.EncodeToString(s256[:])
	return json.Marshal(m)
}
