package assertion_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/keys"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

var target = assertion.Target{
	Issuer:        "https://as.assay.test",
	TokenEndpoint: "https://as.assay.test/token",
	ClientID:      "client-a",
	OtherClientID: "client-b",
	TrustedIssuer: "https://idp-h.assay.test",
	Subject:       "user1",
}

func TestObject(t *testing.T) {
	var o assertion.Object
	o = o.Set("b", 1).Set("a", "x").Set("c", true)
	if got := string(o.Bytes()); got != `{"b":1,"a":"x","c":true}` {
		t.Fatalf("insertion order lost: %s", got)
	}
	o = o.Add("a", "dup")
	if got := string(o.Bytes()); got != `{"b":1,"a":"x","c":true,"a":"dup"}` {
		t.Fatalf("Add did not append a duplicate: %s", got)
	}
	if v, ok := o.Get("a"); !ok || string(v) != `"x"` || o.String("a") != "x" {
		t.Errorf("Get/String return the first duplicate: %s %v %q", v, ok, o.String("a"))
	}
	set := o.Set("a", 2)
	if got := string(set.Bytes()); got != `{"b":1,"a":2,"c":true}` {
		t.Errorf("Set replaces every duplicate at the first position: %s", got)
	}
	if got := string(o.Remove("a").Bytes()); got != `{"b":1,"c":true}` {
		t.Errorf("Remove drops every duplicate: %s", got)
	}
	if got := string(o.Remove("zz").Bytes()); got != string(o.Bytes()) {
		t.Errorf("Remove of an absent name changed the object: %s", got)
	}
	if got := string(o.Bytes()); got != `{"b":1,"a":"x","c":true,"a":"dup"}` {
		t.Errorf("Set/Remove/Add changed the receiver: %s", got)
	}
	// Add must not alias the receiver's backing array.
	base := make(assertion.Object, 0, 8).Set("x", 1)
	a1, a2 := base.Add("y", 1), base.Add("z", 2)
	if string(a1.Bytes()) != `{"x":1,"y":1}` || string(a2.Bytes()) != `{"x":1,"z":2}` {
		t.Errorf("Add aliases: %s %s", a1.Bytes(), a2.Bytes())
	}
	if _, ok := o.Get("zz"); ok || o.String("zz") != "" || o.String("b") != "" {
		t.Error("Get/String of an absent or non-string member")
	}
	if got := string(assertion.Object(nil).Bytes()); got != "{}" {
		t.Errorf("empty object: %s", got)
	}
}

func TestRaw(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"a<b>&c", `"a<b>&c"`}, // no HTML escaping: claims are literal bytes
		{json.RawMessage(`1.0e3`), `1.0e3`},
		{[]string{"x", "y"}, `["x","y"]`},
		{nil, `null`},
		{int64(1700000000), `1700000000`},
		{map[string]int{"k": 1}, `{"k":1}`},
	}
	for _, tt := range tests {
		if got := string(assertion.Raw(tt.in)); got != tt.want {
			t.Errorf("Raw(%#v) = %s, want %s", tt.in, got, tt.want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Raw(func) did not panic")
		}
	}()
	assertion.Raw(func() {})
}

func TestNewJTI(t *testing.T) {
	a, err := assertion.NewJTI(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := assertion.NewJTI(rand.Reader)
	if a == b || len(a) != 22 {
		t.Errorf("jti %q %q", a, b)
	}
	if _, err := assertion.NewJTI(bytes.NewReader([]byte{1, 2})); err == nil {
		t.Error("NewJTI with a short reader succeeded")
	}
}

// claimsOf decodes the claims segment of a compact token.
func claimsOf(t *testing.T, tok string) (header, claims string) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("%d segments", len(parts))
	}
	h, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	c, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(h), string(c)
}

