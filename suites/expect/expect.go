// Package expect holds the expectations rows are judged by: token issued
// (RFC 6749 §5.1) or rejected with an error class (RFC 6749 §5.2; catalog.md
// §0.2 REJ-C, REJ-G, REJ-R, REJ-C/R), always with the invariants U1-U5. A
// bare "wantErr bool" cannot be expressed here on purpose (design.md R7).
package expect

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/suites/check"
)

// Issued wants a token response (A-TR-01, A-TR-02): 200, JSON,
// access_token and token_type, Cache-Control: no-store; and, when the access
// token is a JWT carrying client_id, that it names the authenticated client
// (the principal oracle, A-AT-08).
type Issued struct {
	// Principal, when set, is the client_id the token must be issued to.
	Principal func(e *check.Env) string
	// Subject, when set, is the sub the token must name: for a jwt-bearer
	// grant, the user the trusted issuer asserted (RFC 9068 §2.2).
	Subject func(e *check.Env) string
}

// Accepting implements check.Expectation.
func (Issued) Accepting() bool { return true }

func (Issued) String() string { return "OK" }

// Judge implements check.Expectation.
func (x Issued) Judge(tr *client.Transcript, e *check.Env) check.Verdict {
	var v check.Verdict
	if tr.Status != http.StatusOK {
		v.Fail = append(v.Fail, fmt.Sprintf("a valid request was refused: HTTP %d %s", tr.Status, errSummary(tr)))
		return v
	}
	if tr.MediaType() != "application/json" {
		v.Fail = append(v.Fail, fmt.Sprintf("token response Content-Type is %q, want application/json (RFC 6749 §5.1)", tr.Header.Get("Content-Type")))
	}
	m, err := tr.JSON()
	if err != nil {
		v.Fail = append(v.Fail, "token response is not a JSON object (RFC 6749 §5.1)")
		return v
	}
	at, _ := m["access_token"].(string)
	if at == "" {
		v.Fail = append(v.Fail, "token response has no access_token (RFC 6749 §5.1)")
	}
	if tt, _ := m["token_type"].(string); tt == "" {
		v.Fail = append(v.Fail, "token response has no token_type (RFC 6749 §5.1)")
	}
	if !hasToken(tr.Header.Values("Cache-Control"), "no-store") {
		v.Fail = append(v.Fail, "token response lacks Cache-Control: no-store (RFC 6749 §5.1)")
	}
	if x.Principal != nil && at != "" {
		if claims, ok := JWTClaims(at); ok {
			if cid, has := claims["client_id"].(string); has && cid != x.Principal(e) {
				v.Fail = append(v.Fail, fmt.Sprintf("token issued to client_id %q, but the request authenticated %q", cid, x.Principal(e)))
			}
		}
	}
	if x.Subject != nil && at != "" {
		if claims, ok := JWTClaims(at); ok {
			if sub, has := claims["sub"].(string); has && sub != x.Subject(e) {
				v.Fail = append(v.Fail, fmt.Sprintf("token issued for sub %q, but the assertion's subject is %q", sub, x.Subject(e)))
			}
		}
	}
	return v
}

// Reject wants an error response of one class (RFC 6749 §5.2).
type Reject struct {
	Name     string
	Statuses []int
	Codes    []oauth.ErrorCode
}

// The error classes of catalog.md §0.2.
var (
	RejectClient          = Reject{Name: "REJ-C", Statuses: []int{400, 401}, Codes: []oauth.ErrorCode{oauth.InvalidClient}}
	RejectGrant           = Reject{Name: "REJ-G", Statuses: []int{400}, Codes: []oauth.ErrorCode{oauth.InvalidGrant}}
	RejectRequest         = Reject{Name: "REJ-R", Statuses: []int{400}, Codes: []oauth.ErrorCode{oauth.InvalidRequest}}
	RejectClientOrRequest = Reject{Name: "REJ-C/R", Statuses: []int{400, 401}, Codes: []oauth.ErrorCode{oauth.InvalidClient, oauth.InvalidRequest}}
	RejectGrantOrRequest  = Reject{Name: "REJ-R/G", Statuses: []int{400}, Codes: []oauth.ErrorCode{oauth.InvalidRequest, oauth.InvalidGrant}}
)

// Error wants one specific error code with status 400.
func Error(code oauth.ErrorCode) Reject {
	return Reject{Name: "400 " + string(code), Statuses: []int{400}, Codes: []oauth.ErrorCode{code}}
}

