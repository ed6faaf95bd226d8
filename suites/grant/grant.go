// Package grant holds the JWT bearer authorization grant checks (RFC 7523
// §2.1, §3, §3.1; RFC 7521 §4.1), under whichever trust model the target
// is configured with (catalog.md §0.5): an external issuer (IdP-H), a
// client signing its own grant, or a service account. Rows that change
// the issuer, the key or the client authentication derive the change from
// that model.
package grant

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/mockidp/profile"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

func cite(c ...string) []string { return c }

// withClientAuth makes a row N/A where grant requests carry no client
// authentication.
func withClientAuth(e *check.Env) string {
	if e.GrantMethod() == oauth.AuthNone {
		return "the target takes grants without client authentication"
	}
	return ""
}

// withClientB makes a row N/A unless grant requests authenticate with a
// private_key_jwt client assertion and client B is configured to send one.
func withClientB(e *check.Env) string {
	if why := withClientAuth(e); why != "" {
		return why
	}
	switch {
	case e.GrantMethod() != oauth.AuthPrivateKeyJWT:
		return "grant requests authenticate with " + e.GrantMethod() + ", and client B is a private_key_jwt client"
	case e.Cast.B.ID == "" || len(e.Cast.B.Keys) == 0:
		return "no private_key_jwt client B configured"
	}
	return ""
}

// withClientA makes a row N/A unless client A can sign a client assertion.
func withClientA(e *check.Env) string {
	if e.Cast.A.ID == "" || len(e.Cast.A.Keys) == 0 {
		return "no private_key_jwt client A configured"
	}
	return ""
}

// badClientAuth breaks the client authentication of the configured method
// on a grant request (RFC 7523 §3.1: credentials present must be valid):
// a client assertion with one bit of its signature flipped, or a wrong
// client_secret in the form or the Basic header.
func badClientAuth(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
	f, err := validGrantForm(e)
	if err != nil {
		return nil, err
	}
	var h http.Header
	switch e.GrantMethod() {
	case oauth.AuthPrivateKeyJWT, oauth.AuthClientSecretJWT:
		p := e.Cast.A
		if e.GrantMethod() == oauth.AuthClientSecretJWT {
			p = e.Cast.H
		}
		bad, err := e.ClientAssertion(p, assertion.FlipSignatureBit)
		if err != nil {
			return nil, err
		}
		f = f.Set("client_assertion", bad)
	case oauth.AuthClientSecretPost:
		f = f.Set("client_secret", wrongSecret(e.Cast.S.Secret))
	case oauth.AuthClientSecretBasic:
		h = http.Header{"Authorization": {check.BasicAuth(e.Cast.S.ID, wrongSecret(e.Cast.S.Secret))}}
	}
	return e.Post(ctx, f, h)
}

// wrongSecret is a secret of the same length as s that is not s.
func wrongSecret(s string) string {
	b := []byte(s)
	if len(b) == 0 {
		return "not-the-secret"
	}
	b[len(b)-1] ^= 1
	return string(b)
}

// sameAccount keeps a service account's sub equal to its iss when a row
// changes iss (RFC 7523 §3 items 1-2 with iss = sub): the row then tests
// whether the issuer is trusted, not whether sub matches iss.
func sameAccount(e *check.Env, iss any) []assertion.Mutation {
	ms := []assertion.Mutation{assertion.Claim("iss", iss)}
	if e.Grant.TrustModel == check.TrustServiceAccount {
		ms = append(ms, assertion.Claim("sub", iss))
	}
	return ms
}

// sendForm posts a grant request whose form edit changes.
func sendForm(edit func(e *check.Env, f client.Form) (client.Form, error)) check.Sender {
	return func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
		f, err := validGrantForm(e)
		if err != nil {
			return nil, err
		}
		if f, err = edit(e, f); err != nil {
			return nil, err
		}
		return e.Post(ctx, f, nil)
	}
}

