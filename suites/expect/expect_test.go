package expect_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// answer is a canned token endpoint response.
func answer(status int, body string, hdr ...string) *client.Transcript {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Set(hdr[i], hdr[i+1])
	}
	return &client.Transcript{Status: status, Header: h, Body: []byte(body), ReqHeader: http.Header{}}
}

const noStore = "Cache-Control"

// verdict condenses a Verdict: "pass", "warn: ..." or "fail: ...".
func verdict(v check.Verdict) string {
	switch {
	case len(v.Fail) > 0:
		return "fail: " + strings.Join(v.Fail, "; ")
	case len(v.Warn) > 0:
		return "warn: " + strings.Join(v.Warn, "; ")
	}
	return "pass"
}

// TestJudge: each expectation against the answers that separate its
// classes. want is a prefix of the condensed verdict plus a fragment the
// reason must hold, so each failure names its cause.
func TestJudge(t *testing.T) {
	token := `{"access_token":"at-0123456789","token_type":"Bearer"}`
	tests := []struct {
		name string
		x    check.Expectation
		tr   *client.Transcript
		want string // "pass", or "fail"/"warn" followed by a reason fragment
	}{
		{"issued", expect.Issued{}, answer(200, token, noStore, "no-store"), "pass"},
		{"issued without no-store", expect.Issued{}, answer(200, token), "fail: token response lacks Cache-Control: no-store"},
		{"issued, not JSON", expect.Issued{}, answer(200, "at=1", noStore, "no-store"), "fail: token response is not a JSON object"},
		{"refused where issue is wanted", expect.Issued{}, answer(400, `{"error":"invalid_client"}`), "fail: a valid request was refused: HTTP 400"},

		{"REJ-C with 401", expect.RejectClient, answer(401, `{"error":"invalid_client"}`, noStore, "no-store"), "pass"},
		{"REJ-C with 400", expect.RejectClient, answer(400, `{"error":"invalid_client"}`, noStore, "no-store"), "pass"},
		{"REJ-C, wrong class", expect.RejectClient, answer(400, `{"error":"invalid_grant"}`, noStore, "no-store"), `fail: error "invalid_grant", want invalid_client`},
		{"REJ-C, no no-store is a warning", expect.RejectClient, answer(400, `{"error":"invalid_client"}`), "warn: error response lacks Cache-Control: no-store"},
		{"REJ-C, token issued", expect.RejectClient, answer(200, token, noStore, "no-store"), "fail: accepted: HTTP 200"},
		{"REJ-C, server error", expect.RejectClient, answer(500, `{"error":"server_error"}`), "fail: server error HTTP 500"},
		{"REJ-C, HTML error page", expect.RejectClient, answer(400, "<html>bad</html>", "Content-Type", "text/html"), "fail: error body is not JSON"},
		{"REJ-C, forbidden characters", expect.RejectClient, answer(400, `{"error":"invalid_client","error_description":"bad \"iss\""}`, noStore, "no-store"), "fail: error_description uses characters"},
		{"REJ-C, unregistered code fails with the server's code", expect.RejectClient, answer(400, `{"error":"jti_known"}`, noStore, "no-store"), `fail: error "jti_known" is not a code RFC 6749 §5.2 registers`},
		{"REJ-G, unregistered code", expect.RejectGrant, answer(400, `{"error":"assertion_replayed"}`, noStore, "no-store"), `fail: error "assertion_replayed" is not a code`},
		{"advisory: unregistered code warns", expect.Advisory{Inner: expect.RejectClient}, answer(400, `{"error":"jti_known"}`, noStore, "no-store"), `warn: error "jti_known"`},
		{"reject or issue: unregistered code", expect.RejectOrIssue{Reject: expect.RejectClient, Why: "x"}, answer(400, `{"error":"jti_known"}`, noStore, "no-store"), `fail: error "jti_known"`},
		{"REJ-G", expect.RejectGrant, answer(400, `{"error":"invalid_grant"}`, noStore, "no-store"), "pass"},
		{"REJ-G, 401", expect.RejectGrant, answer(401, `{"error":"invalid_grant"}`, noStore, "no-store"), "fail: HTTP 401, want 400"},
		{"not issued, 405", expect.NotIssued{}, answer(405, ""), "pass"},
		{"not issued, token in an error", expect.NotIssued{}, answer(400, `{"error":"invalid_request","access_token":"x"}`), "fail: an access_token was issued in an error response"},

		{"advisory: a failure becomes a warning", expect.Advisory{Inner: expect.RejectClient}, answer(200, token, noStore, "no-store"), "warn: accepted: HTTP 200"},
		{"advisory: a pass stays a pass", expect.Advisory{Inner: expect.RejectClient}, answer(401, `{"error":"invalid_client"}`, noStore, "no-store"), "pass"},
		{"reject or issue: token", expect.RejectOrIssue{Reject: expect.RejectClient, Why: "x"}, answer(200, token, noStore, "no-store"), "pass"},
		{"reject or issue: 5xx", expect.RejectOrIssue{Reject: expect.RejectClient, Why: "x"}, answer(500, `{"error":"server_error"}`), "fail: server error HTTP 500"},
		{"scope refused", expect.ScopeRefused{Scope: "admin:all"}, answer(400, `{"error":"invalid_scope"}`, noStore, "no-store"), "pass"},
		{"scope refused with the wrong code", expect.ScopeRefused{Scope: "admin:all"}, answer(400, `{"error":"invalid_request"}`, noStore, "no-store"), `fail: error "invalid_request", want invalid_scope`},
		{"scope narrowed and echoed", expect.ScopeRefused{Scope: "admin:all"}, answer(200, `{"access_token":"at-0123456789","token_type":"Bearer","scope":"read"}`, noStore, "no-store"), "pass"},
		{"scope granted", expect.ScopeRefused{Scope: "admin:all"}, answer(200, `{"access_token":"at-0123456789","token_type":"Bearer","scope":"read admin:all"}`, noStore, "no-store"), `fail: token issued with scope "read admin:all"`},
		{"scope narrowed silently", expect.ScopeRefused{Scope: "admin:all"}, answer(200, token, noStore, "no-store"), "fail: scope \"admin:all\" was neither refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := verdict(tt.x.Judge(tt.tr, &check.Env{}))
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("%s judged %q, want %q…", tt.x, got, tt.want)
			}
		})
	}
}

// TestBasicAuthInvalidClient: invalid_client answering an Authorization
// header must be 401 with WWW-Authenticate (RFC 6749 §5.2).
func TestBasicAuthInvalidClient(t *testing.T) {
	tr := answer(400, `{"error":"invalid_client"}`, noStore, "no-store")
	tr.ReqHeader.Set("Authorization", "Basic Y2xpZW50LXM6eA==")
	got := verdict(expect.RejectClient.Judge(tr, &check.Env{}))
	for _, want := range []string{"must be 401, got 400", "lacks WWW-Authenticate"} {
		if !strings.Contains(got, want) {
			t.Errorf("verdict %q lacks %q", got, want)
		}
	}
	tr = answer(401, `{"error":"invalid_client"}`, noStore, "no-store", "WWW-Authenticate", `Basic realm="as"`)
	tr.ReqHeader.Set("Authorization", "Basic Y2xpZW50LXM6eA==")
	if got := verdict(expect.RejectClient.Judge(tr, &check.Env{})); got != "pass" {
		t.Errorf("401 with WWW-Authenticate judged %q", got)
	}
}
