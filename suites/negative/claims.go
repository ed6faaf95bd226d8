package negative

import (
	"context"
	"fmt"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/profile"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// claimAttacks is catalog B.7: claim types and semantics (RFC 7519 §2,
// §4.1; RFC 7523 §3; OIDC Core §9; 7523bis §4).
func claimAttacks() []check.Row {
	strict := issuerAudience()
	audArray := expect.Only(expect.RejectClient, strict...)
	// BASE and OIDC set no rule for an array naming the issuer and
	// another party (RFC 7523 §3: the audience strings are configured out
	// of band); only a broken answer fails there.
	either := expect.RejectOrIssue{Reject: expect.RejectClient, Why: "the audience holds this server's identity (RFC 7523 §3)"}
	audArray[check.BASE] = either
	audArray[check.OIDC] = either
	as := []check.Row{
		{Check: check.Check{ID: "B-CLM-03", Title: "accepts a fractional NumericDate exp",
			Cite: cite("RFC7519-2"), Defect: defect.IntegerTimeClaims},
			Want: expect.Everywhere(issuedTo(clientA)),
			Send: check.Mutate(func(d *assertion.Draft) {
				d.Claims = d.Claims.Set("exp", raw(fmt.Sprintf("%d.5", d.Now.Add(60*time.Second).Unix())))
			})},
		{Check: check.Check{ID: "B-CLM-05", Title: "rejects aud = [issuer, attacker] where the issuer must be the sole audience (CVE-2025-27371)",
			Cite: cite("BIS-4", "FAPI2-5.3.2.1"), Defect: defect.AcceptAudienceArray, KillIn: strict},
			Want: audArray,
			Send: check.Mutate(assertion.Audience(assertion.Issuer, "https://attacker.example"))},
		// Only FAPI2 §5.3.2.1 makes a future iat a reason to refuse (more
		// than 60 s ahead); RFC 7519 §4.1.6 and RFC 7523 §3 set no rule.
		{Check: check.Check{ID: "B-CLM-08", Title: "rejects iat two minutes in the future",
			Cite: cite("FAPI2-5.3.2.1", "RFC7519-4.1.6"), Defect: defect.AcceptFutureIat},
			Want: expect.Only(expect.RejectClient, profile.Where(func(r profile.Rules) bool { return r.ClockWindow })...),
			Send: check.Mutate(assertion.IssuedAt(2*time.Minute), assertion.Expires(3*time.Minute))},
		{Check: check.Check{ID: "B-CLM-09", Title: "rejects nbf five minutes in the future",
			Cite: cite("RFC7519-4.1.5", "RFC7523-3"), Defect: defect.IgnoreNotBefore},
			Send: check.MutateWith(func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
				return []assertion.Mutation{assertion.NotBefore(e.BeyondSkew(5 * time.Minute))}, nil
			})},
		// RFC 7523 §3 item 4 only lets a server refuse a far exp (MAY):
		// a rule under BCP alone, and only against the bound the target
		// declares, as A-CA-13 (catalog "REJ-C under the declared policy").
		{Check: check.Check{ID: "B-CLM-10", Title: "rejects exp ten years in the future (beyond the declared maximum lifetime)",
			Cite: cite("RFC7523-3"), Defect: defect.UnboundedLifetime},
			Want:  expect.Only(expect.RejectClient, profile.Where(func(r profile.Rules) bool { return r.BoundedLifetime })...),
			Needs: check.NeedsLifetimeBound,
			Send:  check.Mutate(assertion.Expires(tenYears))},
		{Check: check.Check{ID: "B-CLM-11", Title: "rejects an assertion without jti",
			Cite: cite("OIDC-Core-9"), Defect: defect.AllowMissingJTI},
			Want: expect.Only(expect.RejectClient, replayProfiles()...),
			Send: check.Mutate(assertion.DropClaim("jti"))},
		{Check: check.Check{ID: "B-CLM-15.1", Title: "rejects iss = A with sub = B, signed by A",
			Cite: cite("OIDC-Core-9", "RFC7523-3"), Defect: defect.IgnoreSubject},
			Send: check.Mutate(assertion.Claim("sub", assertion.OtherClientID))},
		{Check: check.Check{ID: "B-CLM-15.2", Title: "rejects iss = B with sub = A, signed by A",
			Cite: cite("OIDC-Core-9", "RFC7523-3"), Defect: defect.IgnoreIssuer},
			Send: check.Mutate(assertion.Claim("iss", assertion.OtherClientID))},
		{Check: check.Check{ID: "B-CLM-16", Title: "rejects a client_id parameter naming B next to A's assertion",
			Cite: cite("RFC7521-4.2"), Defect: defect.IgnoreClientIDParam},
			Send: func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
				tok, err := e.ClientAssertion(e.Cast.A)
				if err != nil {
					return nil, err
				}
				return e.Post(ctx, check.ClientAuthForm(tok).Add("client_id", e.Cast.B.ID), nil)
			}},
		{Check: check.Check{ID: "B-CLM-17.1", Title: "rejects an assertion whose aud is another AS's issuer (audience injection, CVE-2025-27370)",
			Cite: cite("RFC7523-3", "BIS-4"), Defect: defect.IgnoreAudience},
			Send: check.Mutate(assertion.Audience("https://other-as.example"))},
		{Check: check.Check{ID: "B-CLM-17.2", Title: "rejects aud = this AS's token endpoint where only the issuer may be (CVE-2025-27371)",
			Cite: cite("BIS-4", "FAPI2-5.3.2.1", "OIDC-Core-9"), Defect: defect.AcceptTokenEndpointAudience},
			Want: expect.Only(expect.RejectClient, strict...),
			Send: check.Mutate(assertion.Audience(assertion.TokenEndpoint))},
		{Check: check.Check{ID: "B-CLM-18", Title: "rejects a request object (JAR) without sub replayed as a client assertion",
			Cite: cite("RFC9101-10.8", "OIDC-Core-9"), Defect: defect.IgnoreSubject},
			Send: check.Mutate(assertion.DropClaim("sub"), assertion.Claim("response_type", "code"),
				assertion.Claim("client_id", assertion.ClientID), assertion.Claim("redirect_uri", "https://client-a.example/cb"))},
		{Check: check.Check{ID: "B-CLM-19", Title: "rejects an access token this AS issued, replayed as an assertion",
			Cite: cite("RFC8725-2.8", "RFC9068-2.1"), Defect: defect.TrustOwnTokens},
			AlsoGrant: true,
			Send: func(ctx context.Context, e *check.Env, c check.Carrier) (*client.Transcript, error) {
				tr, issued, err := e.Control(ctx, check.Client)
				if err != nil {
					return tr, fmt.Errorf("obtain an access token to replay: %w", err)
				}
				if !issued {
					return tr, fmt.Errorf("obtain an access token to replay: refused with HTTP %d", tr.Status)
				}
				return post(ctx, e, c, tr.AccessToken())
			}},
		{Check: check.Check{ID: "B-CLM-21", Title: "rejects a grant from IdP-H signed with the key of trusted issuer IdP-K",
			Carrier: check.Grant, Cite: cite("RFC8725-3.8", "RFC7523-3"), Defect: defect.GrantAnyIssuerKey},
			Send: check.MutateWith(func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
				k, ok := e.Cast.IdPK.Key("")
				if !ok {
					return nil, fmt.Errorf("issuer IdP-K has no key")
				}
				return []assertion.Mutation{assertion.SignWith(k)}, nil
			})},
	}
	type v struct {
		name string
		m    assertion.Mutation
	}
	// lv is a variant of a LaxTimeClaims row.
	type lv struct {
		name string
		m    assertion.Mutation
		cite []string                            // the variant's own section, before the row's
		want map[check.Profile]check.Expectation // default REJ-C everywhere
	}
	lax := func(id, what string, cites []string, vs []lv) {
		for i, x := range vs {
			a := check.Row{Check: check.Check{ID: variant(id, i), Title: "rejects " + x.name + " " + what,
				Cite: append(x.cite, cites...), Defect: defect.LaxTimeClaims},
				Want: x.want,
				Send: check.Mutate(x.m)}
			if x.want != nil {
				a.KillIn = profile.Where(func(r profile.Rules) bool { return r.BoundedLifetime }) // where refusing is required
			}
			as = append(as, a)
		}
	}
	// A huge exp or an ancient iat is a valid NumericDate (RFC 7519 §2 sets
	// no range); RFC 7523 §3 items 4 and 6 only let a server refuse it
	// (MAY), a rule under BCP alone as A-CA-13. Elsewhere the row fails a
	// 5xx or a broken rejection, the wrap-around symptoms it looks for.
	farOff := func(why string) map[check.Profile]check.Expectation {
		m := expect.Everywhere(expect.RejectOrIssue{Reject: expect.RejectClient, Why: why})
		for _, p := range profile.Where(func(r profile.Rules) bool { return r.BoundedLifetime }) {
			m[p] = expect.RejectClient
		}
		return m
	}
	str := func(name string, off time.Duration) assertion.Mutation {
		return func(d *assertion.Draft) { d.Claims = d.Claims.Set(name, fmt.Sprint(d.Now.Add(off).Unix())) }
	}
	lax("B-CLM-01", "as a string", cite("RFC7519-2"), []lv{
		{name: "exp", m: str("exp", time.Minute), cite: cite("RFC7519-4.1.4")},
		{name: "iat", m: str("iat", 0), cite: cite("RFC7519-4.1.6")},
		{name: "nbf", m: str("nbf", 0), cite: cite("RFC7519-4.1.5")}})
	lax("B-CLM-02", "(NumericDate out of range)", cite("RFC7519-2", "RFC7523-3"), []lv{
		{name: "exp = 1e300", m: assertion.Claim("exp", raw("1e300")), want: farOff("exp 1e300 read as a far-off expiry")},
		{name: "exp = 2^63", m: assertion.Claim("exp", raw("9223372036854775808")), want: farOff("exp 2^63 read as a far-off expiry")},
		{name: "exp = -1", m: assertion.Claim("exp", raw("-1"))},
		{name: "iat = -9e18", m: assertion.Claim("iat", raw("-9e18")), want: farOff("iat -9e18 read as an ancient issue time")}})
	// An exp in the epoch era is a valid NumericDate long past: expired
	// (RFC 7519 §4.1.4 MUST NOT accept), never "no expiry set".
	for i, x := range []struct {
		exp  int64
		name string
	}{{0, "0 (the epoch)"}, {1, "1 (one second past the epoch)"}, {86400, "86400 (1970-01-02)"}, {999999999, "999999999 (2001-09-09)"}} {
		as = append(as, check.Row{Check: check.Check{ID: variant("B-CLM-02", i+4), Title: "rejects exp = " + x.name + " as expired",
			Cite: cite("RFC7519-4.1.4", "RFC7523-3"), Defect: defect.EpochExpUnset},
			AlsoGrant: true,
			Send:      check.Mutate(assertion.Claim("exp", x.exp))})
	}
	lax("B-CLM-04", "as exp", cite("RFC7519-4.1.4"), []lv{
		{name: "true", m: assertion.Claim("exp", true)}, {name: "null", m: assertion.Claim("exp", nil)},
		{name: "an array", m: func(d *assertion.Draft) { d.Claims = d.Claims.Set("exp", []int64{d.Now.Add(time.Minute).Unix()}) }},
		{name: "an object", m: func(d *assertion.Draft) {
			d.Claims = d.Claims.Set("exp", map[string]int64{"t": d.Now.Add(time.Minute).Unix()})
		}}})
	for i, x := range []v{
		{"a number", assertion.Claim("aud", 123)},
		{"an object holding the issuer", func(d *assertion.Draft) { d.Claims = d.Claims.Set("aud", map[string]string{"x": d.Target.Issuer}) }},
		{"a nested array", func(d *assertion.Draft) { d.Claims = d.Claims.Set("aud", [][]string{{d.Target.Issuer}}) }},
		{"the empty string", assertion.Claim("aud", "")},
		{"an empty array", assertion.Claim("aud", []string{})},
	} {
		as = append(as, check.Row{Check: check.Check{ID: variant("B-CLM-06", i), Title: "rejects aud as " + x.name + " (CVE-2020-26160)",
			Cite: cite("RFC7519-4.1.3", "RFC7523-3"), Defect: defect.AudTypeConfusion},
			Send: check.Mutate(x.m)})
	}
	for i, x := range []v{
		{"iss as an array [A]", func(d *assertion.Draft) { d.Claims = d.Claims.Set("iss", []string{d.Target.ClientID}) }},
		{"sub as an array [A]", func(d *assertion.Draft) { d.Claims = d.Claims.Set("sub", []string{d.Target.ClientID}) }},
		{"iss with an embedded NUL (A\\u0000B)", func(d *assertion.Draft) {
			d.Claims = d.Claims.Set("iss", d.Target.ClientID+"\x00"+d.Target.OtherClientID)
		}},
	} {
		as = append(as, check.Row{Check: check.Check{ID: variant("B-CLM-07", i), Title: "rejects " + x.name + " (CVE-2025-30144)",
			Cite: cite("RFC7519-4.1.1", "RFC7523-3"), Defect: defect.CoerceClaimTypes},
			Send: check.Mutate(x.m)})
	}
	return as
}

// tenYears is B-CLM-10's lifetime.
const tenYears = 10 * 365 * 24 * time.Hour