// Checks returns every grant check.
func Checks() []check.Check {
	rej := expect.Everywhere(expect.RejectGrant)
	ok := expect.Everywhere(expect.Issued{})
	rows := []check.Row{
		{Check: check.Check{ID: "A-JG-01", Level: check.MUST, Cite: cite("RFC7523-2.1"), Defect: defect.RejectGrant,
			Title: "issues a token for a valid grant assertion from a trusted issuer"},
			// The grant carrier's positive control itself: its refusal is
			// the cause the other grant rows are blocked by.
			Send: check.Mutate(), Want: ok, Ungated: true},
		{Check: check.Check{ID: "A-JG-02", Level: check.MUST, Cite: cite("RFC7521-4.1"), Defect: defect.GrantMissingAssertionCode,
			Title: "answers a grant request without assertion with invalid_request"},
			Send: sendForm(func(_ *check.Env, f client.Form) (client.Form, error) { return f.Del("assertion"), nil }),
			Want: expect.Everywhere(expect.RejectRequest)},
		{Check: check.Check{ID: "A-JG-03", Level: check.MUST, Cite: cite("RFC7523-2.1", "RFC6749-3.2"), Defect: defect.AllowDuplicateParams,
			Title: "rejects a repeated assertion parameter"},
			Send: sendForm(func(e *check.Env, f client.Form) (client.Form, error) {
				second, err := e.GrantAssertion()
				return f.Add("assertion", second), err
			}),
			Want: expect.Everywhere(expect.RejectGrantOrRequest)},
		{Check: check.Check{ID: "A-JG-04", Level: check.MUST, Cite: cite("RFC7523-3", "RFC7523-3.1"), Defect: defect.GrantIgnoreSignature,
			Title: "rejects a grant assertion whose signature has one bit flipped"},
			Send: check.Mutate(assertion.FlipSignatureBit), Want: rej},
		// Which subjects an issuer may assert is the server's policy (RFC
		// 7523 §3 item 2): an unlisted sub is invalid only where the config
		// lists the subjects (grant.knownSubjects).
		{Check: check.Check{ID: "A-JG-04.2", Level: check.MUST, Cite: cite("RFC7523-3.1", "RFC7521-4.1.1"), Defect: defect.GrantWrongErrorCode,
			Title: "answers a grant assertion for a subject outside grant.knownSubjects with invalid_grant, not invalid_client"},
			Send: check.MutateWith(unknownSubject), Want: rej, Needs: needKnownSubjects},
		{Check: check.Check{ID: "A-JG-05", Level: check.MUST, Cite: cite("RFC7523-3", "RFC7523-3.1"), Defect: defect.GrantIgnoreExpiry,
			Title: "rejects a grant assertion that expired 5 minutes ago"},
			Send: check.MutateWith(func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
				past := e.BeyondSkew(5 * time.Minute)
				return []assertion.Mutation{assertion.IssuedAt(-past - 5*time.Minute), assertion.Expires(-past)}, nil
			}), Want: rej},
		// RFC 7523 §3 item 4 lets a server refuse a far exp (MAY); the row
		// judges the bound the target declares for grants, under the
		// profile that asks for bounded lifetimes (as A-CA-13 does for
		// client assertions).
		{Check: check.Check{ID: "A-JG-05.2", Level: check.MUST, Cite: cite("RFC7523-3", "RFC7523-3.1"), Defect: defect.GrantUnboundedLifetime,
			Title: "rejects a grant assertion whose exp is 5 minutes past the declared maximum lifetime (timeouts.maxGrantLifetime)"},
			Send: check.MutateWith(func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
				return []assertion.Mutation{assertion.Expires(e.MaxGrantLifetime + 5*time.Minute)}, nil
			}),
			Want:  expect.Only(expect.RejectGrant, profile.Where(func(r profile.Rules) bool { return r.BoundedLifetime })...),
			Needs: check.NeedsGrantLifetimeBound},
		{Check: check.Check{ID: "A-JG-06", Level: check.MUST, Cite: cite("RFC7523-3.1"), Defect: defect.GrantSkipClientAuth,
			Title: "validates client credentials present on a grant request (a bad client assertion signature or secret)"},
			Send: badClientAuth, Want: expect.Everywhere(expect.RejectClient), Needs: withClientAuth},
		// RFC 7523 §3 names the token endpoint URL as a value that MAY
		// identify the server, with the strings configured out of band: a
		// server that takes only its issuer interoperates less (SHOULD).
		{Check: check.Check{ID: "A-JG-07", Level: check.SHOULD, Cite: cite("RFC7523-3", "BIS-4"), Defect: defect.GrantRejectTokenEndpointAud,
			Title: "accepts the token endpoint URL as grant audience"},
			Send: check.Mutate(assertion.Audience(assertion.TokenEndpoint)), Want: ok},
		{Check: check.Check{ID: "A-JG-07.3", Level: check.MUST, Cite: cite("RFC7523-3"), Defect: defect.GrantIgnoreAudience,
			Title: "rejects a grant assertion for another server's audience"},
			Send: check.MutateWith(func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
				return []assertion.Mutation{assertion.Audience(otherAudience(e))}, nil
			}), Want: rej},
		{Check: check.Check{ID: "A-JG-08", Level: check.MUST, Cite: cite("RFC7523-3"), Defect: defect.GrantIgnoreIssuer,
			Title: "rejects a grant assertion without iss"},
			Send: check.Mutate(assertion.DropClaim("iss")), Want: rej},
		{Check: check.Check{ID: "A-JG-08.2", Level: check.MUST, Cite: cite("RFC7523-3"), Defect: defect.GrantIgnoreIssuer,
			Title: "rejects a grant assertion from an untrusted issuer"},
			Send: check.MutateWith(func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
				return sameAccount(e, "https://untrusted.example"), nil
			}), Want: rej},
		{Check: check.Check{ID: "A-JG-08.3", Level: check.MUST, Cite: cite("RFC7523-3"), Defect: defect.GrantIgnoreIssuer,
			Title: "compares the grant iss by Simple String Comparison (trailing slash)"},
			Send: check.MutateWith(func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
				return sameAccount(e, e.GrantIssuer().ID+"/"), nil
			}), Want: rej},
		{Check: check.Check{ID: "A-JG-09", Level: check.MUST, Cite: cite("RFC7523-3", "RFC7521-5.2"), Defect: defect.GrantIgnoreSubject,
			Title: "rejects a grant assertion without sub"},
			Send: check.Mutate(assertion.DropClaim("sub")), Want: rej},
		// sub identifies the principal whatever the server's subject policy
		// (RFC 7523 §3 item 2 MUST): an empty sub names nobody, and a
		// policy that checks only a non-empty sub (a zero value read as
		// "absent") must not let it through.
		{Check: check.Check{ID: "A-JG-09.2", Level: check.MUST, Cite: cite("RFC7523-3", "RFC7521-5.2"), Defect: defect.GrantSubjectOptional,
			Title: "rejects a grant assertion whose sub is the empty string"},
			Send: check.Mutate(assertion.Claim("sub", "")), Want: rej},
		{Check: check.Check{ID: "A-JG-10", Level: check.MUST, Cite: cite("RFC8725-3.8"), Defect: defect.GrantAnyIssuerKey,
			Title: "rejects a grant assertion signed with a key that is not its issuer's"},
			Send: check.MutateWith(func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
				m, err := e.ForeignGrantSigner()
				return []assertion.Mutation{m}, err
			}), Want: rej},
		{Check: check.Check{ID: "A-JG-11", Level: check.MUST, Cite: cite("RFC6749-5.2"), Defect: defect.GrantIgnoreClientGrants,
			Title: "answers a client not allowed the grant with unauthorized_client"},
			Send: sendForm(func(e *check.Env, f client.Form) (client.Form, error) {
				ca, err := e.ClientAssertion(e.Cast.B)
				return f.Set("client_assertion", ca).Set("client_assertion_type", oauth.AssertionTypeJWT), err
			}),
			Want: expect.Everywhere(expect.Error(oauth.UnauthorizedClient)), Needs: withClientB},
		{Check: check.Check{ID: "A-JG-12", Level: check.MUST, Cite: cite("RFC6749-5.2", "RFC7521-4.1"), Defect: defect.IgnoreScope,
			Title: "answers a scope beyond what is allowed with invalid_scope, or narrows it and says so"},
			Send: sendForm(func(_ *check.Env, f client.Form) (client.Form, error) { return f.Add("scope", "admin:all"), nil }),
			Want: expect.Everywhere(expect.ScopeRefused{Scope: "admin:all"})},
		{Check: check.Check{ID: "B-CLM-20", Level: check.MUST, Cite: cite("RFC8725-3.12", "BIS-4"), Defect: defect.AcceptClientAssertionAsGrant,
			Title: "refuses client A's own client assertion replayed as a jwt-bearer grant"},
			Send: sendForm(func(e *check.Env, f client.Form) (client.Form, error) {
				ca, err := e.ClientAssertion(e.Cast.A, assertion.Header("typ", "client-authentication+jwt"), assertion.Audience(assertion.Issuer))
				return f.Set("assertion", ca), err
			}),
			Want: rej, Needs: withClientA},
		{Check: check.Check{ID: "A-JG-13", Level: check.MUST, Cite: cite("RFC6749-5.2"), Defect: defect.UnsupportedGrantWrongCode,
			Title: "answers an unknown grant_type with unsupported_grant_type"},
			Send: sendForm(func(_ *check.Env, f client.Form) (client.Form, error) {
				return f.Set("grant_type", "urn:example:nope"), nil
			}),
			Want: expect.Everywhere(expect.Error(oauth.UnsupportedGrantType))},
	}
	return check.Suite{Name: "grant", Carrier: check.Grant}.Rows(rows)
}

