package resource

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites/check"
)

const rejected = "401 Bearer invalid_token"

// muts is the token of a row that mints the valid token changed by ms.
func muts(ms ...assertion.Mutation) func(e *check.Env) (string, error) {
	return func(e *check.Env) (string, error) { return mint(e, ms...) }
}

// tokenChecks: the valid token, and one broken token per rule of RFC 9068
// §4 (and RFC 7519 §4.1.4-4.1.5 for the times).
func tokenChecks() []check.Check {
	refusals := []check.Check{
		{ID: "C-RS-03", Cite: []string{"RFC9068-4", "RFC7519-4.1.4"}, Defect: defect.VerifierIgnoreExpiry,
			Title: "refuses an expired access token", Verdicts: verdicts(rejected),
			Run: refuse(muts(assertion.IssuedAt(-2*time.Hour), assertion.Expires(-time.Hour)))},
		{ID: "C-RS-04", Cite: []string{"RFC7519-4.1.5"}, Defect: defect.VerifierIgnoreNotBefore,
			Title: "refuses an access token that is not valid yet (nbf an hour ahead)", Verdicts: verdicts(rejected),
			Run: refuse(muts(assertion.NotBefore(time.Hour)))},
		{ID: "C-RS-05", Cite: []string{"RFC9068-4"}, Defect: defect.VerifierIgnoreIssuer,
			Title: "refuses an access token from another issuer (iss)", Verdicts: verdicts(rejected),
			Run: refuse(muts(assertion.Claim("iss", "https://other-issuer.assay.test")))},
		{ID: "C-RS-06", Cite: []string{"RFC9068-4"}, Defect: defect.VerifierIgnoreAudience,
			Title: "refuses an access token meant for another resource (aud)", Verdicts: verdicts(rejected),
			Run: refuse(muts(assertion.Claim("aud", "https://other-rs.assay.test")))},
		{ID: "C-RS-07", Cite: []string{"RFC9068-4", "RFC8725-3.1"}, Defect: defect.VerifierAcceptAlgNone,
			Title: "refuses an unsecured access token (alg none)", Verdicts: verdicts(rejected),
			Run: refuse(muts(assertion.Unsigned("none")))},
		{ID: "C-RS-08", Cite: []string{"RFC8725-3.1"}, Defect: defect.VerifierHMACWithPublicKey,
			Title: "refuses HS256 keyed with the issuer's RSA public key PEM (RS/HS confusion)", Verdicts: verdicts(rejected),
			Run: refuse(confusion, asymmetric)},
		{ID: "C-RS-09", Cite: []string{"RFC9068-4", "RFC7515-4.1.4"}, Defect: defect.VerifierUnknownKidUnsigned,
			Title: "refuses an access token signed by an unknown key (unknown kid)", Verdicts: verdicts(rejected),
			Run: refuse(unknownKid, asymmetric)},
		{ID: "C-RS-11", Cite: []string{"RFC9068-4", "RFC7515-5.2"}, Defect: defect.VerifierSkipSignature,
			Title: "refuses an access token whose signature has one bit flipped", Verdicts: verdicts(rejected),
			Run: refuse(muts(assertion.FlipSignatureBit))},
		{ID: "C-RS-12", Cite: []string{"RFC9068-4", "OIDC-Core-2"}, Defect: defect.VerifierIgnoreTyp,
			Title: "refuses an ID Token shaped JWT (typ JWT) presented as an access token (typ at+jwt)", Verdicts: verdicts(rejected),
			Run: refuse(muts(assertion.Header("typ", "JWT"), assertion.Claim("nonce", "n-0S6_WzA2Mj"), idTokenTimes), kind(check.AccessTokens))},
		{ID: "C-RS-13", Cite: []string{"RFC8725-3.1", "RFC7518-3.2"}, Defect: defect.VerifierHS256Unchecked,
			Title: "refuses an HMAC-signed token keyed with a secret the verifier does not hold", Verdicts: verdicts(rejected),
			Run: refuse(wrongSecret)},
		{ID: "C-RS-15", Cite: []string{"RFC7519-4", "RFC8725-3.9"}, Defect: defect.VerifierIgnoreRequiredClaims,
			Title: "refuses a token without a claim the verifier requires (verifier.claims)", Verdicts: verdicts(rejected),
			Run: refuse(withClaim(false), claims)},
		{ID: "C-RS-16", Cite: []string{"RFC7519-4", "RFC8725-3.9"}, Defect: defect.VerifierClaimPresenceOnly,
			Title: "refuses a token whose required claim has another value", Verdicts: verdicts(rejected),
			Run: refuse(withClaim(true), claims)},
		{ID: "C-RS-18", Cite: []string{"RFC9068-2.2", "OIDC-Core-2"}, Defect: defect.VerifierExpOptional,
			Title: "refuses an access token or ID Token without exp (exp is REQUIRED)", Verdicts: verdicts(rejected),
			Run: refuse(muts(assertion.DropClaim("exp")), notPlain)},
		{ID: "C-RS-19", Cite: []string{"RFC8725-3.1", "RFC7515-4.1.1"}, Defect: defect.VerifierIgnoreAlgHeader,
			Title: "refuses a token whose header says alg none although it carries a MAC by the shared secret", Verdicts: verdicts(rejected),
			Run: refuse(noneWithMAC, symmetric)},
		{ID: "C-RS-20", Cite: []string{"RFC7515-4.1.3", "RFC8725-3.1"}, Defect: defect.VerifierTrustEmbeddedJWK,
			Title: "refuses a token signed by the key embedded in its own header (jwk), alg switched to RS256", Verdicts: verdicts(rejected),
			Run: refuse(embeddedJWK)},
		{ID: "C-RS-22", Level: check.SHOULD, Cite: []string{"OIDC-Core-3.1.3.7"}, Defect: defect.VerifierIgnoreAzp,
			Title: "refuses an ID Token with two audiences whose azp is the other party", Verdicts: verdicts(rejected),
			Run: refuseAt(check.SHOULD, otherAzp, kind(check.IDTokens))},
		{ID: "C-RS-23", Cite: []string{"OIDC-Core-3.1.3.7"}, Defect: defect.VerifierIgnoreNonce,
			Title: "refuses an ID Token whose nonce is not the one the relying party sent", Verdicts: verdicts(rejected),
			Run: refuse(muts(assertion.Claim("nonce", "n-not-the-one-sent")), kind(check.IDTokens), nonce)},
	}
	cs := []check.Check{{
		ID: "C-RS-01", Level: check.MUST, Cite: []string{"RFC6750-2.1", "RFC9068-4"}, Defect: defect.VerifierRejectAll,
		Verdicts: verdicts("2xx"), Title: "accepts a valid access token from the trusted issuer",
		Run: validToken,
	}, {
		ID: "C-RS-14", Level: check.MUST, Cite: []string{"RFC6750-3"}, Defect: defect.VerifierNoChallenge,
		Verdicts: verdicts("401 Bearer"), Title: "answers a request without a token with 401 and WWW-Authenticate: Bearer",
		Run: noToken,
	}}
	cs = append(cs, check.Check{
		ID: "C-RS-17", Level: check.MUST, Cite: []string{"RFC7515-5.2", "RFC9068-4"}, Defect: defect.VerifierCacheBySignature,
		Verdicts: verdicts(rejected), Title: "refuses a token whose claims were changed after signing (the original signature kept)",
		Run: tampered,
	}, check.Check{
		ID: "C-RS-25", Level: check.MUST, Cite: []string{"RFC7515-5.2", "RFC8725-3.1"}, Defect: defect.VerifierSplitCopies,
		Verdicts: verdicts(rejected), Title: "refuses a request whose copies of the token disagree (a forged copy beside a genuine token for another audience)",
		Run: splitCopies,
	}, check.Check{
		ID: "C-RS-21", Level: check.MUST, Cite: []string{"RFC6750-3.1"}, Defect: defect.VerifierIgnoreScope,
		Verdicts: verdicts("403 insufficient_scope"), Title: "refuses a token without the scope the resource requires, with 403 insufficient_scope",
		Run: noScope,
	})
	return append(cs, refusals...)
}