// Accepting implements check.Expectation.
func (Reject) Accepting() bool { return false }

func (r Reject) String() string { return r.Name }

// Judge implements check.Expectation: the class plus invariants U1-U5.
func (r Reject) Judge(tr *client.Transcript, e *check.Env) check.Verdict {
	v := NotIssued{}.Judge(tr, e)
	if len(v.Fail) > 0 {
		return v
	}
	if !containsInt(r.Statuses, tr.Status) {
		v.Fail = append(v.Fail, fmt.Sprintf("HTTP %d, want %s", tr.Status, joinInts(r.Statuses)))
	}
	m, err := tr.JSON()
	if err != nil || tr.MediaType() != "application/json" {
		v.Fail = append(v.Fail, fmt.Sprintf("error body is not JSON (Content-Type %q) (RFC 6749 §5.2, U3)", tr.Header.Get("Content-Type")))
		return v
	}
	code, _ := m["error"].(string)
	switch {
	case code == "":
		v.Fail = append(v.Fail, "error response has no error code (RFC 6749 §5.2)")
	case !containsCode(r.Codes, oauth.ErrorCode(code)) && !oauth.ErrorCode(code).Registered():
		// RFC 6749 §5.2: "error" is one of the listed codes (a MUST); a
		// server's own code is a failure of that invariant, never a note
		// (semantics.md §5): the row's level makes it FAIL or WARN.
		v.Fail = append(v.Fail, fmt.Sprintf("error %q is not a code RFC 6749 §5.2 registers, want %s", code, joinCodes(r.Codes)))
	case !containsCode(r.Codes, oauth.ErrorCode(code)):
		v.Fail = append(v.Fail, fmt.Sprintf("error %q, want %s", code, joinCodes(r.Codes)))
	}
	for _, member := range []string{"error", "error_description"} {
		if s, ok := m[member].(string); ok && !oauth.DescriptionCharsetOK(s) {
			v.Fail = append(v.Fail, fmt.Sprintf("%s uses characters RFC 6749 §5.2 forbids: %q (U4)", member, clip(s, 80)))
		}
	}
	if code == string(oauth.InvalidClient) && tr.ReqHeader.Get("Authorization") != "" {
		if tr.Status != http.StatusUnauthorized {
			v.Fail = append(v.Fail, fmt.Sprintf("invalid_client answering an Authorization header must be 401, got %d (RFC 6749 §5.2)", tr.Status))
		}
		if tr.Header.Get("WWW-Authenticate") == "" {
			v.Fail = append(v.Fail, "invalid_client answering an Authorization header lacks WWW-Authenticate (RFC 6749 §5.2)")
		}
	}
	if !hasToken(tr.Header.Values("Cache-Control"), "no-store") {
		v.Warn = append(v.Warn, "error response lacks Cache-Control: no-store (U5)")
	}
	return v
}

// NotIssued wants no token and no server error, whatever the status and body
// (U1, U2): for rows where the catalog allows several answers, such as 405
// for a GET.
type NotIssued struct{}

// Accepting implements check.Expectation.
func (NotIssued) Accepting() bool { return false }

func (NotIssued) String() string { return "not 2xx" }

// Judge implements check.Expectation.
func (NotIssued) Judge(tr *client.Transcript, _ *check.Env) check.Verdict {
	var v check.Verdict
	if tr.Status >= 200 && tr.Status < 300 {
		v.Fail = append(v.Fail, fmt.Sprintf("accepted: HTTP %d where a rejection is required (U1)", tr.Status))
		return v
	}
	if tr.AccessToken() != "" {
		v.Fail = append(v.Fail, "an access_token was issued in an error response (U1)")
	}
	if tr.Status >= 500 {
		v.Fail = append(v.Fail, fmt.Sprintf("server error HTTP %d on bad input (U2)", tr.Status))
	}
	return v
}

// Everywhere is the same expectation under every profile.
func Everywhere(x check.Expectation) map[check.Profile]check.Expectation {
	m := map[check.Profile]check.Expectation{}
	for _, p := range check.Profiles() {
		m[p] = x
	}
	return m
}

// Only is x under the given profiles; the row does not apply elsewhere.
func Only(x check.Expectation, ps ...check.Profile) map[check.Profile]check.Expectation {
	m := map[check.Profile]check.Expectation{}
	for _, p := range ps {
		m[p] = x
	}
	return m
}

