package tokenendpoint

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/assayhq/assay/mockidp/defect"
)

// parseOpts are the parsing leniencies that catalog B's defects switch on;
// the zero value is the strict parser of RFC 7515 §7.1 and 8725bis §3.14.
type parseOpts struct {
	laxBase64   bool // padding, the standard alphabet, non-zero trailing bits
	laxSegments bool // segments after the third ignored
	emptySig    bool // a two-segment token is one with an empty signature
	firstDup    bool // duplicate members: the first wins
	foldCase    bool // member names of registered parameters folded to lower case, last wins
	laxJSON     bool // BOM, trailing data, invalid UTF-8, lone surrogates
	rejectSpace bool // whitespace in the header refused (a false rejection)
}

func (s *Server) parseOpts() parseOpts {
	return parseOpts{
		laxBase64:   s.has(defect.LaxBase64),
		laxSegments: s.has(defect.LaxSegments),
		emptySig:    s.has(defect.AcceptEmptySig),
		firstDup:    s.has(defect.FirstDuplicateWins),
		foldCase:    s.has(defect.FoldMemberCase),
		laxJSON:     s.has(defect.LaxJSON),
		rejectSpace: s.has(defect.RejectJSONSpace),
	}
}

// laxParsing reports whether a defect is on that lets through what go-jose
// would refuse, so that verification goes through verifyLax.
func (s *Server) laxParsing() bool {
	o := s.parseOpts()
	return o.laxBase64 || o.laxSegments || o.firstDup || o.foldCase || o.laxJSON ||
		s.has(defect.StripWhitespace) || s.has(defect.AcceptJSONJWS) || s.has(defect.AlgNotBound) ||
		s.has(defect.KidTypeCoercion) || // go-jose refuses a non-string kid
		s.has(defect.UnencodedPayload) || s.has(defect.AlgAlias)
}

// parse is parseCompact behind the defects that rewrite the token text
// first (whitespace removal, JSON serialization).
func (s *Server) parse(raw string) (*token, error) {
	if s.lenientParse() {
		return s.parseLenient(raw)
	}
	if s.has(defect.StripWhitespace) {
		raw = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, raw)
	}
	if s.has(defect.PolyglotClaims) && strings.HasPrefix(strings.TrimSpace(raw), "{") {
		if t, ok := polyglot(raw, s.parseOpts()); ok {
			return t, nil
		}
	}
	if s.has(defect.AcceptJSONJWS) && strings.HasPrefix(strings.TrimSpace(raw), "{") {
		raw = compactFromJSON(raw)
	}
	if t, ok := s.unencoded(raw); ok {
		return t, nil
	}
	if s.has(defect.DeepJSONCrash) && tooDeep(raw) {
		return nil, errCrash
	}
	t, err := parseCompact(raw, s.parseOpts())
	if err != nil && s.has(defect.FollowNestedJWT) {
		if nt, ok := s.nested(raw); ok {
			return nt, nil
		}
	}
	return t, err
}

// unencoded reads an RFC 7797 token (b64:false): the payload is the raw
// JSON between the first and the last dot, and is signed as such. A JWT
// payload must be base64url (8725bis §3.14); defect.UnencodedPayload
// accepts it anyway.
func (s *Server) unencoded(raw string) (*token, bool) {
	if !s.has(defect.UnencodedPayload) {
		return nil, false
	}
	i, j := strings.IndexByte(raw, '.'), strings.LastIndexByte(raw, '.')
	if i < 0 || j <= i {
		return nil, false
	}
	hb, err := base64.RawURLEncoding.DecodeString(raw[:i])
	if err != nil {
		return nil, false
	}
	h, err := decodeObject(hb, parseOpts{})
	if err != nil || string(h["b64"]) != "false" {
		return nil, false
	}
	c, err := decodeObject([]byte(raw[i+1:j]), parseOpts{})
	sig, err2 := base64.RawURLEncoding.DecodeString(raw[j+1:])
	if err != nil || err2 != nil {
		return nil, false
	}
	return &token{raw: raw, si: raw[:j], sig: sig, header: h, claims: c}, true
}

// nested follows cty:"JWT" (RFC 7519 §7.2 step 8) and takes the inner
// token's claims without verifying the inner token: the weak-inner-layer
// bug of RFC 8725 §3.3 that defect.FollowNestedJWT switches on.
func (s *Server) nested(raw string) (*token, bool) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, false
	}
	dec := base64.RawURLEncoding
	hb, err1 := dec.DecodeString(parts[0])
	pb, err2 := dec.DecodeString(parts[1])
	sig, err3 := dec.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, false
	}
	h, err := decodeObject(hb, parseOpts{})
	if err != nil || !strings.EqualFold(strings.Trim(string(h["cty"]), `"`), "JWT") {
		return nil, false
	}
	inner, err := parseCompact(string(pb), parseOpts{})
	if err != nil {
		return nil, false
	}
	return &token{raw: raw, si: parts[0] + "." + parts[1], sig: sig, header: h, claims: inner.claims}, true
}

