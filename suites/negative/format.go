package negative

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// formatAttacks is catalog B.6: encoding, segment structure and JSON
// well-formedness (RFC 7515 §2, §5.2, §7; RFC 8725 §3.7; 8725bis §3.14).
// The base64 rows sign the exact non-canonical text, so only the
// decoder's leniency differs from a valid token.
func formatAttacks() []check.Row {
	fmtCite := cite("RFC7515-2", "RFC8725bis-3.14")
	// plusSlash adds a claim whose encoding holds '-' and '_' in base64url,
	// so that the standard alphabet visibly differs.
	plusSlash := assertion.Claim("x_b64", "?>?>?>?>?>?>?>?>?>")
	as := []check.Row{
		{Check: check.Check{ID: "B-FMT-01.1", Title: "rejects segments with base64 padding",
			Cite: fmtCite, Defect: defect.LaxBase64},
			Send: check.Mutate(encodeWith(func(b []byte) string { return base64.URLEncoding.EncodeToString(b) + "=" }))},
		{Check: check.Check{ID: "B-FMT-01.2", Title: "rejects segments in the standard base64 alphabet (+ and /)",
			Cite: fmtCite, Defect: defect.LaxBase64},
			Send: check.Mutate(plusSlash, encodeWith(base64.RawStdEncoding.EncodeToString))},
		{Check: check.Check{ID: "B-FMT-01.3", Title: "rejects segments in padded standard base64",
			Cite: fmtCite, Defect: defect.LaxBase64},
			Send: check.Mutate(plusSlash, encodeWith(func(b []byte) string { return base64.StdEncoding.EncodeToString(b) + "=" }))},
		// RFC 4648 §3.5: decoders MAY reject non-zero pad bits; the
		// signature covers the bytes sent, so accepting them is lenient,
		// not a forgery: SHOULD.
		{Check: check.Check{ID: "B-FMT-03.1", Title: "rejects a header segment with non-zero trailing bits", Level: check.SHOULD,
			Cite: fmtCite, Defect: defect.LaxBase64},
			Send: check.Mutate(trailingBits(0))},
		{Check: check.Check{ID: "B-FMT-03.2", Title: "rejects a payload segment with non-zero trailing bits", Level: check.SHOULD,
			Cite: fmtCite, Defect: defect.LaxBase64},
			Send: check.Mutate(trailingBits(1))},
		{Check: check.Check{ID: "B-FMT-04.1", Title: "rejects a token with an extra empty segment (h.p.s.)",
			Cite: cite("RFC7515-7.1"), Defect: defect.LaxSegments},
			Send: check.Mutate(finish(func(t string) string { return t + "." }))},
		{Check: check.Check{ID: "B-FMT-04.2", Title: "rejects a token with an extra segment (h.p.s.foo)",
			Cite: cite("RFC7515-7.1"), Defect: defect.LaxSegments},
			Send: check.Mutate(finish(func(t string) string { return t + ".Zm9v" }))},
		{Check: check.Check{ID: "B-FMT-06.1", Title: "rejects the flattened JWS JSON serialization",
			Cite: cite("RFC7519-7.2", "RFC8725bis-3.14"), Defect: defect.AcceptJSONJWS},
			Send: check.Mutate(finish(func(t string) string {
				p := segments(t)
				return fmt.Sprintf(`{"payload":%q,"protected":%q,"signature":%q}`, p[1], p[0], p[2])
			}))},
		{Check: check.Check{ID: "B-FMT-06.2", Title: "rejects the general JWS JSON serialization with an unprotected alg none",
			Cite: cite("RFC7519-7.2", "RFC8725bis-3.14"), Defect: defect.AcceptJSONJWS},
			Send: check.Mutate(finish(func(t string) string {
				p := segments(t)
				return fmt.Sprintf(`{"payload":%q,"signatures":[{"protected":%q,"header":{"alg":"none"},"signature":%q}]}`, p[1], p[0], p[2])
			}))},
		{Check: check.Check{ID: "B-FMT-07", Title: "rejects a compact/JSON polyglot: an expired assertion whose member name carries a fresh exp and jti (CVE-2022-39227)",
			Cite: cite("RFC8725bis-2.13", "RFC7519-7.2"), Defect: defect.PolyglotClaims},
			Send: check.MutateWith(polyglotToken)},
		{Check: check.Check{ID: "B-FMT-08", Title: "accepts legal JSON whitespace inside the header",
			Cite: cite("RFC7515-4", "RFC8259-2"), Defect: defect.RejectJSONSpace},
			Want: expect.Everywhere(issuedTo(clientA)),
			Send: check.Mutate(assertion.EditHeader(func(_ *assertion.Draft, h string) string {
				h = strings.ReplaceAll(h, `":`, `" : `)
				return " " + strings.ReplaceAll(h, `,"`, " ,\n\t\"") + " "
			}))},
	}
	for i, v := range []struct {
		name string
		f    func(t string) string
	}{
		{"a leading space", func(t string) string { return " " + t }},
		{"a trailing newline", func(t string) string { return t + "\n" }},
		{"CR LF after the first dot", func(t string) string { return strings.Replace(t, ".", ".\r\n", 1) }},
		{"a space inside the signature", func(t string) string { i := strings.LastIndexByte(t, '.') + 4; return t[:i] + " " + t[i:] }},
		{"a TAB before the second dot", func(t string) string { i := strings.LastIndexByte(t, '.'); return t[:i] + "\t" + t[i:] }},
	} {
		as = append(as, check.Row{Check: check.Check{ID: variant("B-FMT-02", i), Title: "rejects a token with " + v.name,
			Cite: cite("RFC7515-5.2", "RFC8725bis-3.14"), Defect: defect.StripWhitespace},
			Send: check.Mutate(finish(v.f))})
	}
	for i, v := range []struct {
		name  string
		f     func(claims string) string
		level check.Level
	}{
		// RFC 8259 §8.1: a parser MAY ignore a byte order mark: SHOULD.
		{name: "a byte order mark", f: func(c string) string { return "\xef\xbb\xbf" + c }, level: check.SHOULD},
		{name: "trailing data after the object", f: func(c string) string { return c + "garbage" }},
		{name: "invalid UTF-8 (0xC0 0xAF) in a string", f: func(c string) string { return `{"x_bad":"` + "\xc0\xaf" + `",` + c[1:] }},
	} {
		v := v
		as = append(as, check.Row{Check: check.Check{ID: variant("B-FMT-05", i), Title: "rejects claims JSON with " + v.name, Level: v.level,
			Cite: cite("RFC8725-3.7", "RFC7519-7.2"), Defect: defect.LaxJSON},
			Send: check.Mutate(assertion.EditClaims(func(_ *assertion.Draft, c string) string { return v.f(c) }))})
	}
	return as
}

