package negative

import (
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
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

// OversizeBytes is the size of B-DOS-01's assertion: far past any sane
// request limit, small enough to keep the self-test fast.
const OversizeBytes = 1 << 20

// NestingDepth is B-DOS-02's array depth: past Go's 10000 limit and any
// recursive parser's stack, within the reference's 64 KiB body limit so
// that the parser, not the size check, meets it.
const NestingDepth = 20000

// dosAttacks is catalog B.8: inputs that must fail fast (400/413, no 5xx,
// bounded latency; 8725bis §3.13-3.15).
func dosAttacks() []check.Row {
	return []check.Row{
		// No spec sets a size limit, so accepting a valid 1 MiB assertion
		// breaks a recommendation (RFC 8725bis §3.15), not a MUST.
		{Check: check.Check{ID: "B-DOS-01", Title: "refuses a 1 MiB assertion with 413 or an error, within the latency budget", Level: check.SHOULD,
			Cite: cite("RFC8725bis-3.15", "RFC6749-5.2"), Defect: defect.UnboundedBody, Serial: timed},
			Want: expect.Everywhere(tooLarge{}),
			Send: check.Mutate(assertion.Claim("x_pad", strings.Repeat("a", OversizeBytes)))},
		{Check: check.Check{ID: "B-DOS-02", Title: fmt.Sprintf("rejects claims nested %d arrays deep, fast and without a 5xx", NestingDepth),
			Cite: cite("RFC8725-3.7", "RFC7519-7.2"), Defect: defect.DeepJSONCrash},
			Send: check.Mutate(assertion.RawClaims(`{"x":` + strings.Repeat("[", NestingDepth) + strings.Repeat("]", NestingDepth) + `}`))},
		{Check: check.Check{ID: "B-DOS-03", Title: "rejects a token followed by 30000 separators (CVE-2025-30204, CVE-2025-27144)",
			Cite: cite("RFC7515-7.1", "RFC8725bis-3.14"), Defect: defect.LaxSegments},
			Send: check.Mutate(finish(func(t string) string { return t + strings.Repeat(".", 30000) }))},
		// 8725bis §3.13 and §3.15 RECOMMEND these limits; a slow answer is
		// a WARN (a 5xx or an issued token is still a finding).
		{Check: check.Check{ID: "B-DOS-05", Title: "rejects a PBES2 JWE with p2c 2^31-1 fast, without deriving its key (CVE-2022-36083, CVE-2023-52428)", Level: check.SHOULD,
			// The defect burns CPU for over a second per request; it is
			// profile-independent, so one profile proves the row.
			Cite: cite("RFC8725bis-3.13", "RFC7518-4.8.1.2"), Defect: defect.HonourP2C, KillIn: []check.Profile{check.BCP}, Serial: timed},
			Want: expect.Everywhere(fast{expect.RejectClient, "the target seems to run PBKDF2 with the header's p2c (8725bis §3.13: refuse p2c > 1 200 000)"}),
			Send: func(ctx context.Context, e *check.Env, c check.Carrier) (*client.Transcript, error) {
				tok, err := pbes2Token(e)
				if err != nil {
					return nil, err
				}
				return post(ctx, e, c, tok)
			}},
		{Check: check.Check{ID: "B-DOS-04", Title: fmt.Sprintf("rejects a JWE to the AS's enc key whose zip:DEF plaintext inflates to %d MiB (CVE-2024-28180, CVE-2024-28176, CVE-2024-33664)", BombBytes>>20), Level: check.SHOULD,
			Cite: cite("RFC8725bis-3.15", "RFC7516-4.1.3"), Defect: defect.InflateUnbounded, Serial: timed},
			Want: expect.Everywhere(fast{expect.RejectClient, "the target seems to inflate the JWE's plaintext (8725bis §3.15: 250 KB at most)"}),
			Send: func(ctx context.Context, e *check.Env, c check.Carrier) (*client.Transcript, error) {
				rcpt, err := encRecipient(ctx, e)
				if err != nil {
					return nil, err
				}
				tok, err := bomb(rcpt)
				if err != nil {
					return nil, err
				}
				return post(ctx, e, c, tok)
			}},
		{Check: check.Check{ID: "B-DOS-06", Title: "rejects an ECDH-ES JWE whose epk is off the curve, with the same error as for a valid epk (CVE-2016-9121)",
			Cite: cite("RFC8725-3.4", "RFC7518-4.6"), Defect: defect.ECDHInvalidCurve},
			Send: invalidCurveJWE},
		{Check: check.Check{ID: "B-DOS-07", Title: "refuses, fast, an RS256 assertion under a 16384-bit RSA key with a 16384-bit e in the client JWKS", Level: check.SHOULD,
			Cite: cite("RFC8725bis-3.13", "RFC7518-3.3"), Defect: defect.GiantRSAKey, KillIn: []check.Profile{check.BCP}, Serial: timed},
			Needs: needHosted, Want: expect.Everywhere(fast{expect.RejectClient, "the target seems to load and use a key of unbounded size (verification-cost amplification)"}),
			Send: hostedB(giantKey)},
	}
}

// timed is the Serial of the rows whose verdict is their own latency (a
// slow refusal is the finding): concurrent requests would slow them, and
// the inputs that cost a defective target seconds of CPU would slow every
// other row.
const timed = "judges its own latency against the controls'"

// giantKey publishes an RSA JWK with random 16384-bit n and e under a fresh
// kid and sends an RS256 assertion naming it with a random signature of the
// modulus size. No private key exists: the point is the verifier's cost.
func giantKey(e *check.Env, k keys.Key) (json.RawMessage, []assertion.Mutation, error) {
	const size = 16384 / 8
	buf := make([]byte, 3*size)
	if _, err := io.ReadFull(e.Rand, buf); err != nil {
		return nil, nil, err
	}
	n, exp, sig := buf[:size], buf[size:2*size], buf[2*size:]
	n[0] |= 0x80
	n[size-1] |= 1
	exp[0] |= 0x80
	exp[size-1] |= 1
	sig[0] &= 0x7f
	kid := k.ID() + "-giant"
	j := fmt.Sprintf(`{"kty":"RSA","use":"sig","alg":"RS256","kid":%q,"n":%q,"e":%q}`, kid, b64(n), b64(exp))
	return raw(j), []assertion.Mutation{assertion.Header("alg", "RS256"), assertion.Header("kid", kid), fixedSig(func(*assertion.Draft) []byte { return sig })}, nil
}

// BombBytes is B-DOS-04's inflated size: 64 times 8725bis's 250 KB
// ceiling. One DEFLATE layer compresses at most about 1032:1, so the
// ~16 KiB token stays under common request limits (the reference's is
// 64 KiB) while the harness's own compression stays cheap.
const BombBytes = 16 << 20

// bomb is a JWE compact serialization, zip:DEF, of BombBytes zero bytes.
func bomb(rcpt jose.Recipient) (string, error) {
	enc, err := jose.NewEncrypter(jose.A256GCM, rcpt, &jose.EncrypterOptions{Compression: jose.DEFLATE})
	if err != nil {
		return "", err
	}
	obj, err := enc.Encrypt(make([]byte, BombBytes))
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// invalidCurveJWE sends two JWEs to the target's EC enc key (or the
// harness's, when it publishes none): first the genuine one with a broken
// tag, then the same with the epk's y moved off P-256. Both must be
// refused alike: a different error or status for the off-curve point is a
// decryption oracle (Wycheproof jwe_ec rejectsInvalidCurvePoint).
func invalidCurveJWE(ctx context.Context, e *check.Env, c check.Carrier) (*client.Transcript, error) {
	rcpt, err := encRecipient(ctx, e)
	if err != nil {
		return nil, err
	}
	if _, ok := rcpt.Key.(*ecdsa.PublicKey); !ok {
		a, err := attacker()
		if err != nil {
			return nil, err
		}
		rcpt = jose.Recipient{Algorithm: jose.ECDH_ES, Key: a.PublicKey(), KeyID: a.ID()}
	}
	enc, err := jose.NewEncrypter(jose.A256GCM, rcpt, nil)
	if err != nil {
		return nil, err
	}
	obj, err := enc.Encrypt([]byte(`{"iss":"x"}`))
	if err != nil {
		return nil, err
	}
	tok, err := obj.CompactSerialize()
	if err != nil {
		return nil, err
	}
	p := segments(tok)
	tag, _ := base64.RawURLEncoding.DecodeString(p[4])
	tag[0] ^= 1
	p[4] = b64(tag)
	control, err := post(ctx, e, c, strings.Join(p, "."))
	if err != nil {
		return control, err
	}
	hb, err := base64.RawURLEncoding.DecodeString(p[0])
	if err != nil {
		return nil, err
	}
	var h map[string]any
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, err
	}
	epk, _ := h["epk"].(map[string]any)
	yStr, _ := epk["y"].(string)
	y, err := base64.RawURLEncoding.DecodeString(yStr)
	if err != nil || len(y) == 0 {
		return nil, fmt.Errorf("harness: JWE header has no epk y")
	}
	y[len(y)-1] ^= 1 // (x, y^1) is not on P-256: y is fixed by x up to sign
	epk["y"] = b64(y)
	nh, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	p[0] = b64(nh)
	tr, err := post(ctx, e, c, strings.Join(p, "."))
	if err != nil {
		return tr, err
	}
	tr.Related = append(tr.Related, control)
	switch {
	case tr.Status != control.Status || tr.ErrorCode() != control.ErrorCode():
		tr.Findings = append(tr.Findings, fmt.Sprintf("an off-curve epk got HTTP %d %s, a valid epk HTTP %d %s: the difference is a decryption oracle",
			tr.Status, errorOf(tr), control.Status, errorOf(control)))
	case errorOf(tr) != errorOf(control):
		// A description that says "epk not on curve" is computed without
		// the private key (8725bis §3.4 wants the check); a trace id
		// differs on every answer. Reported, not judged.
		tr.Remarks = append(tr.Remarks, fmt.Sprintf("error_description differs: off-curve epk %s, valid epk %s", errorOf(tr), errorOf(control)))
	}
	return tr, nil
}

// errorOf is the error and error_description of a response.
func errorOf(tr *client.Transcript) string {
	m, _ := tr.JSON()
	code, _ := m["error"].(string)
	desc, _ := m["error_description"].(string)
	return fmt.Sprintf("%q (%q)", code, desc)
}

// pbes2Token is a JWE compact serialization whose header asks for
// PBES2-HS256+A128KW with p2c = 2^31-1; the other four segments are random
// bytes of the right sizes. No key is derived on the harness side: a
// target must refuse the header before it does any work.
func pbes2Token(e *check.Env) (string, error) {
	rnd := func(n int) ([]byte, error) {
		b := make([]byte, n)
		_, err := io.ReadFull(e.Rand, b)
		return b, err
	}
	salt, err := rnd(16)
	if err != nil {
		return "", err
	}
	h := fmt.Sprintf(`{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2s":%q,"p2c":2147483647}`, b64(salt))
	parts := []string{b64([]byte(h))}
	for _, n := range []int{24, 12, 64, 16} { // wrapped CEK, IV, ciphertext, tag
		b, err := rnd(n)
		if err != nil {
			return "", err
		}
		parts = append(parts, b64(b))
	}
	return strings.Join(parts, "."), nil
}

// fast is a rejection that must also come within the U7 bound: for inputs
// whose whole point is cost (huge p2c, giant keys) a slow refusal is the
// failure itself, not a warning. why says what the slowness suggests.
type fast struct {
	inner check.Expectation
	why   string
}

func (f fast) Accepting() bool { return false }
func (f fast) String() string  { return f.inner.String() + ", fast" }
func (f fast) Judge(tr *client.Transcript, e *check.Env) check.Verdict {
	v := f.inner.Judge(tr, e)
	if e.Baseline == nil {
		return v
	}
	if limit, slow := e.Baseline.TooSlow(check.Client, tr.Duration); slow {
		v.Fail = append(v.Fail, fmt.Sprintf("refused in %s, over the control median + %s = %s: %s",
			tr.Duration.Round(time.Millisecond), check.Slack, limit.Round(time.Millisecond), f.why))
	}
	return v
}

// tooLarge accepts 413 Payload Too Large (no body rules: the server may
// stop reading) or a REJ-C/R error; never a token or a 5xx.
type tooLarge struct{}

func (tooLarge) Accepting() bool { return false }
func (tooLarge) String() string  { return "413 or REJ-C/R" }
func (tooLarge) Judge(tr *client.Transcript, e *check.Env) check.Verdict {
	if tr.Status == http.StatusRequestEntityTooLarge {
		return expect.NotIssued{}.Judge(tr, e)
	}
	return expect.RejectClientOrRequest.Judge(tr, e)
}
