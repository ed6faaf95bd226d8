package resource

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/suites/check"
)

const rejected = "401 Bearer invalid_token"

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
			Run: refuse(confusion)},
		{ID: "C-RS-09", Cite: []string{"RFC9068-4", "RFC7515-4.1.4"}, Defect: defect.VerifierUnknownKidUnsigned,
			Title: "refuses an access token signed by an unknown key (unknown kid)", Verdicts: verdicts(rejected),
			Run: refuse(unknownKid)},
		{ID: "C-RS-11", Cite: []string{"RFC9068-4", "RFC7515-5.2"}, Defect: defect.VerifierSkipSignature,
			Title: "refuses an access token whose signature has one bit flipped", Verdicts: verdicts(rejected),
			Run: refuse(muts(assertion.FlipSignatureBit))},
		{ID: "C-RS-12", Cite: []string{"RFC9068-4", "OIDC-Core-2"}, Defect: defect.VerifierIgnoreTyp,
			Title: "refuses an ID Token shaped JWT (typ JWT) presented as an access token (typ at+jwt)", Verdicts: verdicts(rejected),
			Run: refuse(muts(assertion.Header("typ", "JWT"), assertion.Claim("nonce", "n-0S6_WzA2Mj"), idTokenTimes))},
		{ID: "C-RS-13", Cite: []string{"RFC8725-3.1", "RFC7518-3.2"}, Defect: defect.VerifierHS256Unchecked,
			Title: "refuses an HS256 access token keyed with a secret the verifier does not hold", Verdicts: verdicts(rejected),
			Run: refuse(wrongSecret)},
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
	return append(cs, refusals...)
}

// refuse is the Run of a check that builds a token the verifier must
// refuse: present the token, judge the refusal.
func refuse(token func(e *check.Env) (string, error)) func(ctx context.Context, e *check.Env) check.Result {
	return func(ctx context.Context, e *check.Env) check.Result {
		if why := applies(e); why != "" {
			return check.NA(why)
		}
		if r, ok := gate(ctx, e); !ok {
			return r
		}
		tok, err := token(e)
		if err != nil {
			return harness(err, nil)
		}
		tr, err := present(ctx, e, tok)
		if err != nil {
			return harness(err, tr)
		}
		return refused(ctx, e, check.MUST, tr, challenge(tr, true))
	}
}

func validToken(ctx context.Context, e *check.Env) check.Result {
	if why := applies(e); why != "" {
		return check.NA(why)
	}
	tok, err := mint(e)
	if err != nil {
		return harness(err, nil)
	}
	tr, err := present(ctx, e, tok)
	if err != nil {
		return harness(err, tr)
	}
	if !granted(tr) {
		return check.Broken(check.MUST, fmt.Sprintf("a valid access token was refused: HTTP %d %s", tr.Status, tr.Header.Get("WWW-Authenticate")), tr)
	}
	return check.Pass(tr)
}

func noToken(ctx context.Context, e *check.Env) check.Result {
	if why := applies(e); why != "" {
		return check.NA(why)
	}
	if r, ok := gate(ctx, e); !ok {
		return r
	}
	tr, err := present(ctx, e, "")
	if err != nil {
		return harness(err, tr)
	}
	return refused(ctx, e, check.MUST, tr, challenge(tr, false))
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

// wrongSecret signs HS256 with a fresh random secret.
func wrongSecret(e *check.Env) (string, error) {
	secret := make([]byte, 32)
	if _, err := e.Rand.Read(secret); err != nil {
		return "", fmt.Errorf("make secret: %w", err)
	}
	return mint(e, assertion.HMAC(secret), assertion.DropHeader("kid"))
}