func TestClientDraftDefaults(t *testing.T) {
	key := keys.MustFixture("client-a.es256")
	tests := []struct {
		name   string
		params assertion.ClientParams
		header string
		claims string
	}{
		{
			"private_key_jwt, token endpoint aud",
			assertion.ClientParams{Target: target, Now: now, Key: key, Audience: target.TokenEndpoint, JTI: "j1"},
			`{"alg":"ES256","kid":"a-es256"}`,
			`{"iss":"client-a","sub":"client-a","aud":"https://as.assay.test/token","jti":"j1","iat":1795435200,"exp":1795435260}`,
		},
		{
			"BIS: typed, issuer aud",
			assertion.ClientParams{Target: target, Now: now, Key: key, Audience: target.Issuer, JTI: "j2", Typed: true},
			`{"alg":"ES256","kid":"a-es256","typ":"client-authentication+jwt"}`,
			`{"iss":"client-a","sub":"client-a","aud":"https://as.assay.test","jti":"j2","iat":1795435200,"exp":1795435260}`,
		},
		{
			"client_secret_jwt",
			assertion.ClientParams{Target: target, Now: now, Secret: []byte("s3cr3t"), Audience: target.Issuer, JTI: "j3", Lifetime: 30 * time.Second},
			`{"alg":"HS256"}`,
			`{"iss":"client-a","sub":"client-a","aud":"https://as.assay.test","jti":"j3","iat":1795435200,"exp":1795435230}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := assertion.Client(tt.params)
			if got := string(d.HeaderBytes()); got != tt.header {
				t.Errorf("header %s\nwant   %s", got, tt.header)
			}
			if got := string(d.ClaimsBytes()); got != tt.claims {
				t.Errorf("claims %s\nwant   %s", got, tt.claims)
			}
			tok, err := d.Sign(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if h, c := claimsOf(t, tok); h != tt.header || c != tt.claims {
				t.Errorf("signed token segments differ from the draft: %s %s", h, c)
			}
		})
	}
}

func TestGrantDraftDefaults(t *testing.T) {
	key := keys.MustFixture("idp-h.eddsa")
	d := assertion.Grant(assertion.GrantParams{Target: target, Now: now, Key: key, JTI: "g1"})
	if got, want := string(d.HeaderBytes()), `{"alg":"EdDSA","kid":"`+key.ID()+`"}`; got != want {
		t.Errorf("header %s, want %s", got, want)
	}
	want := `{"iss":"https://idp-h.assay.test","sub":"user1","aud":"https://as.assay.test","iat":1795435200,"exp":1795435500,"jti":"g1"}`
	if got := string(d.ClaimsBytes()); got != want {
		t.Errorf("claims %s\nwant   %s", got, want)
	}
	d = assertion.Grant(assertion.GrantParams{Target: target, Now: now, Key: key, JTI: "g2", Audience: target.TokenEndpoint, Lifetime: time.Minute})
	if d.Claims.String("aud") != target.TokenEndpoint || string(mustGet(t, d.Claims, "exp")) != "1795435260" {
		t.Errorf("overrides ignored: %s", d.ClaimsBytes())
	}
}

func mustGet(t *testing.T, o assertion.Object, name string) json.RawMessage {
	t.Helper()
	v, ok := o.Get(name)
	if !ok {
		t.Fatalf("no %s", name)
	}
	return v
}

// TestSignBytesVerifiedByGoJOSE signs with each algorithm and verifies the
// token independently with go-jose, naming the one allowed algorithm.
func TestSignBytesVerifiedByGoJOSE(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	tests := []struct {
		alg    jose.SignatureAlgorithm
		key    keys.Key
		verify any
	}{
		{jose.RS256, keys.MustFixture("client-a.rs256"), nil},
		{jose.PS256, keys.MustFixture("client-a.ps256"), nil},
		{jose.ES256, keys.MustFixture("client-a.es256"), nil},
		{jose.EdDSA, keys.MustFixture("client-a.eddsa"), nil},
		{jose.HS256, keys.Key{}, secret},
	}
	for _, tt := range tests {
		t.Run(string(tt.alg), func(t *testing.T) {
			p := assertion.ClientParams{Target: target, Now: now, Key: tt.key, Audience: target.Issuer, JTI: "x"}
			if tt.key.IsZero() {
				p.Secret = secret
			}
			tok, err := assertion.Client(p).Sign(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			verify := tt.verify
			if verify == nil {
				verify = tt.key.PublicKey()
			}
			obj, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{tt.alg})
			if err != nil {
				t.Fatalf("go-jose cannot parse: %v", err)
			}
			payload, err := obj.Verify(verify)
			if err != nil {
				t.Fatalf("go-jose cannot verify: %v", err)
			}
			if !bytes.Contains(payload, []byte(`"jti":"x"`)) {
				t.Errorf("payload %s", payload)
			}
			if tt.alg == jose.PS256 {
				// go-jose accepts any salt length; RFC 7518 §3.5 fixes it to 32.
				parts := strings.Split(tok, ".")
				sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
				h := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
				if err := rsa.VerifyPSS(tt.key.PublicKey().(*rsa.PublicKey), crypto.SHA256, h[:], sig, &rsa.PSSOptions{SaltLength: 32}); err != nil {
					t.Errorf("PS256 salt length is not 32: %v", err)
				}
			}
			// A different algorithm in the allowlist: go-jose refuses to parse.
			if _, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES384}); err == nil {
				t.Error("go-jose parsed with the wrong allowlist")
			}
		})
	}
}

// TestSignNone: "none" yields an empty signature segment, and go-jose, which
// has no "none" verifier, never verifies the token, whatever the allowlist.
func TestSignNone(t *testing.T) {
	d := assertion.Client(assertion.ClientParams{Target: target, Now: now, Key: keys.MustFixture("client-a.es256"), Audience: target.Issuer, JTI: "n"})
	tok, err := d.Apply(assertion.Unsigned("none")).Sign(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if parts := strings.Split(tok, "."); len(parts) != 3 || parts[2] != "" {
		t.Fatalf("unsigned token %q", tok)
	}
	es := keys.MustFixture("client-a.es256").PublicKey()
	for _, algs := range [][]jose.SignatureAlgorithm{{"none"}, {jose.ES256}, {jose.HS256}} {
		obj, err := jose.ParseSignedCompact(tok, algs)
		if err != nil {
			continue // refused at parse time: the header alg is not allowed
		}
		for _, key := range []any{es, []byte("0123456789abcdef0123456789abcdef")} {
			if _, err := obj.Verify(key); err == nil {
				t.Errorf("go-jose verified an unsigned token (allowlist %v, key %T)", algs, key)
			}
		}
	}
}

func TestSignBytes(t *testing.T) {
	es := keys.MustFixture("client-a.es256").Private()
	rs := keys.MustFixture("client-a.rs256").Private()
	ed := keys.MustFixture("client-a.eddsa").Private()
	si := []byte("header.payload")
	tests := []struct {
		alg     string
		priv    crypto.PrivateKey
		wantLen int
		wantErr string
	}{
		{"none", nil, 0, ""},
		{"HS256", nil, 32, ""},
		{"HS384", nil, 48, ""},
		{"HS512", nil, 64, ""},
		{"ES256", es, 64, ""},
		{"ES384", es, 64, ""}, // attack rows pair any alg with any key
		{"RS256", rs, 256, ""},
		{"PS512", rs, 256, ""},
		{"EdDSA", ed, 64, ""},
		{"EdDSA", es, 0, "need an Ed25519 key"},
		{"ES256", rs, 0, "need an EC key"},
		{"RS256", es, 0, "need an RSA key"},
		{"PS256", ed, 0, "need an RSA key"},
		{"XX256", es, 0, "unsupported"},
		{"RS", rs, 0, "unsupported"},
		{"es256", es, 0, "unsupported"},
		{"", es, 0, "unsupported"},
	}
	for _, tt := range tests {
		sig, err := assertion.SignBytes(tt.alg, tt.priv, []byte("k"), si, rand.Reader)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("SignBytes(%s, %T) error = %v, want %q", tt.alg, tt.priv, err, tt.wantErr)
			}
			continue
		}
		if err != nil || len(sig) != tt.wantLen {
			t.Errorf("SignBytes(%s, %T) = %d bytes, %v; want %d", tt.alg, tt.priv, len(sig), err, tt.wantLen)
		}
	}
}

// parseTok returns header and claims as maps.
func parseTok(t *testing.T, tok string) (map[string]any, map[string]any) {
	t.Helper()
	h, c := claimsOf(t, tok)
	var hm, cm map[string]any
	if err := json.Unmarshal([]byte(h), &hm); err != nil {
		t.Fatalf("header %q: %v", h, err)
	}
	if err := json.Unmarshal([]byte(c), &cm); err != nil {
		t.Fatalf("claims %q: %v", c, err)
	}
	return hm, cm
}

func TestMutations(t *testing.T) {
	es := keys.MustFixture("client-a.es256")
	ps := keys.MustFixture("client-a.ps256")
	hmacKey := []byte("another-secret-0123456789abcdefg") // go-jose wants at least 256 bits
	draft := func() *assertion.Draft {
		return assertion.Client(assertion.ClientParams{Target: target, Now: now, Key: es, Audience: target.Issuer, JTI: "j"})
	}
	verifies := func(tok string, alg jose.SignatureAlgorithm, key any) error {
		obj, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{alg})
		if err != nil {
			return err
		}
		_, err = obj.Verify(key)
		return err
	}
	tests := []struct {
		name  string
		ms    []assertion.Mutation
		check func(t *testing.T, tok string)
	}{
		{"Claim literal and symbol", []assertion.Mutation{assertion.Claim("x", 7), assertion.Claim("sub", assertion.OtherClientID)},
			func(t *testing.T, tok string) {
				_, c := claimsOf(t, tok)
				if !strings.Contains(c, `"sub":"client-b"`) || !strings.HasSuffix(c, `"x":7}`) {
					t.Error(c)
				}
			}},
		{"DropClaim", []assertion.Mutation{assertion.DropClaim("jti"), assertion.DropClaim("absent")},
			func(t *testing.T, tok string) {
				if _, c := parseTok(t, tok); c["jti"] != nil || len(c) != 5 {
					t.Error(c)
				}
			}},
		{"AddClaim duplicate", []assertion.Mutation{assertion.AddClaim("sub", "client-b")},
			func(t *testing.T, tok string) {
				if _, c := claimsOf(t, tok); strings.Count(c, `"sub":`) != 2 || !strings.HasSuffix(c, `"sub":"client-b"}`) {
					t.Error(c)
				}
			}},
		{"Audience single symbol", []assertion.Mutation{assertion.Audience(assertion.TokenEndpoint)},
			func(t *testing.T, tok string) {
				if _, c := claimsOf(t, tok); !strings.Contains(c, `"aud":"https://as.assay.test/token"`) {
					t.Error(c)
				}
			}},
		{"Audience array of symbols and literals", []assertion.Mutation{assertion.Audience(assertion.Issuer, assertion.IssuerPlus("/"), "lit")},
			func(t *testing.T, tok string) {
				if _, c := claimsOf(t, tok); !strings.Contains(c, `"aud":["https://as.assay.test","https://as.assay.test/","lit"]`) {
					t.Error(c)
				}
			}},
		{"Array single element", []assertion.Mutation{assertion.Claim("aud", assertion.Array(assertion.Issuer))},
			func(t *testing.T, tok string) {
				if _, c := claimsOf(t, tok); !strings.Contains(c, `"aud":["https://as.assay.test"]`) {
					t.Error(c)
				}
			}},
		{"At, Expires, IssuedAt, NotBefore", []assertion.Mutation{assertion.Claim("t", assertion.At(-90*time.Second)), assertion.Expires(-time.Minute), assertion.IssuedAt(62 * time.Second), assertion.NotBefore(8 * time.Second)},
			func(t *testing.T, tok string) {
				_, c := claimsOf(t, tok)
				for _, want := range []string{`"t":1795435110`, `"exp":1795435140`, `"iat":1795435262`, `"nbf":1795435208`} {
					if !strings.Contains(c, want) {
						t.Errorf("%s lacks %s", c, want)
					}
				}
			}},
		{"Header, DropHeader, AddHeader", []assertion.Mutation{assertion.Header("typ", "JWT"), assertion.DropHeader("kid"), assertion.AddHeader("alg", "none")},
			func(t *testing.T, tok string) {
				if h, _ := claimsOf(t, tok); h != `{"alg":"ES256","typ":"JWT","alg":"none"}` {
					t.Error(h)
				}
			}},
		{"SignWith", []assertion.Mutation{assertion.SignWith(ps)},
			func(t *testing.T, tok string) {
				h, _ := parseTok(t, tok)
				if h["alg"] != "PS256" || h["kid"] != ps.ID() {
					t.Error(h)
				}
				if err := verifies(tok, jose.PS256, ps.PublicKey()); err != nil {
					t.Error(err)
				}
			}},
		{"SignWithKeyOnly", []assertion.Mutation{assertion.SignWithKeyOnly(keys.MustFixture("client-b.es256"))},
			func(t *testing.T, tok string) {
				h, _ := parseTok(t, tok)
				if h["kid"] != es.ID() {
					t.Error(h)
				}
				if verifies(tok, jose.ES256, es.PublicKey()) == nil {
					t.Error("verifies with the key the kid names")
				}
				if err := verifies(tok, jose.ES256, keys.MustFixture("client-b.es256").PublicKey()); err != nil {
					t.Error(err)
				}
			}},
		{"SignAlg: header says ES256, signed RS256", []assertion.Mutation{assertion.SignWithKeyOnly(keys.MustFixture("client-a.rs256")), assertion.SignAlg("RS256")},
			func(t *testing.T, tok string) {
				if h, _ := parseTok(t, tok); h["alg"] != "ES256" {
					t.Error(h)
				}
				parts := strings.Split(tok, ".")
				sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
				d := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
				rk := keys.MustFixture("client-a.rs256").PublicKey().(*rsa.PublicKey)
				if err := rsa.VerifyPKCS1v15(rk, crypto.SHA256, d[:], sig); err != nil {
					t.Error(err)
				}
			}},
		{"HMAC", []assertion.Mutation{assertion.HMAC(hmacKey)},
			func(t *testing.T, tok string) {
				if err := verifies(tok, jose.HS256, hmacKey); err != nil {
					t.Error(err)
				}
			}},
		{"Unsigned", []assertion.Mutation{assertion.Unsigned("nOnE")},
			func(t *testing.T, tok string) {
				if !strings.HasSuffix(tok, ".") {
					t.Errorf("signature not empty: %s", tok)
				}
				if h, _ := claimsOf(t, tok); h != `{"alg":"nOnE"}` {
					t.Error(h)
				}
			}},
		{"RawHeader", []assertion.Mutation{assertion.RawHeader(`{"alg":"ES256","alg":"ES256"}`)},
			func(t *testing.T, tok string) {
				if h, _ := claimsOf(t, tok); h != `{"alg":"ES256","alg":"ES256"}` {
					t.Error(h)
				}
				// The signature covers the raw header: it still verifies
				// cryptographically (go-jose refuses duplicate members first).
				if err := verifies(tok, jose.ES256, es.PublicKey()); err == nil {
					t.Error("go-jose accepted a duplicate header member")
				}
			}},
		{"RawClaims", []assertion.Mutation{assertion.RawClaims(`not json`)},
			func(t *testing.T, tok string) {
				if _, c := claimsOf(t, tok); c != "not json" {
					t.Error(c)
				}
			}},
		{"EditClaims sees the rendered text", []assertion.Mutation{assertion.Claim("exp", 5), assertion.EditClaims(func(_ *assertion.Draft, s string) string {
			return strings.Replace(s, `"exp":5`, `"exp":"5"`, 1)
		})},
			func(t *testing.T, tok string) {
				if _, c := claimsOf(t, tok); !strings.Contains(c, `"exp":"5"`) {
					t.Error(c)
				}
				if err := verifies(tok, jose.ES256, es.PublicKey()); err != nil {
					t.Errorf("edited claims are signed: %v", err)
				}
			}},
		{"EditHeader", []assertion.Mutation{assertion.EditHeader(func(_ *assertion.Draft, s string) string { return s + " " })},
			func(t *testing.T, tok string) {
				if h, _ := claimsOf(t, tok); !strings.HasSuffix(h, "} ") {
					t.Error(h)
				}
			}},
		{"FlipSignatureBit", []assertion.Mutation{assertion.FlipSignatureBit},
			func(t *testing.T, tok string) {
				if err := verifies(tok, jose.ES256, es.PublicKey()); err == nil {
					t.Error("flipped signature still verifies")
				}
				parts := strings.Split(tok, ".")
				sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
				sig[len(sig)-1] ^= 1
				fixed := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
				if err := verifies(fixed, jose.ES256, es.PublicKey()); err != nil {
					t.Errorf("flipping back does not verify: only one bit should change: %v", err)
				}
			}},
		{"FlipSignatureBit after Finish", []assertion.Mutation{assertion.Finish(func(s string) string { return s + "x" }), assertion.FlipSignatureBit},
			func(t *testing.T, tok string) {
				if !strings.Contains(tok, ".") {
					t.Error(tok)
				}
			}},
		{"FlipSignatureBit on an unsigned token is a no-op", []assertion.Mutation{assertion.Unsigned("none"), assertion.FlipSignatureBit},
			func(t *testing.T, tok string) {
				if !strings.HasSuffix(tok, ".") {
					t.Error(tok)
				}
			}},
		{"nil mutation skipped", []assertion.Mutation{nil},
			func(t *testing.T, tok string) {
				if err := verifies(tok, jose.ES256, es.PublicKey()); err != nil {
					t.Error(err)
				}
			}},
		{"EncodeSegment is signed over", []assertion.Mutation{func(d *assertion.Draft) {
			d.EncodeSegment = func(b []byte) string { return base64.URLEncoding.EncodeToString(b) }
		}},
			func(t *testing.T, tok string) {
				parts := strings.Split(tok, ".")
				sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
				if !strings.ContainsRune(parts[0]+parts[1], '=') && len(sig) != 64 {
					t.Error(tok)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := draft().Apply(tt.ms...).Sign(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, tok)
		})
	}
}

func TestSignErrors(t *testing.T) {
	d := assertion.Client(assertion.ClientParams{Target: target, Now: now, Key: keys.MustFixture("client-a.es256"), JTI: "j"})
	d.Apply(assertion.SignAlg("EdDSA"))
	if _, err := d.Sign(rand.Reader); err == nil || !strings.HasPrefix(err.Error(), "sign assertion: ") {
		t.Errorf("EdDSA with an EC key: %v", err)
	}
	d = assertion.Client(assertion.ClientParams{Target: target, Now: now, Key: keys.MustFixture("client-a.es256"), JTI: "j"})
	boom := errors.New("boom")
	d.Signature = func([]byte, *assertion.Draft) ([]byte, error) { return nil, boom }
	if _, err := d.Sign(rand.Reader); !errors.Is(err, boom) {
		t.Errorf("Signature error not wrapped: %v", err)
	}
	d.Signature = func(si []byte, _ *assertion.Draft) ([]byte, error) { return []byte{0xff}, nil }
	tok, err := d.Sign(rand.Reader)
	if err != nil || !strings.HasSuffix(tok, "._w") {
		t.Errorf("custom signature: %q %v", tok, err)
	}
	if d.Alg() != "ES256" {
		t.Errorf("Alg() = %q", d.Alg())
	}
}

// BenchmarkSign measures one client assertion signature per algorithm: the
// harness's own crypto cost per row (semantics.md §9 speed budgets).
func BenchmarkSign(b *testing.B) {
	for _, tt := range []struct {
		alg string
		key keys.Key
	}{
		{"ES256", keys.MustFixture("client-a.es256")},
		{"PS256", keys.MustFixture("client-a.ps256")},
		{"RS256", keys.MustFixture("client-a.rs256")},
		{"EdDSA", keys.MustFixture("client-a.eddsa")},
		{"HS256", keys.Key{}},
	} {
		b.Run(tt.alg, func(b *testing.B) {
			p := assertion.ClientParams{Target: target, Now: now, Key: tt.key, Audience: target.Issuer, JTI: "bench"}
			if tt.key.IsZero() {
				p.Secret = []byte("0123456789abcdef0123456789abcdef")
			}
			d := assertion.Client(p)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Sign(rand.Reader); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
