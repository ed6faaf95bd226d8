package tokenendpoint

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/profile"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestParseCompact(t *testing.T) {
	h, c := b64(`{"alg":"ES256"}`), b64(`{"iss":"a","exp":1}`)
	sig := base64.RawURLEncoding.EncodeToString([]byte{0xfb, 0xff, 0x01}) // "-_8B": both URL-only characters
	tests := []struct {
		name    string
		raw     string
		wantErr string
	}{
		{"valid", h + "." + c + "." + sig, ""},
		{"empty signature", h + "." + c + ".", ""},
		{"whitespace inside JSON", b64(" {\n\"alg\" : \"ES256\" }\t") + "." + c + "." + sig, ""},
		{"nested values", h + "." + b64(`{"a":{"b":[1,{"c":null}]},"d":"\u00e9"}`) + "." + sig, ""},

		{"two segments", h + "." + c, "three segments"},
		{"four segments", h + "." + c + "." + sig + "." + sig, "three segments"},
		{"JWE five segments", h + ".." + c + "." + sig + "." + sig, "three segments"},
		{"empty", "", "three segments"},
		{"empty header", "." + c + "." + sig, "empty header"},
		{"empty payload", h + ".." + sig, "empty header or payload"},
		{"padding", h + "." + c + "." + base64.URLEncoding.EncodeToString([]byte{1}), "alphabet"},
		{"padding in header", base64.URLEncoding.EncodeToString([]byte(`{"alg":"ES256"}X`)) + "." + c + ".", "alphabet"},
		{"std alphabet", h + "." + c + "." + base64.RawStdEncoding.EncodeToString([]byte{0xfb, 0xff, 0x01}), "alphabet"},
		{"space", h + " ." + c + "." + sig, "alphabet"},
		{"newline", h + "." + c + "\n." + sig, "alphabet"},
		{"CRLF in signature", h + "." + c + "." + sig[:2] + "\r\n" + sig[2:], "alphabet"},
		{"tab", "\t" + h + "." + c + "." + sig, "alphabet"},
		{"trailing newline", h + "." + c + "." + sig + "\n", "alphabet"},
		{"non-ASCII", h + "." + c + "." + sig + "é", "alphabet"},
		{"non-canonical trailing bits in signature", h + "." + c + ".AB", "signature is not canonical"},
		{"non-canonical trailing bits in header", nonCanonical(`{"alg":"ES256" }`) + "." + c + ".", "header is not canonical"},
		{"non-canonical trailing bits in payload", h + "." + nonCanonical(`{"a":1}`) + ".", "payload is not canonical"},
		{"impossible length", h + "." + c + ".A", "signature is not canonical"},
		{"header not JSON", b64("alg") + "." + c + ".", "header: not a JSON object"},
		{"header array", b64(`["alg"]`) + "." + c + ".", "header: not a JSON object"},
		{"header null", b64(`null`) + "." + c + ".", "header: not a JSON object"},
		{"claims string", h + "." + b64(`"x"`) + ".", "claims: not a JSON object"},
		{"BOM", b64("\ufeff{}") + "." + c + ".", "header: not a JSON object"},
		{"duplicate header member", b64(`{"alg":"ES256","alg":"none"}`) + "." + c + ".", "duplicate member alg"},
		{"duplicate claim", h + "." + b64(`{"sub":"a","sub":"b"}`) + ".", "duplicate member sub"},
		{"duplicate by escape", h + "." + b64(`{"sub":"a","\u0073ub":"b"}`) + ".", "duplicate member sub"},
		{"invalid UTF-8", h + "." + b64("{\"sub\":\"\xff\"}") + ".", "not valid UTF-8"},
		{"truncated JSON", h + "." + b64(`{"sub":"a"`) + ".", "malformed JSON"},
		{"missing value", h + "." + b64(`{"sub":}`) + ".", "malformed JSON"},
		{"trailing object", h + "." + b64(`{"a":1}{"b":2}`) + ".", "trailing data"},
		{"trailing number", h + "." + b64(`{"a":1} 2`) + ".", "trailing data"},
		// Trailing bytes that do not form a JSON value are trailing data too.
		{"trailing garbage", h + "." + b64(`{"a":1}x`) + ".", "trailing data"},
		{"trailing brace", h + "." + b64(`{"a":1}}`) + ".", "trailing data"},
		{"trailing comma", h + "." + b64(`{"a":1},`) + ".", "trailing data"},
		{"trailing NUL", h + "." + b64("{\"a\":1}\x00") + ".", "trailing data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := parseCompact(tt.raw, parseOpts{})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("parseCompact: %v", err)
				}
				if tok.raw != tt.raw || tok.si != tt.raw[:strings.LastIndexByte(tt.raw, '.')] {
					t.Errorf("raw/si not kept: %+v", tok)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("parseCompact error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// nonCanonical encodes s (whose length is not a multiple of 3) and sets a
// bit the decoder discards in the last character: a lax decoder yields s.
func nonCanonical(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(s)%3 == 0 {
		panic("no unused bits")
	}
	e := b64(s)
	last := strings.IndexByte(alphabet, e[len(e)-1])
	out := e[:len(e)-1] + string(alphabet[last|1])
	if lax, _ := base64.RawURLEncoding.DecodeString(out); string(lax) != s || out == e {
		panic("nonCanonical: " + out)
	}
	return out
}

func TestNumericDate(t *testing.T) {
	tests := []struct {
		raw     string // "" means absent
		want    float64
		has     bool
		wantErr string
	}{
		{"", 0, false, ""},
		{`1795435200`, 1795435200, true, ""},
		{`1795435200.5`, 1795435200.5, true, ""},
		{`0`, 0, true, ""},
		{`-0`, 0, true, ""},
		{`1e9`, 1e9, true, ""},
		{`100000000000`, 1e11, true, ""},
		{`100000000001`, 0, true, "out of range"},
		{`-1`, 0, true, "out of range"},
		{`1e400`, 0, true, "out of range"},
		{`"1795435200"`, 0, true, "must be a number"},
		{`true`, 0, true, "must be a number"},
		{`null`, 0, true, "must be a number"},
		{`[1]`, 0, true, "must be a number"},
		{`{"n":1}`, 0, true, "must be a number"},
	}
	for _, tt := range tests {
		m := map[string]json.RawMessage{}
		if tt.raw != "" {
			m["exp"] = json.RawMessage(tt.raw)
		}
		got, has, err := numericDate(m, "exp")
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !has {
				t.Errorf("numericDate(%s) = %v %v %v, want error %q", tt.raw, got, has, err, tt.wantErr)
			}
			continue
		}
		if err != nil || has != tt.has || got != tt.want {
			t.Errorf("numericDate(%s) = %v %v %v, want %v %v", tt.raw, got, has, err, tt.want, tt.has)
		}
	}
}

func TestStr(t *testing.T) {
	m := map[string]json.RawMessage{"s": json.RawMessage(`"a\u0062"`), "n": json.RawMessage(`1`), "a": json.RawMessage(`["x"]`), "null": json.RawMessage(`null`)}
	if s, has, err := str(m, "s"); s != "ab" || !has || err != nil {
		t.Errorf("str(s) = %q %v %v", s, has, err)
	}
	for _, name := range []string{"n", "a", "null"} {
		if _, has, err := str(m, name); err == nil || !has {
			t.Errorf("str(%s) accepted a non-string", name)
		}
	}
	if _, has, err := str(m, "absent"); has || err != nil {
		t.Errorf("str(absent) = %v %v", has, err)
	}
}

func TestAudValues(t *testing.T) {
	tests := []struct {
		raw     string
		values  []string
		isArray bool
		ok      bool
	}{
		{"", nil, false, false},
		{`"https://as"`, []string{"https://as"}, false, true},
		{`["https://as"]`, []string{"https://as"}, true, true},
		{`["a","b"]`, []string{"a", "b"}, true, true},
		{`""`, nil, false, false},
		{`[]`, nil, true, false},
		{`["a",""]`, nil, true, false},
		{`["a",1]`, nil, true, false},
		{`[["a"]]`, nil, true, false},
		{`null`, nil, false, false},
		{`1`, nil, false, false},
		{`{"aud":"a"}`, nil, false, false},
		{`"unterminated`, nil, false, false},
	}
	for _, tt := range tests {
		claims := map[string]json.RawMessage{}
		if tt.raw != "" {
			claims["aud"] = json.RawMessage(tt.raw)
		}
		values, isArray, ok := audValues(claims)
		if strings.Join(values, "|") != strings.Join(tt.values, "|") || isArray != tt.isArray || ok != tt.ok {
			t.Errorf("audValues(%s) = %q %v %v, want %q %v %v", tt.raw, values, isArray, ok, tt.values, tt.isArray, tt.ok)
		}
	}
}

// TestCheckTimesFarFuture: NumericDates up to the 1e11 bound numericDate
// allows must compare as far-future times. Converting through nanoseconds
// overflows int64 past the year 2262 and turned such an nbf or iat into a
// time in 1677, so "not valid until 2286" was accepted as valid now.
func TestCheckTimesFarFuture(t *testing.T) {
	clk := &testClock{now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	s := newTestServer(t, clk.Now, profile.BASE)
	now := float64(clk.Now().Unix())
	tests := []struct {
		name    string
		claims  string
		wantErr string
	}{
		{"valid", `{"exp":%now+60%,"iat":%now%,"nbf":%now%}`, ""},
		{"fractional exp", `{"exp":%now+60%.75}`, ""},
		{"nbf in 2286", `{"exp":%now+60%,"nbf":1e10}`, "not valid yet"},
		{"nbf at the bound", `{"exp":%now+60%,"nbf":1e11}`, "not valid yet"},
		{"iat in 2286", `{"exp":%now+60%,"iat":10000000000}`, "iat is in the future"},
		{"exp in 2286", `{"exp":1e10}`, "unreasonably far in the future"},
		{"exp long ago", `{"exp":1}`, "expired"},
		{"missing exp", `{"iat":%now%}`, "exp is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.NewReplacer("%now+60%", ftoa(now+60), "%now%", ftoa(now)).Replace(tt.claims)
			var claims map[string]json.RawMessage
			if err := json.Unmarshal([]byte(text), &claims); err != nil {
				t.Fatal(err)
			}
			_, rej := s.checkTimes(&token{claims: claims}, invalidClient, "", "")
			if tt.wantErr == "" {
				if rej != nil {
					t.Fatalf("rejected: %v", rej)
				}
				return
			}
			if rej == nil || !strings.Contains(rej.desc, tt.wantErr) {
				t.Fatalf("got %v, want %q", rej, tt.wantErr)
			}
		})
	}
}

func ftoa(f float64) string { return strconv.FormatInt(int64(f), 10) }