// notPlain: exp is REQUIRED in access tokens (RFC 9068 §2.2) and ID Tokens
// (OIDC Core §2), OPTIONAL in a plain JWT (RFC 7519 §4.1.4).
func notPlain(e *check.Env) string {
	if e.Verifier.TokenKind() == check.PlainJWTs {
		return "the verifier takes plain JWTs, where exp is optional (RFC 7519 §4.1.4)"
	}
	return ""
}

// withClaim drops the first required claim, or gives it another value.
func withClaim(wrongValue bool) func(e *check.Env) (string, error) {
	return func(e *check.Env) (string, error) {
		n := claimNames(e.Verifier)[0]
		if wrongValue {
			return mint(e, assertion.Claim(n, e.Verifier.Claims[n]+"-not"))
		}
		return mint(e, assertion.DropClaim(n))
	}
}

// noneWithMAC keeps the MAC by the shared secret but says alg none in the
// header: a verifier that recomputes the MAC without reading alg (or
// trusting it) accepts.
func noneWithMAC(e *check.Env) (string, error) {
	return mint(e, assertion.Header("alg", "none"), assertion.SignAlg(e.TokenIssuer.Alg()))
}

// embeddedJWK signs RS256 with an attacker's key and puts its public half
// in the header's jwk (RFC 7515 §4.1.3): trusting it trusts anyone.
func embeddedJWK(e *check.Env) (string, error) {
	k, err := keys.Fixture("attacker.rs256")
	if err != nil {
		return "", err
	}
	k = k.With("attacker-rs256", "RS256")
	pub, err := json.Marshal(k.Public())
	if err != nil {
		return "", fmt.Errorf("encode attacker jwk: %w", err)
	}
	return mint(e, assertion.SignWith(k), assertion.Header("jwk", json.RawMessage(pub)))
}

