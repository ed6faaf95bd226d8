package check_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

func TestTextLabelsKey(t *testing.T) {
	tests := []struct {
		c      check.Check
		key    string
		text   string
		labels []string
	}{
		{
			check.Check{ID: "A-CA-04", Level: check.MUST, Cite: []string{"RFC7523-3"}, Title: "rejects an aud that names another server"},
			"A-CA-04",
			"A-CA-04 rejects an aud that names another server [RFC 7523 §3]",
			[]string{"id:A-CA-04", "level:MUST", "spec:RFC7523-3", "profile:ALL"},
		},
		{
			check.Check{ID: "A-CA-05.2", Level: check.SHOULD, Cite: []string{"BIS-4", "OIDC-Core-9", "FAPI2-5.3.2.1"}, Profiles: []check.Profile{check.BIS, check.FAPI2},
				Title: "t", Carrier: check.Grant, Suite: "clientauth"},
			"A-CA-05.2/grant",
			"A-CA-05.2/grant t [RFC 7523bis §4; OIDC Core §9; FAPI2 §5.3.2.1]",
			[]string{"id:A-CA-05.2", "level:SHOULD", "spec:BIS-4", "spec:OIDC-Core-9", "spec:FAPI2-5.3.2.1", "profile:BIS", "profile:FAPI2", "carrier:grant", "suite:clientauth"},
		},
		{
			check.Check{ID: "B-ALG-01", Level: check.MUST, Title: "x", Carrier: check.Client},
			"B-ALG-01",
			"B-ALG-01 x []",
			[]string{"id:B-ALG-01", "level:MUST", "profile:ALL", "carrier:client"},
		},
	}
	for _, tt := range tests {
		if got := tt.c.Key(); got != tt.key {
			t.Errorf("Key() = %q, want %q", got, tt.key)
		}
		if got := tt.c.Text(); got != tt.text {
			t.Errorf("Text() = %q, want %q", got, tt.text)
		}
		if got := tt.c.Labels(); !slices.Equal(got, tt.labels) {
			t.Errorf("Labels() = %q\nwant       %q", got, tt.labels)
		}
	}
}

func TestCiteText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"RFC7523-3.1", "RFC 7523 §3.1"},
		{"RFC6749-5.2", "RFC 6749 §5.2"},
		{"RFC8725bis-3.14", "RFC 8725bis §3.14"},
		{"BIS-4", "RFC 7523bis §4"},
		{"OIDC-Core-9", "OIDC Core §9"},
		{"OIDC-Reg-2", "OIDC Registration §2"},
		{"OIDC-Disc-3", "OIDC Discovery §3"},
		{"FAPI2-5.3.2.1", "FAPI2 §5.3.2.1"},
		{"nodash", "nodash"},
	}
	for _, tt := range tests {
		if got := check.CiteText(tt.in); got != tt.want {
			t.Errorf("CiteText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// labelOK is the label charset (semantics.md §6): ASCII printable, no
// space, none of Ginkgo's reserved &|!,()/ and a "name:value" shape.
var labelOK = regexp.MustCompile(`^[a-z]+:[\x21-\x7e]+$`)

func TestEveryCheckLabelCharset(t *testing.T) {
	all := suites.All()
	if len(all) == 0 {
		t.Fatal("no checks")
	}
	seen := map[string]bool{}
	for _, c := range all {
		if seen[c.Key()] {
			t.Errorf("duplicate check key %s", c.Key())
		}
		seen[c.Key()] = true
		if !strings.HasPrefix(c.Text(), c.Key()+" ") {
			t.Errorf("%s: text %q does not start with its key", c.Key(), c.Text())
		}
		for _, l := range c.Labels() {
			if !labelOK.MatchString(l) || strings.ContainsAny(l, "&|!,()/") {
				t.Errorf("%s: label %q outside the label charset", c.Key(), l)
			}
		}
		if c.Defect != "" && !defect.Known(c.Defect) {
			t.Errorf("%s names unknown defect %q", c.Key(), c.Defect)
		}
	}
	if !slices.IsSortedFunc(all, func(a, b check.Check) int { return strings.Compare(a.Key(), b.Key()) }) {
		t.Error("All() is not sorted by key")
	}
}

func TestProfilesAndOutcomes(t *testing.T) {
	for _, p := range check.Profiles() {
		if got, ok := check.ParseProfile(string(p)); !ok || got != p {
			t.Errorf("ParseProfile(%s) = %s %v", p, got, ok)
		}
	}
	if _, ok := check.ParseProfile("bis"); ok {
		t.Error("profiles are case-sensitive")
	}
	c := check.Check{Profiles: []check.Profile{check.BIS}}
	if !c.AppliesTo(check.BIS) || c.AppliesTo(check.BASE) || !(check.Check{}).AppliesTo(check.FAPI2) {
		t.Error("AppliesTo")
	}
	if check.Broken(check.MUST, "r").Outcome != v1.Fail || check.Broken(check.SHOULD, "r").Outcome != v1.Warn {
		t.Error("Broken does not map MUST to FAIL and SHOULD to WARN")
	}
	if check.Errorf("x").Outcome != v1.Error || check.NA("x").Outcome != v1.NA || check.Pass().Outcome != v1.Pass {
		t.Error("result constructors")
	}
}

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

// TestReportRedaction: nothing a report holds can be replayed or reveals a
// secret (semantics.md §7, design.md R18).
func TestReportRedaction(t *testing.T) {
	formHdr := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	tests := []struct {
		name string
		tr   *client.Transcript
		// in the JSON of the redacted exchange
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
			c := check.Check{ID: "A-TE-05", Level: check.MUST, Title: "t"}
			r := check.Result{Outcome: v1.Fail, Reason: "saw " + secretH, Notes: []string{"note " + secretS}, Exchanges: []*client.Transcript{tt.tr, nil}}
			res := c.Report(r, time.Second, secrets)
			if len(res.Exchanges) != 1 {
				t.Fatalf("%d exchanges (nil transcripts must be skipped)", len(res.Exchanges))
			}
			got := exchangeText(res)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("report lacks %q:\n%s", w, got)
				}
			}
			for _, f := range append(tt.forbid, secretH, secretS) {
				if strings.Contains(got, f) {
					t.Errorf("report leaks %q:\n%s", f, got)
				}
			}
		})
	}
}

// exchangeText flattens a result into one string for leak searches.
func exchangeText(r v1.Result) string {
	var b strings.Builder
	b.WriteString(r.Reason + "\n" + strings.Join(r.Notes, "\n") + "\n")
	for _, ex := range r.Exchanges {
		b.WriteString(ex.Request.Method + " " + ex.Request.URL + "\n" + ex.Request.Body + "\n" + ex.Error + "\n")
		for k, vs := range ex.Request.Header {
			b.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
		}
		if ex.Response != nil {
			b.WriteString(ex.Response.Body + "\n")
			for k, vs := range ex.Response.Header {
				b.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
			}
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
		if got := check.ShortenJWT(tt.in); got != tt.want {
			t.Errorf("ShortenJWT(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	if got := check.Redact("a abcdef b abcdef", []string{"abcdef", "abc", ""}); got != "a <redacted> b <redacted>" {
		t.Errorf("Redact = %q (secrets under 6 bytes are not masked, to keep text readable)", got)
	}
}
