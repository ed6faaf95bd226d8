package keys_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"strings"
	"testing"

	"github.com/assayhq/assay/fixtures"
	"github.com/assayhq/assay/mockidp/keys"
)

func TestFixturesLoad(t *testing.T) {
	names := fixtures.KeyNames()
	if len(names) < 10 {
		t.Fatalf("only %d fixture keys: %v", len(names), names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			k, err := keys.Fixture(name)
			if err != nil {
				t.Fatalf("Fixture(%q): %v", name, err)
			}
			if k.IsZero() || k.ID() == "" || k.Alg() == "" {
				t.Fatalf("Fixture(%q) = kid %q alg %q zero %v", name, k.ID(), k.Alg(), k.IsZero())
			}
			// The file name says the algorithm: client-a.es256 holds an ES256 key.
			suffix := name[strings.LastIndexByte(name, '.')+1:]
			wantUse := "sig"
			if strings.HasPrefix(suffix, "enc-") { // client-a.enc-es256: an encryption key, on purpose
				suffix, wantUse = strings.TrimPrefix(suffix, "enc-"), "enc"
			}
			wantAlg := map[string]string{"es256": "ES256", "es384": "ES384", "ps256": "PS256", "rs256": "RS256", "eddsa": "EdDSA", "rs1024": "RS256"}[suffix]
			if k.Alg() != wantAlg {
				t.Errorf("alg %q, file name says %q", k.Alg(), wantAlg)
			}
			pub := k.Public()
			if !pub.IsPublic() || !pub.Valid() {
				t.Errorf("Public() is not a valid public key")
			}
			if pub.KeyID != k.ID() || pub.Algorithm != k.Alg() || pub.Use != wantUse {
				t.Errorf("Public() = kid %q alg %q use %q", pub.KeyID, pub.Algorithm, pub.Use)
			}
			switch p := k.Private().(type) {
			case *rsa.PrivateKey:
				bits := p.N.BitLen()
				if suffix == "rs1024" && bits != 1024 || suffix != "rs1024" && bits < 2048 {
					t.Errorf("RSA key of %d bits", bits)
				}
			case *ecdsa.PrivateKey:
				if want := map[string]elliptic.Curve{"es256": elliptic.P256(), "es384": elliptic.P384()}[suffix]; p.Curve != want {
					t.Errorf("curve %s", p.Curve.Params().Name)
				}
			case ed25519.PrivateKey:
			default:
				t.Errorf("private key type %T", p)
			}
		})
	}
	if _, err := keys.Fixture("no-such-key"); err == nil {
		t.Error("Fixture(no-such-key) succeeded")
	}
}

func TestMustFixturePanicsOnMissing(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustFixture(missing) did not panic")
		}
	}()
	keys.MustFixture("missing")
}

func TestParseJWK(t *testing.T) {
	priv, err := fixtures.KeyJSON("client-a.es256")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := json.Marshal(keys.MustFixture("client-a.es256").Public())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      []byte
		wantErr string
	}{
		{"private", priv, ""},
		{"public only", pub, "not a private key"},
		{"not JSON", []byte(`{"kty":`), "parse jwk"},
		{"unknown kty", []byte(`{"kty":"XX","d":"AA"}`), "parse jwk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := keys.ParseJWK(tt.in)
			if tt.wantErr == "" {
				if err != nil || k.IsZero() {
					t.Fatalf("ParseJWK: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ParseJWK error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	tests := []struct {
		alg  string
		want func(any) bool
	}{
		{"ES256", func(p any) bool { k, ok := p.(*ecdsa.PrivateKey); return ok && k.Curve == elliptic.P256() }},
		{"ES384", func(p any) bool { k, ok := p.(*ecdsa.PrivateKey); return ok && k.Curve == elliptic.P384() }},
		{"EdDSA", func(p any) bool { _, ok := p.(ed25519.PrivateKey); return ok }},
		// One RSA generation is enough: they all share one branch, and
		// 2048-bit generation is slow under -race.
		{"PS256", func(p any) bool { k, ok := p.(*rsa.PrivateKey); return ok && k.N.BitLen() == 2048 }},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			k, err := keys.Generate(tt.alg, "gen-"+tt.alg, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(k.Private()) {
				t.Errorf("Generate(%s) made a %T", tt.alg, k.Private())
			}
			if k.ID() != "gen-"+tt.alg || k.Alg() != tt.alg {
				t.Errorf("kid %q alg %q", k.ID(), k.Alg())
			}
			if pub := k.Public(); k.PublicKey() == nil || !pub.IsPublic() {
				t.Error("no public half")
			}
		})
	}
	for _, alg := range []string{"", "HS256", "none", "es256", "ES512"} {
		if _, err := keys.Generate(alg, "x", rand.Reader); err == nil || !strings.Contains(err.Error(), "unsupported") {
			t.Errorf("Generate(%q) error = %v, want unsupported", alg, err)
		}
	}
}

func TestKeyWithAndSet(t *testing.T) {
	a := keys.MustFixture("client-a.es256")
	b := a.With("other", "ES384")
	if b.ID() != "other" || b.Alg() != "ES384" || a.ID() != "a-es256" || a.Alg() != "ES256" {
		t.Fatalf("With changed the original or failed: a=%s/%s b=%s/%s", a.ID(), a.Alg(), b.ID(), b.Alg())
	}
	if b.Private() != a.Private() {
		t.Error("With changed the key material")
	}
	s := keys.Set{a, keys.MustFixture("client-a.ps256"), keys.MustFixture("client-a.eddsa")}
	if k, ok := s.Find("a-es256"); !ok || k.ID() != "a-es256" {
		t.Errorf("Find(a-es256) = %v %v", k.ID(), ok)
	}
	if _, ok := s.Find("nope"); ok {
		t.Error("Find(nope) found a key")
	}
	pub := s.Public()
	if len(pub.Keys) != 3 {
		t.Fatalf("Public() has %d keys", len(pub.Keys))
	}
	raw, err := json.Marshal(pub)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Keys []map[string]any }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range doc.Keys {
		for _, m := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if _, ok := k[m]; ok {
				t.Errorf("public set of %v carries private member %q", k["kid"], m)
			}
		}
	}
	if (keys.Key{}).IsZero() != true {
		t.Error("zero Key is not IsZero")
	}
}
