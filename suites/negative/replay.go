package negative

import (
	"context"
	"crypto/elliptic"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// Racers is how many parallel requests B-CLM-13 sends with one assertion.
const Racers = 32

// replayAttacks: single use of an assertion (OIDC Core §9 "MUST only be
// used once"; RFC 7523 §3 item 7; RFC 7521 §8.2).
func replayAttacks() []check.Row {
	rej := expect.Only(expect.RejectClient, replayProfiles()...)
	return []check.Row{
		{Check: check.Check{ID: "B-CLM-12", Title: "rejects the same assertion sent a second time (CVE-2020-15222)",
			Cite: cite("OIDC-Core-9", "RFC7523-3"), Defect: defect.IgnoreReplay},
			Once: true, Want: rej,
			Send: twice(func(_ *check.Env, _, tok string) (string, error) { return tok, nil })},
		// RFC 7523 §3 item 7 lets a server track a grant's jti (MAY): a
		// replay by the same client is WARN under the profiles that ask for
		// single use, and observation B-CLM-12.3 elsewhere.
		{Check: check.Check{ID: "B-CLM-12.2", Title: "rejects a grant assertion (with jti) replayed by the same client", Level: check.SHOULD,
			Carrier: check.Grant, Cite: cite("RFC7523-3", "RFC7521-8.2"), Defect: defect.IgnoreReplay},
			Once: true, Want: expect.Only(expect.RejectGrant, replayProfiles()...),
			Send: func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
				return grantTwice(ctx, e)
			}},
		{Check: check.Check{ID: "B-CLM-13.1", Title: fmt.Sprintf("issues at most one token for one assertion sent %d times in parallel", Racers),
			Cite: cite("OIDC-Core-9", "RFC7523-3"), Defect: defect.NonAtomicReplay},
			Once: true, Want: rej,
			Send: race},
		{Check: check.Check{ID: "B-CLM-13.2", Title: "accepts a fresh assertion whose jti was only seen in a rejected request", Level: check.SHOULD,
			Cite: cite("RFC7523-3", "RFC7521-8.2"), Defect: defect.ConsumeRejectedJTI},
			Once: true, Want: expect.Everywhere(explain{issuedTo(clientA), "the target records jti before it verifies the signature, so anyone who learns a jti can burn the client's assertion (denial of service)"}),
			Send: afterRejected},
		// A validly signed assertion refused by a later check must not
		// spend its jti either: whoever can get one refused (a copy sent to
		// another audience, say) would burn the client's assertion.
		afterRefusedRow("B-CLM-13.4", "aud naming another server", assertion.Audience("https://other-as.assay.test")),
		afterRefusedRow("B-CLM-13.5", "exp in the past", assertion.Expires(-5*time.Minute), assertion.IssuedAt(-10*time.Minute)),
		afterRefusedRow("B-CLM-13.7", "nbf in the future", assertion.NotBefore(10*time.Minute)),
		func() check.Row {
			r := afterRefusedRow("B-CLM-13.6", "iss and sub naming client B, signed with client A's key",
				assertion.Claim("iss", assertion.OtherClientID), assertion.Claim("sub", assertion.OtherClientID))
			r.Needs = func(e *check.Env) string {
				if e.Cast.B.ID == "" {
					return "no second client (B) is configured"
				}
				return ""
			}
			return r
		}(),
		// OIDC Core §9's single use covers client authentication; for a
		// grant RFC 7523 §3 only lets the server track jti (MAY): SHOULD.
		{Check: check.Check{ID: "B-CLM-13.3", Title: "rejects a grant assertion replayed by another client", Level: check.SHOULD,
			Carrier: check.Grant, Cite: cite("RFC7523-3", "RFC7521-8.2"), Defect: defect.GrantReplayPerClient},
			Once: true, Want: expect.Only(expect.RejectGrant, replayProfiles()...),
			Needs: func(e *check.Env) string {
				switch {
				case e.Cast.P.ID == "":
					return "no second client (P) allowed the jwt-bearer grant"
				case e.GrantMethod() == oauth.AuthNone:
					return "the target takes grants without client authentication, so no other client can be told apart"
				case e.GrantMethod() != oauth.AuthPrivateKeyJWT:
					return "grant requests authenticate with " + e.GrantMethod() + ", and the other client (P) sends a private_key_jwt client assertion"
				}
				return ""
			},
			Send: otherClientReplay},
		// A replay cache keyed on the token still uses each token once
		// (OIDC Core §9); keying it on jti is the better reading: SHOULD.
		{Check: check.Check{ID: "B-CLM-14.1", Title: "rejects a new assertion reusing a jti within the first one's lifetime", Level: check.SHOULD,
			Cite: cite("RFC7523-3", "OIDC-Core-9"), Defect: defect.IgnoreReplay},
			Once: true, Want: rej,
			Send: twice(func(e *check.Env, jti, _ string) (string, error) {
				return e.ClientAssertion(e.Cast.A, assertion.Claim("jti", jti), assertion.Expires(90*time.Second))
			})},
		{Check: check.Check{ID: "B-CLM-14.2", Title: "accepts client B's assertion that reuses client A's jti (jti is unique per issuer)", Level: check.SHOULD,
			Cite: cite("RFC7519-4.1.7", "RFC7523-3"), Defect: defect.GlobalJTIScope},
			Once: true, Want: expect.Everywhere(issuedTo(clientB)),
			Send: twice(func(e *check.Env, jti, _ string) (string, error) {
				return e.ClientAssertion(e.Cast.B, assertion.Claim("jti", jti))
			})},
		{Check: check.Check{ID: "B-SIG-12", Title: "rejects a replay made fresh by ECDSA malleability (s -> n - s)",
			Cite: cite("OIDC-Core-9", "RFC7518-3.4"), Defect: defect.ReplayByToken},
			Once: true, Want: rej,
			Needs: func(e *check.Env) string {
				if alg := check.DefaultAlg(e.Cast.A); alg != "ES256" {
					return "client A signs " + alg + "; ECDSA malleability needs ES256"
				}
				return ""
			},
			Send: twice(func(_ *check.Env, _, tok string) (string, error) { return malleate(tok) })},
	}
}