// encodeWith sets the segment encoder; the signature covers its output.
func encodeWith(f func(b []byte) string) assertion.Mutation {
	return func(d *assertion.Draft) { d.EncodeSegment = f }
}

// trailingBits encodes segment which (0 header, 1 payload) so that its last
// character carries non-zero unused bits: the JSON is padded with legal
// whitespace until its length leaves unused bits, then the lowest bit of
// the last character's value is set.
func trailingBits(which int) assertion.Mutation {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	return func(d *assertion.Draft) {
		n := 0
		d.EncodeSegment = func(b []byte) string {
			i := n
			n++
			if i%2 != which {
				return b64(b)
			}
			for len(b)%3 == 0 {
				b = append(b, ' ')
			}
			s := []byte(b64(b))
			last := strings.IndexByte(alphabet, s[len(s)-1])
			s[len(s)-1] = alphabet[last|1]
			return string(s)
		}
	}
}

// polyglotToken is the python-jwt shape: a JWS JSON serialization of the
// valid assertion whose first member name is "<header>.<forged claims>.".
// The signed claims expired a minute ago; the forged ones are the same with
// a fresh jti and a later exp, i.e. a captured assertion revived. A reader
// that splits the raw text on dots sees the forged claims, a JSON reader
// verifies the genuine signature; a server that merely accepts the JSON
// serialization still refuses the expired claims.
func polyglotToken(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
	jti, err := assertion.NewJTI(e.Rand)
	if err != nil {
		return nil, err
	}
	exp := e.Clock().Add(4 * time.Minute).Unix()
	return []assertion.Mutation{assertion.Claim("exp", assertion.At(-time.Minute)), func(d *assertion.Draft) {
		d.Finish = func(t string) string {
			p := segments(t)
			forged := string(d.Claims.Set("jti", "forged-"+jti).Set("exp", exp).Bytes())
			return fmt.Sprintf(`{%q:"","protected":%q,"payload":%q,"signature":%q}`, p[0]+"."+b64([]byte(forged))+".", p[0], p[1], p[2])
		}
	}}, nil
}
