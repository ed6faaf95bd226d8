package check

import (
	"encoding/json"
	"testing"
)

// TestRuleMatch: a rule matches by status (none listed: any 2xx) and, with
// a pointer, by the JSON value there (RFC 6901), so that a policy decision
// point answering deny as HTTP 200 is told from allow by its body.
func TestRuleMatch(t *testing.T) {
	allow := `[{"resource":"room","actions":{"ORDER_FOOD":true},"advices":{}}]`
	deny := `[{"resource":"room","actions":{},"advices":{"JWTVerification":["signature verification failed"]}}]`
	rows := []struct {
		name   string
		rule   Rule
		status int
		body   string
		want   bool
	}{
		{"zero rule, 204", Rule{}, 204, "", true},
		{"zero rule, 401", Rule{}, 401, "", false},
		{"zero rule, 302", Rule{}, 302, "", false},
		{"listed status", Rule{Status: []int{200, 403}}, 403, "", true},
		{"unlisted status", Rule{Status: []int{200}}, 201, "", false},
		{"pointer true", Rule{Status: []int{200}, Pointer: "/0/actions/ORDER_FOOD", Value: json.RawMessage(`true`)}, 200, allow, true},
		{"pointer absent (deny with advices)", Rule{Status: []int{200}, Pointer: "/0/actions/ORDER_FOOD", Value: json.RawMessage(`true`)}, 200, deny, false},
		{"pointer to an object", Rule{Pointer: "/0/advices", Value: json.RawMessage(`{"JWTVerification":["signature verification failed"]}`)}, 200, deny, true},
		{"escaped pointer", Rule{Pointer: "/a~1b/c~0d", Value: json.RawMessage(`"x"`)}, 200, `{"a/b":{"c~d":"x"}}`, true},
		{"string is not a number", Rule{Pointer: "/n", Value: json.RawMessage(`1`)}, 200, `{"n":"1"}`, false},
		{"body not JSON", Rule{Pointer: "/n", Value: json.RawMessage(`1`)}, 200, `<html>`, false},
		{"index out of range", Rule{Pointer: "/3", Value: json.RawMessage(`1`)}, 200, `[1]`, false},
	}
	for _, r := range rows {
		if got := r.rule.Match(r.status, []byte(r.body)); got != r.want {
			t.Errorf("%s: Match = %v, want %v", r.name, got, r.want)
		}
	}
}

func TestVerifierDefaults(t *testing.T) {
	var v VerifierTarget
	if v.TokenKind() != AccessTokens || v.Where() != InBearer || !v.Bearer() {
		t.Errorf("zero VerifierTarget: kind %s, placement %s", v.TokenKind(), v.Where())
	}
	v.Placement = InJSON
	if v.Bearer() {
		t.Error("a JSON-body verifier is not a Bearer verifier")
	}
}