// compactFromJSON turns a flattened or general JWS JSON serialization
// (RFC 7515 §7.2) into compact form, ignoring unprotected headers.
func compactFromJSON(raw string) string {
	var j struct {
		Payload    string `json:"payload"`
		Protected  string `json:"protected"`
		Signature  string `json:"signature"`
		Signatures []struct {
			Protected string `json:"protected"`
			Signature string `json:"signature"`
		} `json:"signatures"`
	}
	if json.Unmarshal([]byte(raw), &j) != nil {
		return raw
	}
	if len(j.Signatures) > 0 {
		j.Protected, j.Signature = j.Signatures[0].Protected, j.Signatures[0].Signature
	}
	return j.Protected + "." + j.Payload + "." + j.Signature
}

// laxBase64 decodes base64 the way lenient libraries do: either alphabet,
// padding allowed, non-zero trailing bits ignored.
type laxBase64 struct{}

func (laxBase64) DecodeString(s string) ([]byte, error) {
	s = strings.NewReplacer("+", "-", "/", "_").Replace(strings.TrimRight(s, "="))
	return base64.RawURLEncoding.DecodeString(s)
}

// foldMember maps a case variant of a registered name onto the name, as
// Go's encoding/json does when it fills a struct field.
func foldMember(k string) string {
	switch l := strings.ToLower(k); l {
	case "alg", "kid", "typ", "crit", "jwk", "jku", "x5u", "x5c", "iss", "sub", "aud", "exp", "nbf", "iat", "jti":
		return l
	}
	return k
}

// hasLoneSurrogate reports a \uD800-\uDFFF escape that is not part of a
// surrogate pair: it names no Unicode scalar value (RFC 8259 §8.2).
func hasLoneSurrogate(b []byte) bool {
	s := string(b)
	hex := func(i int) (int, bool) {
		if i+6 > len(s) || s[i] != '\\' || s[i+1] != 'u' {
			return 0, false
		}
		v := 0
		for _, c := range strings.ToLower(s[i+2 : i+6]) {
			switch {
			case c >= '0' && c <= '9':
				v = v*16 + int(c-'0')
			case c >= 'a' && c <= 'f':
				v = v*16 + int(c-'a'+10)
			default:
				return 0, false
			}
		}
		return v, true
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == '\\' {
			i++
			continue
		}
		v, ok := hex(i)
		if !ok {
			continue
		}
		switch {
		case v >= 0xD800 && v <= 0xDBFF:
			if w, ok := hex(i + 6); ok && w >= 0xDC00 && w <= 0xDFFF {
				i += 11
				continue
			}
			return true
		case v >= 0xDC00 && v <= 0xDFFF:
			return true
		}
	}
	return false
}

// errCrash stands for a parser that ran out of stack: the request ends in
// a 500 (defect.DeepJSONCrash).
var errCrash = errors.New("parser stack exhausted")

// crash turns e into the 500 of a crashed parser when err is errCrash.
func (s *Server) crash(e *rejection, err error) {
	if errors.Is(err, errCrash) {
		e.status = http.StatusInternalServerError
	}
}

// tooDeep reports claims nested deeper than a recursive parser survives.
func tooDeep(raw string) bool {
	parts := strings.Split(raw, ".")
	if len(parts) < 2 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	depth := 0
	for _, c := range b {
		switch c {
		case '[', '{':
			if depth++; depth > 1000 {
				return true
			}
		case ']', '}':
			depth--
		}
	}
	return false
}

// polyglot is defect.PolyglotClaims (CVE-2022-39227, python-jwt): the
// signature is checked on the JSON serialization, but the claims are read
// by splitting the raw text on dots and decoding the second piece with
// every non-base64url character dropped. A JSON object whose first member
// name is "<header>.<forged claims>." passes both readers.
func polyglot(raw string, o parseOpts) (*token, bool) {
	t, err := parseCompact(compactFromJSON(raw), o)
	if err != nil {
		return nil, false
	}
	parts := strings.Split(raw, ".")
	if len(parts) < 3 {
		return t, true
	}
	kept := strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return -1
	}, parts[1])
	b, err := base64.RawURLEncoding.DecodeString(kept)
	if err != nil {
		return t, true
	}
	if claims, err := decodeObject(b, o); err == nil {
		t.claims = claims
	}
	return t, true
}