// twice sends client A's assertion with a fresh jti, requires a token for
// it (or the row cannot say anything: ERROR), then sends second(jti, tok).
func twice(second func(e *check.Env, jti, tok string) (string, error)) check.Sender {
	return func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
		jti, err := assertion.NewJTI(e.Rand)
		if err != nil {
			return nil, err
		}
		tok, err := e.ClientAssertion(e.Cast.A, assertion.Claim("jti", jti))
		if err != nil {
			return nil, err
		}
		first, err := e.Post(ctx, check.ClientAuthForm(tok), nil)
		if err != nil {
			return first, err
		}
		if first.Status != 200 {
			return first, fmt.Errorf("the first use of the assertion was refused (HTTP %d), so its replay cannot be tested", first.Status)
		}
		tok2, err := second(e, jti, tok)
		if err != nil {
			return nil, err
		}
		tr, err := e.Post(ctx, check.ClientAuthForm(tok2), nil)
		if tr != nil {
			tr.Related = append(tr.Related, first)
		}
		return tr, err
	}
}

// afterRejected spends a jti on a request with a broken signature, then
// sends a valid assertion with the same jti.
func afterRejected(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
	jti, err := assertion.NewJTI(e.Rand)
	if err != nil {
		return nil, err
	}
	bad, err := e.Authenticate(ctx, e.Cast.A, assertion.Claim("jti", jti), assertion.FlipSignatureBit)
	if err != nil {
		return bad, err
	}
	if bad.Status == 200 {
		return bad, fmt.Errorf("a flipped signature was accepted (see A-CA-24), so jti consumption cannot be tested")
	}
	tr, err := e.Authenticate(ctx, e.Cast.A, assertion.Claim("jti", jti))
	if tr != nil {
		tr.Related = append(tr.Related, bad)
	}
	return tr, err
}

// afterRefusedRow is a B-CLM-13 variant whose first request is validly
// signed by client A but refused on a later check (what the mutations
// break), and whose second is a valid assertion with the same jti: it must
// be accepted (RFC 7523 §3 item 7 keeps jti for assertions the server
// accepted; RFC 7521 §8.2). SHOULD: no text forbids recording more.
func afterRefusedRow(id, what string, ms ...assertion.Mutation) check.Row {
	return check.Row{Check: check.Check{ID: id, Level: check.SHOULD, Cite: cite("RFC7523-3", "RFC7521-8.2"), Defect: defect.ConsumeJTIBeforeClaims,
		Title: "accepts a fresh assertion whose jti was only seen in a validly signed assertion refused for " + what},
		Once: true, Want: expect.Everywhere(explain{issuedTo(clientA), "the target records jti before it has accepted the assertion (" + what + "), so anyone who gets a copy refused can burn the client's jti"}),
		Send: afterRefused(what, ms...)}
}

