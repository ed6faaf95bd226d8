package reports

import (
	"time"

	v1 "github.com/assayhq/assay/reports/v1"
)

// sampleStart pins every time in the sample report.
var sampleStart = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// sampleReport is a hand-built report with every outcome, an expected
// failure, a fixed expected failure, notes, exchanges (including a transport
// error), repro commands, several suites, carriers and an observation.
func sampleReport() v1.Report {
	tokenURL := "https://as.example.test/oauth2/token"
	formHeader := map[string][]string{
		"Accept":        {"application/json"},
		"Content-Type":  {"application/x-www-form-urlencoded"},
		"Authorization": {"Basic $ASSAY_CLIENT_BASIC"},
	}
	audForeign := v1.Exchange{
		Request: v1.Request{
			Method: "POST",
			URL:    tokenURL,
			Header: map[string][]string{
				"Accept":       {"application/json"},
				"Content-Type": {"application/x-www-form-urlencoded"},
			},
			Body: "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL290aGVyLWFzLmV4YW1wbGUifQ.…",
		},
		Response: &v1.Response{
			Status: 200,
			Header: map[string][]string{
				"Cache-Control": {"no-store"},
				"Content-Type":  {"application/json"},
			},
			Body: `{"access_token":"[redacted]","token_type":"Bearer","expires_in":300}`,
		},
		Duration: 12 * time.Millisecond,
	}
	control := audForeign
	control.Request.Body = "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL2FzLmV4YW1wbGUudGVzdCJ9.…"
	control.Duration = 9 * time.Millisecond

	secretJWT := v1.Exchange{
		Request: v1.Request{
			Method: "POST",
			URL:    tokenURL,
			Header: formHeader,
			Body:   "grant_type=client_credentials&client_secret=$ASSAY_CLIENT_SECRET&scope=it's",
		},
		Response: &v1.Response{
			Status: 400,
			Header: map[string][]string{"Content-Type": {"application/json"}},
			Body:   `{"error":"invalid_client","error_description":"bad"}`,
		},
		Duration: 4 * time.Millisecond,
	}
	unreachable := v1.Exchange{
		Request: v1.Request{
			Method: "POST",
			URL:    tokenURL,
			Header: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}},
			Body:   "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJ…",
		},
		Error:    "dial tcp 192.0.2.10:443: connect: connection refused",
		Duration: 2 * time.Millisecond,
	}

	r := v1.Report{
		Schema:   v1.Schema,
		Tool:     v1.Tool{Name: "assay", Version: "0.4.0"},
		Target:   v1.Target{Name: "staging", Product: "ExampleAS", Version: "2.3.1", Issuer: "https://as.example.test", TokenEndpoint: tokenURL, Profile: "BASE"},
		Command:  "assay run --config staging.yaml --profile BASE --label-filter 'level: containsAny MUST'",
		Started:  sampleStart,
		Finished: sampleStart.Add(3*time.Second + 250*time.Millisecond),
		Results: []v1.Result{
			{
				ID: "A-MD-01", Title: "serves RFC 8414 metadata at the well-known URL", Level: "MUST",
				Cite: []string{"RFC8414-3"}, Profiles: []string{"ALL"}, Suite: "discovery",
				Outcome: v1.Pass, Duration: 7 * time.Millisecond,
				Notes: []string{"metadata also served at /.well-known/openid-configuration"},
			},
			{
				ID: "A-MD-04", Title: "lists private_key_jwt signing algorithms", Level: "SHOULD",
				Cite: []string{"RFC8414-2"}, Profiles: []string{"BASE", "OIDC"}, Suite: "discovery",
				Outcome: v1.Warn, Reason: "token_endpoint_auth_signing_alg_values_supported is absent",
				Duration: 1 * time.Millisecond,
			},
			{
				ID: "A-CA-04", Title: "rejects an aud that names another server", Level: "MUST",
				Cite: []string{"RFC7523-3"}, Profiles: []string{"ALL"}, Carrier: "client", Suite: "clientauth",
				Outcome: v1.Fail, Reason: "token issued for an assertion whose aud is https://other-as.example; want invalid_client",
				Duration:  21 * time.Millisecond,
				Notes:     []string{"the confirming positive control succeeded, so the target is healthy"},
				Exchanges: []v1.Exchange{audForeign, control},
				Repro: &v1.Repro{
					Curl:  Curl(audForeign),
					Assay: Assay("A-CA-04", "client"),
					Note:  "the client_assertion needs a fresh jti and exp: rerun assay rather than replaying the curl command after 60 s",
				},
			},
			{
				ID: "A-CA-04", Title: "rejects an aud that names another server", Level: "MUST",
				Cite: []string{"RFC7523-3"}, Profiles: []string{"ALL"}, Carrier: "grant", Suite: "grant",
				Outcome: v1.Pass, Duration: 11 * time.Millisecond,
			},
			{
				ID: "A-CA-09", Title: "rejects an assertion without exp", Level: "MUST",
				Cite: []string{"RFC7523-3", "RFC7519-4.1.4"}, Profiles: []string{"ALL"}, Suite: "clientauth",
				Outcome: v1.Fail, Reason: "token issued for an assertion without exp",
				Expected: true, ExpectedBy: "vendor ticket AS-1234: exp optional until 2.4",
				Duration:  8 * time.Millisecond,
				Exchanges: []v1.Exchange{secretJWT},
				Repro:     &v1.Repro{Curl: Curl(secretJWT), Assay: Assay("A-CA-09", "")},
			},
			{
				ID: "A-AU-02", Title: "accepts client_secret_jwt", Level: "MUST",
				Cite: []string{"RFC7523-2.2", "OIDC-Core-9"}, Profiles: []string{"OIDC", "OIDC-E3"}, Suite: "clientauth",
				Outcome: v1.NA, Reason: "token_endpoint_auth_methods_supported lacks client_secret_jwt",
			},
			{
				ID: "A-JG-03", Title: "rejects a grant assertion from an untrusted issuer", Level: "MUST",
				Cite: []string{"RFC7523-3"}, Profiles: []string{"ALL"}, Carrier: "grant", Suite: "grant",
				Outcome: v1.Error, Reason: "target unreachable: dial tcp 192.0.2.10:443: connect: connection refused",
				Duration:  2 * time.Millisecond,
				Exchanges: []v1.Exchange{unreachable},
				Repro:     &v1.Repro{Curl: Curl(unreachable), Assay: Assay("A-JG-03", "grant")},
			},
			{
				ID: "B-ALG-06", Title: "rejects alg none", Level: "MUST",
				Cite: []string{"RFC7518-3.6", "RFC8725-3.1"}, Profiles: []string{"ALL"}, Carrier: "client", Suite: "negative",
				Outcome: v1.Skip, Reason: "filtered out",
			},
			{
				ID: "C-ROT-01", Title: "accepts a key published after rotation", Level: "SHOULD",
				Profiles: []string{"FAPI2"}, Suite: "rotation",
				Outcome: v1.Pass, Duration: 1500 * time.Millisecond,
			},
		},
		Observations: []v1.Observation{{ID: "O-MD-01", Text: "metadata advertises mtls_endpoint_aliases"}},
		TargetLog:    []string{"level=info msg=\"token request\" client_id=client-a", "level=warn msg=\"audience not checked\" <b>raw</b>"},
	}
	sortResults(r.Results)
	r.Summarize()
	r.Summary.FixedExpected = []string{"A-CA-04/grant"}
	return r
}