// otherAzp names two audiences, the relying party and another, with the
// other as the authorized party (OIDC Core §3.1.3.7 items 4-5).
func otherAzp(e *check.Env) (string, error) {
	const other = "https://other-rp.assay.test"
	return mint(e, assertion.Claim("aud", []string{e.Verifier.Audience, other}), assertion.Claim("azp", other))
}

// tampered presents a valid token, then the same header and signature with
// changed claims (another subject, a wider scope): a verifier that trusts a
// signature it has seen before, or checks it against the wrong bytes,
// accepts.
func tampered(ctx context.Context, e *check.Env) check.Result {
	if why := applies(e); why != "" {
		return check.NA(why)
	}
	if b := e.Gate(ctx, control()); b != nil {
		return *b
	}
	d, err := draft(e)
	if err != nil {
		return harness(err, nil)
	}
	tok, err := d.Sign(e.Rand)
	if err != nil {
		return harness(err, nil)
	}
	tr, err := present(ctx, e, tok)
	if err != nil {
		return harness(err, tr)
	}
	if r := accepted(e, tr); r.Outcome != v1.Pass {
		return check.Blocked(control(), r)
	}
	d.Claims = d.Claims.Set("sub", "admin").Set("jti", d.Claims.String("jti")+"x")
	if e.Verifier.TokenKind() != check.IDTokens {
		d.Claims = d.Claims.Set("scope", "read write admin")
	}
	parts := strings.Split(tok, ".")
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(d.ClaimsBytes()) + "." + parts[2]
	tr2, err := present(ctx, e, forged)
	if err != nil {
		return harness(err, tr2)
	}
	r := refused(ctx, e, check.MUST, tr2, challenge(e, tr2, true))
	r.Exchanges = append([]*client.Transcript{tr}, r.Exchanges...)
	return r
}

