package client

import (
	"strings"
	"testing"
)

// TestRedactText: a credential a server logs, in each encoding assay
// produces or sends, is masked; ordinary words around it survive.
func TestRedactText(t *testing.T) {
	const secret = "s3cr3t-value-of-client-h"
	pem := "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIKnoTaLeAkGoesHereAAAAAAAAAAAAAAAAAAAAAAAoAoGCCqGSM49\nAwEHoUQDQgAE\n-----END EC PRIVATE KEY-----"
	for _, tc := range []struct {
		name, in string
		gone     []string
		kept     []string
	}{
		{"raw secret", "client_secret=" + secret, []string{secret}, []string{"client_secret="}},
		{"PEM", "loaded key\n" + pem + "\ndone", []string{"MHcCAQEEIKnoTaLe", "AwEHoUQDQgAE"}, []string{"loaded key", "done", "PRIVATE KEY"}},
		{"PEM inside JSON", `{"key":"` + strings.ReplaceAll(pem, "\n", `\n`) + `"}`, []string{"MHcCAQEEIKnoTaLe"}, []string{`"key"`}},
		{"JWK private members", `jwk={"kty":"EC","d":"c2VjcmV0LWQ","x":"pubx"}`, []string{"c2VjcmV0LWQ"}, []string{"pubx"}},
		{"JWK inside a JSON string", `{"msg":"{\"kty\":\"oct\",\"k\":\"b2N0LXNlY3JldA\"}"}`, []string{"b2N0LXNlY3JldA"}, []string{"msg"}},
		{"Basic credentials", "Authorization: Basic Y2xpZW50LWg6czNjcjN0LXZhbHVl", []string{"Y2xpZW50LWg6czNjcjN0LXZhbHVl"}, []string{"Authorization: Basic"}},
		{"Bearer token", "Authorization: Bearer 2YotnFZFEjr1zCsicMWpAA", []string{"2YotnFZFEjr1zCsicMWpAA"}, []string{"Authorization: Bearer"}},
		{"access token in JSON", `{"access_token":"opaque-token-0123456789"}`, []string{"opaque-token-0123456789"}, []string{"access_token"}},
		{"English words", "uses basic authentication; Bearer authentication required; WWW-Authenticate: Bearer error_description=\"expired\"",
			nil, []string{"basic authentication", "Bearer authentication required", `Bearer error_description="expired"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := RedactText(tc.in, []string{secret})
			for _, g := range tc.gone {
				if strings.Contains(got, g) {
					t.Errorf("RedactText kept %q:\n%s", g, got)
				}
			}
			for _, k := range tc.kept {
				if !strings.Contains(got, k) {
					t.Errorf("RedactText lost %q:\n%s", k, got)
				}
			}
		})
	}
}
