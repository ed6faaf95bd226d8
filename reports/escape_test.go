package reports

import "testing"

// TestEscape: text from the target reaches the terminal with every control
// character, escape sequence, bidi override and invalid byte shown escaped.
func TestEscape(t *testing.T) {
	for _, tc := range []struct{ name, in, clean, escape string }{
		{"plain", "invalid_client: bad aud", "invalid_client: bad aud", "invalid_client: bad aud"},
		{"CSI clear screen", "a\x1b[2Jb", `a\x1b[2Jb`, `a\x1b[2Jb`},
		{"OSC retitle", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`, `\x1b]0;pwned\x07`},
		{"carriage return forges a line", "x\rPASS  A-CA-01", `x\x0dPASS  A-CA-01`, `x\x0dPASS  A-CA-01`},
		{"newline", "a\nPASS  forged", "a\nPASS  forged", `a\nPASS  forged`},
		{"tab kept", "a\tb", "a\tb", "a\tb"},
		{"C1 CSI", "a\u009b2Jb", `a\u009b2Jb`, `a\u009b2Jb`},
		{"bidi override", "abc\u202edcba", `abc\u202edcba`, `abc\u202edcba`},
		{"invalid UTF-8", "a\xffb", `a\xffb`, `a\xffb`},
		{"DEL and backspace", "a\x7f\x08b", `a\x7f\x08b`, `a\x7f\x08b`},
		{"unicode kept", "café ✓", "café ✓", "café ✓"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Clean(tc.in); got != tc.clean {
				t.Errorf("Clean(%q) = %q, want %q", tc.in, got, tc.clean)
			}
			if got := Escape(tc.in); got != tc.escape {
				t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.escape)
			}
		})
	}
}