// JWTClaims decodes (without verifying) the claims of a compact JWT.
func JWTClaims(tok string) (map[string]any, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, false
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil, false
	}
	return m, true
}

func errSummary(tr *client.Transcript) string {
	m, err := tr.JSON()
	if err != nil {
		return ""
	}
	code, _ := m["error"].(string)
	desc, _ := m["error_description"].(string)
	if desc != "" {
		return fmt.Sprintf("(%s: %s)", code, clip(desc, 120))
	}
	return "(" + code + ")"
}

func hasToken(values []string, tok string) bool {
	for _, v := range values {
		for _, t := range oauth.SplitTokens(v) {
			if t == tok {
				return true
			}
		}
	}
	return false
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func containsCode(xs []oauth.ErrorCode, x oauth.ErrorCode) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, " or ")
}

func joinCodes(xs []oauth.ErrorCode) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, " or ")
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// ScopeRefused wants a scope the client may not have refused (RFC 6749
// §5.2 invalid_scope), or granted narrowed: a 200 token response whose
// scope member is present (RFC 6749 §5.1: REQUIRED when it differs from
// the request) and omits Scope (§3.3 lets the server ignore part of the
// request). A token with Scope, or one that does not say what it grants,
// fails.
type ScopeRefused struct{ Scope string }

// Accepting implements check.Expectation: a narrowed grant is not the
// outcome a row fails on, so no confirming control is needed beyond the
// rejection's.
func (ScopeRefused) Accepting() bool { return false }

func (s ScopeRefused) String() string { return "400 invalid_scope or narrowed" }

// Judge implements check.Expectation.
func (s ScopeRefused) Judge(tr *client.Transcript, e *check.Env) check.Verdict {
	if tr.Status != http.StatusOK {
		return Error(oauth.InvalidScope).Judge(tr, e)
	}
	v := Issued{}.Judge(tr, e)
	m, err := tr.JSON()
	if err != nil {
		return v
	}
	granted, has := m["scope"].(string)
	switch {
	case !has:
		v.Fail = append(v.Fail, fmt.Sprintf("scope %q was neither refused (invalid_scope) nor echoed narrowed: the token response has no scope member (RFC 6749 §5.1, §5.2)", s.Scope))
	case hasScope(granted, s.Scope):
		v.Fail = append(v.Fail, fmt.Sprintf("token issued with scope %q, which the client may not have (RFC 6749 §5.2 invalid_scope)", granted))
	}
	return v
}

// hasScope reports whether the space-delimited scope list holds s (RFC 6749
// §3.3).
func hasScope(list, s string) bool {
	for _, x := range strings.Fields(list) {
		if x == s {
			return true
		}
	}
	return false
}

// RejectOrIssue is Reject, or a token: for rows where the spec lets the
// server accept the input (a MAY to refuse it, or a member the server may
// ignore), so that only a broken rejection (5xx, wrong class, no JSON) or a
// reflection fails. Why is noted on an acceptance.
type RejectOrIssue struct {
	Reject
	Why string
}

// Accepting implements check.Expectation: the row is a negative one.
func (RejectOrIssue) Accepting() bool { return false }

func (x RejectOrIssue) String() string { return x.Reject.String() + " or OK" }

// Judge implements check.Expectation.
func (x RejectOrIssue) Judge(tr *client.Transcript, e *check.Env) check.Verdict {
	if tr.Status == http.StatusOK && tr.AccessToken() != "" {
		return check.Verdict{Notes: []string{"accepted: " + x.Why}}
	}
	return x.Reject.Judge(tr, e)
}

// Advisory judges by Inner but reports its failures as warnings: for a
// profile where the cited rule is a recommendation only (RFC 9700 outside
// FAPI 2.0, say), while another profile makes it a MUST.
type Advisory struct{ Inner check.Expectation }

// Accepting implements check.Expectation.
func (a Advisory) Accepting() bool { return a.Inner.Accepting() }

func (a Advisory) String() string { return a.Inner.String() + " (SHOULD)" }

// Judge implements check.Expectation.
func (a Advisory) Judge(tr *client.Transcript, e *check.Env) check.Verdict {
	v := a.Inner.Judge(tr, e)
	v.Warn = append(v.Warn, v.Fail...)
	v.Fail = nil
	return v
}
