package client

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// signedJWT is the regular expression replaceJWTs implements by hand.
var signedJWT = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{8,}`)

// TestReplaceJWTsMatchesRegexp: the hand-written scanner rewrites exactly
// what signedJWT.ReplaceAllStringFunc rewrites, on edge cases and on many
// random strings over the characters that matter.
func TestReplaceJWTsMatchesRegexp(t *testing.T) {
	mark := func(m string) string { return "<" + m + ">" }
	cases := []string{
		"", "eyJ", "eyJab.c.12345678", "eyJab..12345678", "eyJa.b.12345678", "eyJab.c.1234567",
		"xeyJeyJab.c.12345678y", "eyJab.c.12345678.eyJcd.e.abcdefgh", "eyJab.eyJcd.e.abcdefgh",
		"a eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlMTIz b", "eyJab.c.12345678eyJab.c.12345678",
		"eyJab.c", "eyJab.", "eyJa", "eyJab.c.", strings.Repeat("eyJ", 5) + "ab.c.12345678",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"eyJ", "e", "y", "J", "a", "Z", "0", "-", "_", ".", " ", `"`, "12345678"}
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(16) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		cases = append(cases, b.String())
	}
	for _, s := range cases {
		if got, want := replaceJWTs(s, mark), signedJWT.ReplaceAllStringFunc(s, mark); got != want {
			t.Fatalf("replaceJWTs(%q) = %q, want %q", s, got, want)
		}
	}
}

// BenchmarkRedactLarge is Redact on a body like B-DOS-01's: one signed
// JWT of about a megabyte.
func BenchmarkRedactLarge(b *testing.B) {
	s := "client_assertion=eyJhbGciOiJFUzI1NiJ9." + strings.Repeat("YWFh", 350000) + ".c2lnbmF0dXJlMTIzNDU2Nzg&grant_type=x"
	for b.Loop() {
		_ = Redact(s, nil)
	}
}
