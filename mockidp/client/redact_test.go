package client_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assayhq/assay/mockidp/client"
)

const (
	secretH = "0AT9BldVVrOcjNzKX4PEB1d88n9F0N1d6NTcgGcwWdl5mYrc9hUXtbIQ2lDg0s7n"
	secretS = "SeTVPU1JDS0OLvzc91QGSVHBe1ZVWtbQNvteOovuBxo"
	// jwtSig is the signature segment of the assertions below.
	jwtSig = "c2lnbmF0dXJlLXRoYXQtbXVzdC1ub3QtbGVhaw"
	jwt    = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJjbGllbnQtYSJ9." + jwtSig
)

// secretQ needs escaping in JSON (quote, backslash, <, &) and in a URL.
const secretQ = `s3cr"t\\k<y&v/al+ue`

var secrets = []string{secretH, secretS, secretQ}

func jsonEscaped(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func basicHeader(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// TestRedacted: nothing a redacted transcript holds can be replayed or
// reveals a secret (semantics.md §7, design.md R18).
func TestRedacted(t *testing.T) {
	formHdr := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	tests := []struct {
		name string
		tr   *client.Transcript
		// in the text of the redacted transcript
		want   []string
		forbid []string
	}{
		{
			name: "client_secret in the form",
			tr: &client.Transcript{Method: "POST", URL: "https://as/token", ReqHeader: formHdr,
				ReqBody: []byte("grant_type=client_credentials&client_id=client-s&client_secret=" + secretS)},
			want:   []string{"client_secret=$ASSAY_CLIENT_SECRET", "client_id=client-s"},
			forbid: []string{secretS},
		},
		{
			name: "unlisted client_secret in the form",
			tr: &client.Transcript{Method: "POST", URL: "https://as/token", ReqHeader: formHdr,
				ReqBody: []byte("client_secret=not-a-listed-secret&password=hunter2hunter2")},
			want:   []string{"client_secret=$ASSAY_CLIENT_SECRET", "password=$ASSAY_PASSWORD"},
			forbid: []string{"not-a-listed-secret", "hunter2"},
		},
		{
			name: "Basic credentials",
			tr: &client.Transcript{Method: "POST", URL: "https://as/token",
				ReqHeader: http.Header{"Authorization": {basicHeader("client-s", secretS)}}},
			want:   []string{"Basic $ASSAY_BASIC_CREDENTIALS (client client-s)"},
			forbid: []string{secretS, base64.StdEncoding.EncodeToString([]byte("client-s:" + secretS))},
		},
		{
			name: "Basic with an unlisted secret and odd case",
			tr: &client.Transcript{Method: "POST", URL: "https://as/token",
				ReqHeader: http.Header{"Authorization": {"bAsIc " + base64.StdEncoding.EncodeToString([]byte("client-a:not-a-secret"))}}},
			want:   []string{"Basic $ASSAY_BASIC_CREDENTIALS (client client-a)"},
			forbid: []string{"not-a-secret", base64.StdEncoding.EncodeToString([]byte("client-a:not-a-secret"))},
		},
		{
			name: "Bearer token",
			tr: &client.Transcript{Method: "GET", URL: "https://rs/",
				ReqHeader: http.Header{"Authorization": {"Bearer " + jwt}, "Cookie": {"session=abc"}}},
			want:   []string{"Bearer eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJjbGllbnQtYSJ9.<signature redacted>", "<redacted>"},
			forbid: []string{jwtSig, "session=abc"},
		},
		{
			name: "client_assertion in the form",
			tr: &client.Transcript{Method: "POST", URL: "https://as/token", ReqHeader: formHdr,
				ReqBody: []byte("grant_type=client_credentials&client_assertion=" + jwt + "&assertion=" + jwt)},
			want:   []string{"client_assertion=eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJjbGllbnQtYSJ9.%3Csignature+redacted%3E"},
			forbid: []string{jwtSig},
		},
		{
			name: "a token sent for introspection or revocation",
			tr: &client.Transcript{Method: "POST", URL: "https://as/introspect", ReqHeader: formHdr,
				ReqBody: []byte("token=" + jwt + "&token_type_hint=access_token")},
			want:   []string{"token=eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJjbGllbnQtYSJ9.%3Csignature+redacted%3E", "token_type_hint=access_token"},
			forbid: []string{jwtSig},
		},
		{
			name: "an opaque token sent for revocation",
			tr: &client.Transcript{Method: "POST", URL: "https://as/revoke", ReqHeader: formHdr,
				ReqBody: []byte("token=opaque-access-token-value-0123456789")},
			want:   []string{"token=opaque-ac%E2%80%A6%3Credacted%3E"},
			forbid: []string{"value-0123456789"},
		},
		{
			name: "client_assertion in the URL query",
			tr: &client.Transcript{Method: "GET", URL: "https://as/token?grant_type=client_credentials&client_assertion=" + jwt,
				ReqHeader: http.Header{}},
			want:   []string{"grant_type=client_credentials"},
			forbid: []string{jwtSig},
		},
		{
			// A-TE-05 sends the parameters as a JSON body: the assertion
			// in it is a credential like any other.
			name: "client_assertion in a JSON request body",
			tr: &client.Transcript{Method: "POST", URL: "https://as/token", ReqHeader: http.Header{"Content-Type": {"application/json"}},
				ReqBody: []byte(`{"client_assertion":"` + jwt + `","client_secret":"x-unlisted-x","grant_type":"client_credentials"}`)},
			want:   []string{"grant_type", "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJjbGllbnQtYSJ9."},
			forbid: []string{jwtSig, "x-unlisted-x"},
		},
		{
			name: "issued tokens in the response",
			tr: &client.Transcript{Method: "POST", URL: "https://as/token", Status: 200,
				Body: []byte(`{"access_token":"` + jwt + `","refresh_token":"opaque-refresh-token-value-0123456789","id_token" : "` + jwt + `","token_type":"Bearer"}`)},
			want:   []string{`"access_token":"eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJjbGllbnQtYSJ9.<signature redacted>"`, "opaque-re…"},
			forbid: []string{jwtSig, "opaque-refresh-token-value-0123456789", "opaque-ref"},
		},
		{
			// A short opaque token is a whole credential: nothing of a
			// value under 8 bytes is kept, little of one under 24.
			name: "short opaque tokens",
			tr: &client.Transcript{Method: "POST", URL: "https://as/token", Status: 200,
				Body: []byte(`{"access_token":"Tk7x9","refresh_token":"r-0123456789abcdef","token_type":"Bearer"}`)},
			want:   []string{`"access_token":"<redacted>"`, `"refresh_token":"r-01…<redacted>"`},
			forbid: []string{"Tk7x9", "r-0123456789abcdef", "r-012"},
		},
		{
			name:   "bearer token in a request header",
			tr:     &client.Transcript{Method: "GET", URL: "https://rs/api", ReqHeader: http.Header{"Authorization": {"Bearer 2YotnFZFEjr1zCsicMWpAA"}}},
			want:   []string{"Bearer 2Yotn…<redacted>"},
			forbid: []string{"2YotnFZFEjr1zCsicMWpAA"},
		},
		{
			// A target that echoes the signed assertion in its error.
			name: "signed JWT echoed in error_description and a header",
			tr: &client.Transcript{Method: "POST", URL: "https://as/token", Status: 400,
				Header: http.Header{"X-Debug-Assertion": {jwt}},
				Body:   []byte(`{"error":"invalid_client","error_description":"rejected ` + jwt + ` (expired)"}`)},
			want:   []string{"eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJjbGllbnQtYSJ9.<signature redacted> (expired)"},
			forbid: []string{jwtSig},
		},
		{
			// The same secret as a JSON string escape or a URL encoding.
			name: "listed secrets in escaped spellings",
			tr: &client.Transcript{Method: "POST", URL: "https://as/token?s=" + url.QueryEscape(secretQ),
				ReqHeader: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
				ReqBody:   []byte("note=" + url.QueryEscape(secretQ)),
				Status:    400,
				Body:      []byte(`{"error":"invalid_client","error_description":"secret ` + jsonEscaped(secretQ) + ` is wrong"}`)},
			want:   []string{"<redacted>"},
			forbid: []string{secretQ, url.QueryEscape(secretQ), jsonEscaped(secretQ), "k<y&"},
		},
		{
			name: "private JWK members in a response",
			tr: &client.Transcript{Method: "GET", URL: "https://as/jwks", Status: 200,
				Body: []byte(`{"keys":[{"kty":"RSA","n":"pubN","e":"AQAB","d":"privD","p":"privP","q":"privQ","dp":"privDP","dq":"privDQ","qi":"privQI"},{"kty":"oct","k":"privK"},{"kty":"EC","x":"pubX","d" : "privECD"}]}`)},
			want:   []string{"pubN", "pubX", "AQAB"},
			forbid: []string{"privD", "privP", "privQ", "privDP", "privDQ", "privQI", "privK", "privECD"},
		},
		{
			name: "listed secrets everywhere",
			tr: &client.Transcript{Method: "POST", URL: "https://as/token?x=" + secretH,
				ReqHeader: http.Header{"X-Debug": {secretH}, "Content-Type": {"text/plain"}},
				ReqBody:   []byte("raw " + secretS),
				Status:    400, Header: http.Header{"X-Echo": {secretS}},
				Body: []byte(`{"error":"invalid_client","error_description":"bad secret ` + secretH + `"}`)},
			want:   []string{"<redacted>"},
			forbid: []string{secretH, secretS},
		},
		{
			name: "transport error",
			tr: &client.Transcript{Method: "POST", URL: "https://as/token", ReqHeader: formHdr,
				Err: errors.New("dial: secret " + secretS)},
			forbid: []string{secretS},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := transcriptText(tt.tr.Redacted(secrets))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("redacted transcript lacks %q:\n%s", w, got)
				}
			}
			for _, f := range append(tt.forbid, secretH, secretS) {
				if strings.Contains(got, f) {
					t.Errorf("redacted transcript leaks %q:\n%s", f, got)
				}
			}
		})
	}
}