// noScope presents a token whose scope lacks the one the resource requires
// (RFC 6750 §3.1): it must be refused (MUST: the deployment's rule); a
// Bearer verifier SHOULD answer 403 with error="insufficient_scope" in its
// challenge (and MUST send the challenge, §3).
func noScope(ctx context.Context, e *check.Env) check.Result {
	if why := applies(e, scoped); why != "" {
		return check.NA(why)
	}
	if r, ok := gate(ctx, e); !ok {
		return r
	}
	_, tr, failed := offer(ctx, e, muts(assertion.Claim("scope", "assay-other-scope")))
	if failed != nil {
		return *failed
	}
	var v check.Verdict
	switch {
	case granted(e, tr):
		v.Fail = append(v.Fail, fmt.Sprintf("a token without scope %q was accepted: HTTP %d", e.Verifier.Scope, tr.Status))
	case tr.Status >= 500:
		v.Fail = append(v.Fail, fmt.Sprintf("server error HTTP %d on a token without the required scope", tr.Status))
	case e.Verifier.Bearer():
		params, ok := bearerChallenge(tr.Header.Values("WWW-Authenticate"))
		if !ok {
			v.Fail = append(v.Fail, fmt.Sprintf("HTTP %d without a WWW-Authenticate: Bearer challenge (RFC 6750 §3)", tr.Status))
		}
		if tr.Status != http.StatusForbidden {
			v.Warn = append(v.Warn, fmt.Sprintf("HTTP %d, want 403 (RFC 6750 §3.1 insufficient_scope)", tr.Status))
		}
		if ok && params["error"] != "insufficient_scope" {
			v.Warn = append(v.Warn, fmt.Sprintf("challenge error=%q, want \"insufficient_scope\" (RFC 6750 §3.1)", params["error"]))
		}
	}
	return refused(ctx, e, check.MUST, tr, v)
}

// refuse is the Run of a check that builds a token the verifier must
// refuse: the gate, then present the token and judge the refusal. needs
// say when the row does not apply to this verifier.
func refuse(token func(e *check.Env) (string, error), needs ...func(e *check.Env) string) func(ctx context.Context, e *check.Env) check.Result {
	return refuseAt(check.MUST, token, needs...)
}

// refuseAt is refuse for a row of level lvl (a SHOULD row gives WARN).
func refuseAt(lvl check.Level, token func(e *check.Env) (string, error), needs ...func(e *check.Env) string) func(ctx context.Context, e *check.Env) check.Result {
	return func(ctx context.Context, e *check.Env) check.Result {
		if why := applies(e, needs...); why != "" {
			return check.NA(why)
		}
		if r, ok := gate(ctx, e); !ok {
			return r
		}
		_, tr, failed := offer(ctx, e, token)
		if failed != nil {
			return *failed
		}
		return refused(ctx, e, lvl, tr, challenge(e, tr, true))
	}
}

func validToken(ctx context.Context, e *check.Env) check.Result {
	if why := applies(e); why != "" {
		return check.NA(why)
	}
	_, tr, failed := offer(ctx, e, muts())
	if failed != nil {
		return *failed
	}
	return accepted(e, tr)
}

// accepted judges the verifier's answer tr to a valid token: ERROR when
// the answer matches neither rule (unjudged), a broken MUST when it was
// refused, else PASS. It is C-RS-01's verdict, and the first step of a row
// that presents a valid token before its forged copy.
func accepted(e *check.Env, tr *client.Transcript) check.Result {
	if why := unjudged(e, tr); why != "" {
		return check.Error(why, tr)
	}
	if !granted(e, tr) {
		return check.Broken(check.MUST, fmt.Sprintf("a valid token was refused: HTTP %d %s", tr.Status, tr.Header.Get("WWW-Authenticate")), tr)
	}
	return check.Pass(tr)
}

func noToken(ctx context.Context, e *check.Env) check.Result {
	if why := applies(e, bearer); why != "" {
		return check.NA(why)
	}
	if r, ok := gate(ctx, e); !ok {
		return r
	}
	tr, err := present(ctx, e, "")
	if err != nil {
		return harness(err, tr)
	}
	return refused(ctx, e, check.MUST, tr, challenge(e, tr, false))
}