// afterRefused sends client A's assertion with mutations ms (which must be
// refused) and a fresh jti, then a valid assertion with the same jti.
func afterRefused(what string, ms ...assertion.Mutation) check.Sender {
	return func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
		jti, err := assertion.NewJTI(e.Rand)
		if err != nil {
			return nil, err
		}
		bad, err := e.Authenticate(ctx, e.Cast.A, append(append([]assertion.Mutation(nil), ms...), assertion.Claim("jti", jti))...)
		if err != nil {
			return bad, err
		}
		if bad.Status == 200 {
			return bad, &check.Inapplicable{Reason: "the target accepted an assertion with " + what + " (another row judges that), so jti consumption by a refused assertion cannot be tested"}
		}
		tr, err := e.Authenticate(ctx, e.Cast.A, assertion.Claim("jti", jti))
		if tr != nil {
			tr.Related = append(tr.Related, bad)
		}
		return tr, err
	}
}

// malleate replaces s by n - s in an ES256 token: a second valid signature
// of the same message, so a cache keyed on token bytes misses the replay.
func malleate(tok string) (string, error) {
	i := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil || len(sig) != 64 {
		return "", fmt.Errorf("malleate the signature: not a 64-byte ES256 signature")
	}
	n := elliptic.P256().Params().N
	s := new(big.Int).Sub(n, new(big.Int).SetBytes(sig[32:]))
	s.FillBytes(sig[32:])
	return tok[:i+1] + b64(sig), nil
}

// explain adds why a failure matters to an expectation's failures.
type explain struct {
	inner check.Expectation
	why   string
}

func (x explain) Accepting() bool { return x.inner.Accepting() }
func (x explain) String() string  { return x.inner.String() }
func (x explain) Judge(tr *client.Transcript, e *check.Env) check.Verdict {
	v := x.inner.Judge(tr, e)
	if len(v.Fail) > 0 {
		v.Fail = append(v.Fail, x.why)
	}
	return v
}

// grantTwice redeems one grant assertion (it carries a jti) twice with the
// same client authentication and returns the second answer; the first must
// be a token, or the replay cannot be tested (ERROR).
func grantTwice(ctx context.Context, e *check.Env) (*client.Transcript, error) {
	return replayGrant(ctx, e, func(tok string, _ client.Form) (client.Form, error) {
		return e.GrantForm(tok) // a fresh client assertion
	})
}

// otherClientReplay has client A redeem a grant assertion, then client P
// present the same assertion with its own authentication: the jti belongs
// to the assertion's issuer, not to whoever presents it.
func otherClientReplay(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
	return replayGrant(ctx, e, func(_ string, form client.Form) (client.Form, error) {
		ca, err := e.ClientAssertion(e.Cast.P)
		if err != nil {
			return nil, err
		}
		return form.Set("client_assertion", ca), nil
	})
}

// replayGrant redeems one grant assertion, then sends it again in the form
// again builds from the assertion and the first form, and returns that
// second answer with the first attached. The first must issue a token, or
// the replay cannot be tested (ERROR).
func replayGrant(ctx context.Context, e *check.Env, again func(tok string, first client.Form) (client.Form, error)) (*client.Transcript, error) {
	tok, err := e.GrantAssertion()
	if err != nil {
		return nil, err
	}
	form, err := e.GrantForm(tok)
	if err != nil {
		return nil, err
	}
	first, err := e.Post(ctx, form, nil)
	if err != nil {
		return first, err
	}
	if first.Status != 200 {
		return first, fmt.Errorf("the first use of the grant assertion was refused (HTTP %d), so its replay cannot be tested", first.Status)
	}
	if form, err = again(tok, form); err != nil {
		return nil, err
	}
	tr, err := e.Post(ctx, form, nil)
	if tr != nil {
		tr.Related = append(tr.Related, first)
	}
	return tr, err
}