// TestRedactedNotes: findings and remarks are redacted, and the original
// transcript is left as it was.
func TestRedactedNotes(t *testing.T) {
	tr := &client.Transcript{Method: "POST", URL: "https://as/token", Status: 400,
		Body:     []byte(`{"error":"invalid_client","error_description":"bad secret ` + secretH + `"}`),
		Findings: []string{"saw " + secretH}, Remarks: []string{"note " + secretS + " " + jwt}}
	red := tr.Redacted(secrets)
	got := strings.Join(append(red.Findings, red.Remarks...), "\n")
	for _, f := range []string{secretH, secretS, jwtSig} {
		if strings.Contains(got, f) {
			t.Errorf("findings or remarks leak %q: %s", f, got)
		}
	}
	if !strings.Contains(string(tr.Body), secretH) || tr.Findings[0] != "saw "+secretH {
		t.Error("Redacted changed the original transcript")
	}
}

// transcriptText flattens a transcript into one string for leak searches.
func transcriptText(tr *client.Transcript) string {
	var b strings.Builder
	b.WriteString(tr.Method + " " + tr.URL + "\n" + string(tr.ReqBody) + "\n" + string(tr.Body) + "\n")
	if tr.Err != nil {
		b.WriteString(tr.Err.Error() + "\n")
	}
	for _, h := range []http.Header{tr.ReqHeader, tr.Header} {
		for k, vs := range h {
			b.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
		}
	}
	return b.String()
}

func TestShortenJWT(t *testing.T) {
	tests := []struct{ in, want string }{
		{jwt, "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJjbGllbnQtYSJ9.<signature redacted>"},
		{"eyJhbGciOiJub25lIn0.eyJpc3MiOiJhIn0.", "eyJhbGciOiJu…<redacted>"}, // unsigned: long, shortened
		{"short", "short"}, // our own malformed assertion bytes stay readable
		{"an-opaque-token-longer-than-24", "an-opaque-to…<redacted>"},
		{"a.b.c.d.e-but-longer-than-24", "a.b.c.d.e-bu…<redacted>"},
	}
	for _, tt := range tests {
		if got := client.ShortenJWT(tt.in); got != tt.want {
			t.Errorf("ShortenJWT(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	if got := client.Redact("a abcdef b abcdef", []string{"abcdef", "abc", ""}); got != "a <redacted> b <redacted>" {
		t.Errorf("Redact = %q (secrets under 6 bytes are not masked, to keep text readable)", got)
	}
}