// idTokenTimes gives the ID Token a numeric auth_time, as OIDC Core §2 has it.
func idTokenTimes(d *assertion.Draft) {
	d.Claims = d.Claims.Set("auth_time", d.Now.Unix())
}

// confusion signs HS256 with the PEM of the issuer's published RSA key as
// the MAC key, under that key's kid (RFC 8725 §2.1).
func confusion(e *check.Env) (string, error) {
	rk := e.TokenIssuer.RSAKey()
	der, err := x509.MarshalPKIXPublicKey(rk.PublicKey())
	if err != nil {
		return "", fmt.Errorf("encode issuer rsa key: %w", err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	return mint(e, assertion.HMAC(pemKey), assertion.Header("kid", rk.ID()))
}

// unknownKid signs with a key the issuer never published, under a kid it
// never used.
func unknownKid(e *check.Env) (string, error) {
	k, err := keys.Fixture("attacker.es256")
	if err != nil {
		return "", err
	}
	jti, err := assertion.NewJTI(e.Rand)
	if err != nil {
		return "", err
	}
	return mint(e, assertion.SignWith(k.With("idp-v-unknown-"+jti[:8], "ES256")))
}

// wrongSecret signs with a fresh random secret: HS256 for an asymmetric
// issuer, the issuer's own HMAC algorithm for a symmetric one.
func wrongSecret(e *check.Env) (string, error) {
	secret := make([]byte, 64)
	if _, err := io.ReadFull(e.Rand, secret); err != nil {
		return "", fmt.Errorf("make secret: %w", err)
	}
	alg := "HS256"
	if e.TokenIssuer.Symmetric() {
		alg = e.TokenIssuer.Alg()
	}
	return mint(e, assertion.HMAC(secret), assertion.Header("alg", alg), assertion.DropHeader("kid"))
}

// copies: the request template carries the token more than once.
func copies(e *check.Env) string {
	if e.Verifier.Where() != check.InJSON || strings.Count(e.Verifier.Body, check.TokenPlaceholder) < 2 {
		return "the request template carries the token once"
	}
	return ""
}

// splitCopies fills the template's token places with two different tokens:
// a forged one (the right claims, a broken signature) in one place, a
// genuinely signed one for another audience in the others, and then the
// other way round. Each token alone is refused; a verifier that checks
// the signature of one copy and the claims of another (OpenAM's
// OPENAM-8893 workaround: the script verifies environment.jwt, the subject
// conditions read subject.jwt) accepts.
func splitCopies(ctx context.Context, e *check.Env) check.Result {
	if why := applies(e, copies); why != "" {
		return check.NA(why)
	}
	if r, ok := gate(ctx, e); !ok {
		return r
	}
	forged, err := mint(e, assertion.FlipSignatureBit)
	if err != nil {
		return harness(err, nil)
	}
	genuine, err := mint(e, assertion.Claim("aud", "https://other-rs.assay.test"))
	if err != nil {
		return harness(err, nil)
	}
	v := e.Verifier
	n := strings.Count(v.Body, check.TokenPlaceholder)
	var trs []*client.Transcript
	for i := range n {
		parts := strings.Split(v.Body, check.TokenPlaceholder)
		var b strings.Builder
		for j, p := range parts {
			b.WriteString(p)
			switch {
			case j == len(parts)-1:
			case j == i:
				b.WriteString(forged)
			default:
				b.WriteString(genuine)
			}
		}
		ve := *e
		ve.Verifier.Body = b.String()
		tr, err := present(ctx, &ve, "")
		if err != nil {
			return harness(err, tr)
		}
		trs = append(trs, tr)
		if r := refused(ctx, e, check.MUST, tr, challenge(e, tr, true)); r.Outcome != v1.Pass {
			r.Reason = fmt.Sprintf("forged copy in token place %d of %d, a genuine token for another audience in the others: %s", i+1, n, r.Reason)
			r.Exchanges = append(trs[:len(trs)-1:len(trs)-1], r.Exchanges...)
			return r
		}
	}
	return check.Pass(trs...)
}
