package clientauth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/suites/check"
)

// answers sends one client assertion per labelled mutation set and joins
// the answers: "crit []: HTTP 200, token issued; ...".
func answers(ctx context.Context, e *check.Env, cases []struct {
	label string
	ms    []assertion.Mutation
}) (string, error) {
	var out []string
	for _, c := range cases {
		tr, err := e.Authenticate(ctx, e.Cast.A, c.ms...)
		if err != nil {
			return "", err
		}
		out = append(out, c.label+": "+check.Answer(tr))
	}
	return strings.Join(out, "; "), nil
}

// Observations returns the informational client authentication rows.
func Observations() []check.Observation {
	type cases = []struct {
		label string
		ms    []assertion.Mutation
	}
	return []check.Observation{
		{ID: "A-CA-17", Cite: cite("RFC7523-3"), Title: "how old an iat the server accepts (RFC 7523 §3 item 6 lets it refuse)",
			Observe: func(ctx context.Context, e *check.Env) (string, error) {
				return answers(ctx, e, cases{
					{"iat 1 h ago", []assertion.Mutation{assertion.IssuedAt(-time.Hour)}},
					{"iat 24 h ago", []assertion.Mutation{assertion.IssuedAt(-24 * time.Hour)}},
				})
			}},
		{ID: "A-JO-07", Cite: cite("RFC7515-4.1.11"), Title: "how crit naming no extension is handled (recipients MAY reject)",
			Observe: func(ctx context.Context, e *check.Env) (string, error) {
				return answers(ctx, e, cases{
					{"crit []", []assertion.Mutation{assertion.Header("crit", []string{})}},
					{`crit ["alg"]`, []assertion.Mutation{assertion.Header("crit", []string{"alg"})}},
					{`crit ["absent"]`, []assertion.Mutation{assertion.Header("crit", []string{"absent"})}},
				})
			}},
		{ID: "A-SEC-05", Cite: cite("RFC7523-3", "BIS-4"), Title: "which aud values the introspection endpoint accepts in a client assertion",
			Observe: func(ctx context.Context, e *check.Env) (string, error) {
				u := e.Meta.IntrospectionEndpoint
				if u == "" {
					return "no introspection_endpoint in the metadata", nil
				}
				var out []string
				for _, aud := range []string{e.Target.Issuer, e.Target.TokenEndpoint, u} {
					jwt, err := e.ClientAssertion(e.Cast.A, assertion.Audience(aud))
					if err != nil {
						return "", err
					}
					form := check.ClientAuthForm(jwt).Del("grant_type").Add("token", "assay-probe")
					tr, err := e.HTTP.Do(ctx, client.Request{URL: u, Form: form})
					if err != nil {
						return "", err
					}
					out = append(out, fmt.Sprintf("aud %s: %s", aud, check.Answer(tr)))
				}
				return strings.Join(out, "; "), nil
			}},
	}
}
