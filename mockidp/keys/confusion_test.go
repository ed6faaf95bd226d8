package keys

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestConfusionSecrets: the seven encodings are distinct and each is what
// its name says, so that each B-ALG-06 variant sends another secret.
func TestConfusionSecrets(t *testing.T) {
	k, err := Fixture("client-a.rs256")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]Confusion{}
	for _, c := range Confusions() {
		b, err := ConfusionSecret(k.Public(), c)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if prev, dup := seen[string(b)]; dup {
			t.Errorf("%s and %s give the same secret", c, prev)
		}
		seen[string(b)] = c
		s := string(b)
		switch c {
		case ConfusePEM:
			if !strings.HasPrefix(s, "-----BEGIN PUBLIC KEY-----\n") || !strings.HasSuffix(s, "-----\n") {
				t.Errorf("%s: %q", c, s)
			}
		case ConfusePEMTrimmed:
			if strings.HasSuffix(s, "\n") {
				t.Errorf("%s ends in a newline", c)
			}
		case ConfusePKCS1:
			if !strings.HasPrefix(s, "-----BEGIN RSA PUBLIC KEY-----\n") {
				t.Errorf("%s: %q", c, s)
			}
		case ConfuseJWK:
			var m map[string]any
			if json.Unmarshal(b, &m) != nil || m["n"] == nil || m["d"] != nil {
				t.Errorf("%s: %s", c, s)
			}
		case ConfuseModulusB64:
			if !strings.Contains(string(mustJSON(t, k)), `"n":"`+s+`"`) {
				t.Errorf("%s is not the JWK's n", c)
			}
		case ConfuseDER, ConfuseModulus:
			if bytes.HasPrefix(b, []byte("-----")) {
				t.Errorf("%s is PEM", c)
			}
		}
	}
	ec, err := Fixture("client-a.es256")
	if err == nil {
		if _, err := ConfusionSecret(ec.Public(), ConfusePEM); err == nil {
			t.Error("an EC key gave an RSA encoding")
		}
	}
}

func mustJSON(t *testing.T, k Key) []byte {
	t.Helper()
	b, err := json.Marshal(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return b
}
