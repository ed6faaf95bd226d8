package clientauth

import (
	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/profile"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// where lists the profiles whose rules (mockidp/profile, the table the
// reference enforces) satisfy rule.
func where(rule func(profile.Rules) bool) []check.Profile { return profile.Where(rule) }

// strictAud lists the profiles where the issuer is the sole audience.
func strictAud() []check.Profile {
	return where(func(r profile.Rules) bool { return r.IssuerAudience })
}

// allowing lists the profiles whose algorithm allowlist lets alg through
// (profile.Rules.SigningAlgs): a defect behind the allowlist shows only
// there.
func allowing(alg string) []check.Profile {
	return where(func(r profile.Rules) bool { return r.AllowsAlg(alg) })
}

// byProfile is lenient where the token endpoint URL is a valid audience
// (RFC 7523 §3 item 3) and strict where the issuer is the sole audience
// (the profile's IssuerAudience rule).
func byProfile(lenient, strict check.Expectation) map[check.Profile]check.Expectation {
	m := map[check.Profile]check.Expectation{}
	for _, p := range check.Profiles() {
		m[p] = lenient
		if p.Rules().IssuerAudience {
			m[p] = strict
		}
	}
	return m
}

// audienceRows: RFC 7523 §3 item 3 and the 2025 audience-injection fix.
func audienceRows() []check.Row {
	rej := expect.RejectClientOrRequest
	strictAud := strictAud()
	lenientAud := where(func(r profile.Rules) bool { return !r.IssuerAudience })
	return []check.Row{
		{
			Check: check.Check{ID: "A-CA-04", Level: check.MUST, Cite: cite("RFC7523-3"), Defect: defect.IgnoreAudience,
				Title: "rejects an assertion without aud"},
			Send: check.Mutate(assertion.DropClaim("aud")),
			Want: expect.Everywhere(rej),
		},
		{
			Check: check.Check{ID: "A-CA-04.2", Level: check.MUST, Cite: cite("RFC7523-3"), Defect: defect.IgnoreAudience,
				Title: "rejects an aud that names another server"},
			Send: check.Mutate(assertion.Audience("https://other-as.example")),
			Want: expect.Everywhere(rej),
		},
		{
			Check: check.Check{ID: "A-CA-05", Level: check.MUST, Cite: cite("RFC7523-3", "RFC3986-6.2.1"), Defect: defect.NormalizeAudience,
				Title: "compares aud by Simple String Comparison (issuer plus a trailing slash)"},
			Send: check.Mutate(assertion.Audience(assertion.IssuerPlus("/"))),
			Want: expect.Everywhere(rej),
		},
		{
			Check: check.Check{ID: "A-CA-06", Level: check.MUST, Cite: cite("BIS-4", "OIDC-Core-9", "FAPI2-5.3.2.1"), Defect: defect.RejectIssuerAudience,
				Title: "accepts the issuer identifier as the sole audience"},
			Send: check.Mutate(assertion.Audience(assertion.Issuer)),
			Want: expect.Only(issuedToA(), strictAud...),
			// Where it applies, the control's aud is the issuer already.
			Ungated: true,
		},
		{
			Check: check.Check{ID: "A-CA-07", Level: check.MUST, Cite: cite("BIS-4", "FAPI2-5.3.2.1"), Defect: defect.AcceptTokenEndpointAudience,
				Title:  "refuses the token endpoint URL as a client-assertion audience",
				KillIn: strictAud},
			Send: check.Mutate(assertion.Audience(assertion.TokenEndpoint)),
			Want: byProfile(issuedToA(), rej),
		},
		{
			Check: check.Check{ID: "A-CA-07.2", Level: check.MUST, Cite: cite("RFC7523-3"), Defect: defect.RejectTokenEndpointAudience,
				Title: "accepts the token endpoint URL as audience where the profile allows it"},
			Send: check.Mutate(assertion.Audience(assertion.TokenEndpoint)),
			Want: expect.Only(issuedToA(), lenientAud...),
			// Where it applies, the control's aud may be this URL already.
			Contrast: check.Mutate(assertion.Audience(assertion.Issuer)),
		},
		{
			Check: check.Check{ID: "A-CA-08", Level: check.MUST, Cite: cite("BIS-4", "FAPI2-5.3.2.1"), Defect: defect.AcceptAudienceArray,
				Title: "refuses a multi-valued aud (issuer plus an attacker)", KillIn: strictAud},
			Send: check.Mutate(assertion.Audience(assertion.Issuer, "https://attacker.example")),
			// BASE and OIDC fix no audience strings (RFC 7523 §3: out of
			// band): accepting and refusing are both conformant there.
			Want: byProfile(expect.RejectOrIssue{Reject: rej, Why: "the audience holds this server's identity (RFC 7523 §3)"}, rej),
		},
		{
			Check: check.Check{ID: "A-CA-09", Level: check.MUST, Cite: cite("FAPI2-5.3.2.1", "OIDC-Core-9"), Defect: defect.AcceptSingleElementArray,
				Title: "refuses aud as a single-element array where a string is required", KillIn: []check.Profile{check.FAPI2}},
			Send: check.Mutate(assertion.Claim("aud", assertion.Array(assertion.Issuer))),
			// FAPI 2.0 SP §5.3.2.1 item 8 has the server accept the issuer
			// only "as a string". OIDC Core §9 (errata set 3) puts the string
			// form on the client ("passed as a string, and not a
			// single-element array") and has the server "verify that it is
			// the sole audience", which [issuer] is; BIS §4 likewise. There a
			// rejection and a token both conform.
			Want: map[check.Profile]check.Expectation{
				check.FAPI2:  rej,
				check.OIDCE3: expect.RejectOrIssue{Reject: rej, Why: "the issuer is the sole audience; the string form is the client's duty (OIDC Core §9 errata set 3, BIS §4)"},
				check.BIS:    expect.RejectOrIssue{Reject: rej, Why: "the issuer is the sole audience; the string form is the client's duty (OIDC Core §9 errata set 3, BIS §4)"},
			},
		},
	}
}
