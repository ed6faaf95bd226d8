package discovery

import "testing"

// A-TR-07 is about the harness too: token_type is case-insensitive.
func TestRegisteredTokenType(t *testing.T) {
	for tt, want := range map[string]bool{"Bearer": true, "bearer": true, "BEARER": true, "dpop": true, "N_A": true, "JWT": false, "": false, "mac": false} {
		if got := registeredTokenType(tt); got != want {
			t.Errorf("registeredTokenType(%q) = %t, want %t", tt, got, want)
		}
	}
}
