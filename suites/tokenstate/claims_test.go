package tokenstate

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/suites/check"
)

// TestMismatches: an active answer must describe the token it was asked
// about; scope compares as a set, absent members are not judged.
func TestMismatches(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	e := &check.Env{Clock: func() time.Time { return now }}
	exp := json.Number("1800000300")
	tok := &issued{principal: "client-a", claims: map[string]any{"iss": "https://as", "sub": "client-a", "client_id": "client-a", "scope": "read write", "exp": exp}}
	for _, tc := range []struct {
		name string
		body map[string]any
		want string // substring of the joined mismatches; "" means none
	}{
		{"the token's own claims", map[string]any{"active": true, "sub": "client-a", "client_id": "client-a", "scope": "write read", "exp": exp}, ""},
		{"members left out", map[string]any{"active": true}, ""},
		{"another subject", map[string]any{"active": true, "sub": "client-b"}, `sub is "client-b", but the token says "client-a"`},
		{"another scope", map[string]any{"active": true, "scope": "read"}, "scope is"},
		{"another client", map[string]any{"active": true, "client_id": "client-b"}, `but the token was issued to "client-a"`},
		{"exp in the past", map[string]any{"active": true, "exp": json.Number("1700000000")}, "is in the past"},
	} {
		got := strings.Join(mismatches(e, tok, tc.body), "; ")
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: mismatches %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestTampered: a JWT keeps its header and signature and gains a claim; an
// opaque token changes in one character.
func TestTampered(t *testing.T) {
	jwt := "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"
	got, err := tampered(nil, &issued{token: jwt, claims: payload(jwt)})
	if err != nil {
		t.Fatal(err)
	}
	p := strings.Split(got, ".")
	if len(p) != 3 || p[0] != "eyJhbGciOiJFUzI1NiJ9" || p[2] != "c2ln" || payload(got)["assay_tampered"] != true || payload(got)["sub"] != "a" {
		t.Errorf("tampered JWT %q", got)
	}
	opaque := "opaque-token-AAAA"
	got, _ = tampered(nil, &issued{token: opaque})
	diff := 0
	for i := range opaque {
		if got[i] != opaque[i] {
			diff++
		}
	}
	if len(got) != len(opaque) || diff != 1 {
		t.Errorf("tampered opaque token %q from %q", got, opaque)
	}
}