// otherAudience is an aud naming another server: one that is none of the
// values this target may take (its issuer, its token endpoint URL, the
// configured grant.audience).
func otherAudience(e *check.Env) string {
	aud := "https://other.example"
	for aud == e.Target.Issuer || aud == e.Target.TokenEndpoint || aud == e.GrantAudience() {
		aud += "/other"
	}
	return aud
}

// needKnownSubjects makes a row N/A where the config does not list the
// subjects the trusted issuer may assert.
func needKnownSubjects(e *check.Env) string {
	if len(e.Grant.KnownSubjects) == 0 {
		return "the config lists no subjects the issuer may assert (grant.knownSubjects): accepting any subject is the server's policy (RFC 7523 §3 item 2)"
	}
	return ""
}

// unknownSubject sets sub to a value outside grant.knownSubjects.
func unknownSubject(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
	sub := "assay-unknown-subject"
	for i := 0; slices.Contains(e.Grant.KnownSubjects, sub); i++ {
		sub = fmt.Sprintf("assay-unknown-subject-%d", i)
	}
	return []assertion.Mutation{assertion.Claim("sub", sub)}, nil
}

// validGrantForm is the form of a valid grant request: a fresh grant
// assertion with the configured client authentication.
func validGrantForm(e *check.Env) (client.Form, error) {
	jwt, err := e.GrantAssertion()
	if err != nil {
		return nil, err
	}
	return e.GrantForm(jwt)
}
