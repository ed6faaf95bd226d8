package client

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Redacted returns a copy of the exchange fit to show (semantics.md §7):
// client secrets become $ASSAY_CLIENT_SECRET, Basic credentials
// $ASSAY_BASIC_CREDENTIALS, signed assertions lose their signature, issued
// tokens are shortened, and private key members and any of secrets are
// masked wherever they appear, in the URL, headers, bodies and the
// transport error (which keeps only its redacted text). Findings and
// Remarks are redacted too; Related is not copied: each related transcript
// is an exchange of its own, redacted on its own.
func (t *Transcript) Redacted(secrets []string) *Transcript {
	out := &Transcript{
		Method:    t.Method,
		URL:       Redact(redactURL(t.URL), secrets),
		ReqHeader: redactHeader(t.ReqHeader, secrets),
		ReqBody:   []byte(Redact(redactRequestBody(string(t.ReqBody), t.ReqHeader), secrets)),
		Status:    t.Status,
		Header:    redactHeader(t.Header, secrets),
		Body:      []byte(RedactText(string(t.Body), secrets)),
		Truncated: t.Truncated,
		Duration:  t.Duration,
	}
	if t.Err != nil {
		out.Err = errors.New(RedactText(t.Err.Error(), secrets))
	}
	for _, f := range t.Findings {
		out.Findings = append(out.Findings, Redact(f, secrets))
	}
	for _, r := range t.Remarks {
		out.Remarks = append(out.Remarks, Redact(r, secrets))
	}
	return out
}

var credentialParams = map[string]string{
	"client_secret":    "$ASSAY_CLIENT_SECRET",
	"client_assertion": "",
	"assertion":        "",
	"password":         "$ASSAY_PASSWORD",
	// An issued token sent for introspection (RFC 7662 §2.1) or
	// revocation (RFC 7009 §2.1): shortened by ShortenToken.
	"token": "",
}

// ShortenJWT keeps a JWT's header and claims (they explain the row) and
// drops its signature, so a report never carries a replayable credential.
func ShortenJWT(s string) string {
	parts := strings.Split(s, ".")
	if len(parts) == 3 && len(parts[2]) > 0 {
		return parts[0] + "." + parts[1] + ".<signature redacted>"
	}
	if len(s) > 24 {
		return s[:12] + "…<redacted>"
	}
	return s
}

// ShortenToken is ShortenJWT for a credential the target issued (an access,
// refresh or ID token, a bearer token): a JWT keeps its header and claims;
// an opaque value keeps at most a quarter of itself, up to 12 bytes, as a
// hint, and a value under 8 bytes keeps nothing.
func ShortenToken(s string) string {
	parts := strings.Split(s, ".")
	if len(parts) == 3 && len(parts[2]) > 0 && strings.HasPrefix(s, "eyJ") {
		return parts[0] + "." + parts[1] + ".<signature redacted>"
	}
	if len(s) < 8 {
		if s == "" {
			return s
		}
		return "<redacted>"
	}
	return s[:min(len(s)/4, 12)] + "…<redacted>"
}

func redactForm(body string, h http.Header) string {
	if body == "" || !strings.HasPrefix(h.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return body
	}
	parts := strings.Split(body, "&")
	for i, p := range parts {
		name, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		n, _ := url.QueryUnescape(name)
		repl, sensitive := credentialParams[n]
		if !sensitive {
			continue
		}
		if repl == "" {
			v, _ := url.QueryUnescape(val)
			shorten := ShortenJWT
			if n == "token" {
				shorten = ShortenToken
			}
			repl = url.QueryEscape(shorten(v))
		}
		parts[i] = name + "=" + repl
	}
	return strings.Join(parts, "&")
}

// redactRequestBody redacts a form body by parameter name, and any other
// body (A-TE-05 sends the parameters as JSON) by JSON member name.
func redactRequestBody(body string, h http.Header) string {
	if strings.HasPrefix(h.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return redactForm(body, h)
	}
	return redactJSONBody(body)
}

func redactURL(u string) string {
	base, q, ok := strings.Cut(u, "?")
	if !ok {
		return u
	}
	return base + "?" + redactForm(q, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
}

func redactHeader(h http.Header, secrets []string) http.Header {
	if len(h) == 0 {
		return nil
	}
	out := http.Header{}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			switch {
			case strings.EqualFold(k, "Authorization") && strings.HasPrefix(strings.ToLower(v), "basic "):
				id, ok := basicUser(v)
				v = "Basic $ASSAY_BASIC_CREDENTIALS"
				if ok {
					v += " (client " + id + ")"
				}
			case strings.EqualFold(k, "Authorization"):
				scheme, tok, _ := strings.Cut(v, " ")
				v = scheme + " " + ShortenToken(tok)
			case strings.EqualFold(k, "Cookie"), strings.EqualFold(k, "Set-Cookie"):
				v = "<redacted>"
			default:
				// Any other header is free text: a debugging server may
				// echo credentials in one.
				out[k] = append(out[k], RedactText(v, secrets))
				continue
			}
			out[k] = append(out[k], Redact(v, secrets))
		}
	}
	return out
}

func basicUser(v string) (string, bool) {
	_, enc, _ := strings.Cut(v, " ")
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return "", false
	}
	id, _, ok := strings.Cut(string(b), ":")
	return id, ok
}

var (
	tokenMember   = regexp.MustCompile(`"(access_token|refresh_token|id_token|client_secret|registration_access_token|client_assertion|assertion|password)"\s*:\s*"([^"]*)"`)
	privateMember = regexp.MustCompile(`"(d|p|q|dp|dq|qi|k)"\s*:\s*"[^"]*"`)
)

func redactJSONBody(b string) string {
	b = tokenMember.ReplaceAllStringFunc(b, func(m string) string {
		sub := tokenMember.FindStringSubmatch(m)
		if sub[1] == "client_secret" || sub[1] == "registration_access_token" || sub[1] == "password" {
			return `"` + sub[1] + `":"<redacted>"`
		}
		if sub[1] == "client_assertion" || sub[1] == "assertion" {
			return `"` + sub[1] + `":"` + ShortenJWT(sub[2]) + `"`
		}
		return `"` + sub[1] + `":"` + ShortenToken(sub[2]) + `"`
	})
	return privateMember.ReplaceAllString(b, `"$1":"<redacted>"`)
}

// replaceJWTs rewrites every JWS in compact form anywhere in free text
// with f's answer: a target that echoes the assertion in
// error_description, a header or an HTML page must not turn the report
// into a replayable credential. A JWS is what the regular expression
// eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{8,} matches, left
// to right without overlaps; it is scanned by hand because a body can be
// a megabyte and every exchange of a run is redacted.
func replaceJWTs(s string, f func(string) string) string {
	var b strings.Builder
	last, i := 0, 0
	for {
		j := strings.Index(s[i:], "eyJ")
		if j < 0 {
			break
		}
		start := i + j
		end, ok := jwsAt(s, start)
		if !ok {
			i = start + 1
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(f(s[start:end]))
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// jwsAt reports where the JWS starting with "eyJ" at i ends. The match is
// unique: no base64url character is the "." that ends a segment, so each
// segment is the whole run of them.
func jwsAt(s string, i int) (int, bool) {
	p := i + 3
	n := base64URLRun(s, p) // the header's rest: 2 or more
	if n < 2 || p+n >= len(s) || s[p+n] != '.' {
		return 0, false
	}
	p += n + 1
	n = base64URLRun(s, p) // the payload: any
	if p+n >= len(s) || s[p+n] != '.' {
		return 0, false
	}
	p += n + 1
	n = base64URLRun(s, p) // the signature: 8 or more
	if n < 8 {
		return 0, false
	}
	return p + n, true
}

// base64URLRun is the length of the run of [A-Za-z0-9_-] at s[p:].
func base64URLRun(s string, p int) int {
	n := 0
	for p+n < len(s) {
		c := s[p+n]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			break
		}
		n++
	}
	return n
}

// Redact masks every occurrence of any of secrets in s, also in its JSON
// string and URL-encoded spellings (a target may echo a secret inside a JSON
// error or a form body), and drops the signature of every signed JWT in s.
func Redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) < 6 {
			continue
		}
		for _, form := range spellings(sec) {
			s = strings.ReplaceAll(s, form, "<redacted>")
		}
	}
	return replaceJWTs(s, ShortenJWT)
}

// spellings lists sec as written raw, inside a JSON string (with and
// without HTML escaping), and URL-encoded as a query value or path segment.
func spellings(sec string) []string {
	out := []string{sec}
	add := func(f string) {
		for _, o := range out {
			if o == f {
				return
			}
		}
		out = append(out, f)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(sec)
	add(strings.TrimSuffix(strings.TrimSuffix(b.String(), "\n")[1:], `"`))
	if j, err := json.Marshal(sec); err == nil {
		add(string(j[1 : len(j)-1]))
	}
	add(url.QueryEscape(sec))
	add(url.PathEscape(sec))
	return out
}

var (
	// pemPrivate is a PEM private key block, also as written inside a JSON
	// string (newlines as \n).
	pemPrivate = regexp.MustCompile(`-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----(?s:.*?)-----END [A-Z0-9 ]*PRIVATE KEY-----`)
	// escapedMember is a credential or private key member of a JSON object
	// that was itself put in a JSON string (a log line holding a JWK).
	escapedMember = regexp.MustCompile(`\\+"(d|p|q|dp|dq|qi|k|client_secret|access_token|refresh_token|id_token|registration_access_token|password)\\+"\s*:\s*\\+"[^"\\]*\\+"`)
	basicAuth     = regexp.MustCompile(`(?i)\b(basic)(\s+|%20|\+)([A-Za-z0-9+/_-]{8,}={0,2})`)
	bearerAuth    = regexp.MustCompile(`(?i)\b(bearer)(\s+|%20|\+)([A-Za-z0-9._~+/-]{8,})`)
)

// RedactText is Redact for free text the target wrote: its log output, an
// HTML or plain-text error page, a transport error. Besides the secrets and
// signed JWTs it masks what a server's log may carry: PEM private keys, JWK
// private members and credentials in JSON (also JSON inside a JSON string),
// Basic credentials and bearer tokens.
func RedactText(s string, secrets []string) string {
	s = Redact(s, secrets)
	s = pemPrivate.ReplaceAllString(s, "-----BEGIN ${1}PRIVATE KEY----- <redacted> -----END ${1}PRIVATE KEY-----")
	s = redactJSONBody(s)
	s = escapedMember.ReplaceAllStringFunc(s, func(m string) string {
		name := escapedMember.FindStringSubmatch(m)[1]
		return `\"` + name + `\":\"<redacted>\"`
	})
	s = replaceCredential(s, basicAuth, func(tok string) string {
		if !basicCredential(tok) {
			return tok
		}
		return "<redacted>"
	})
	return replaceCredential(s, bearerAuth, func(tok string) string {
		if !tokenLike(tok) {
			return tok
		}
		return ShortenToken(tok)
	})
}

// replaceCredential rewrites the credential (third group) of every match of
// re in s with repl's answer, unless it is a parameter name (followed by
// `="`, as in a WWW-Authenticate challenge).
func replaceCredential(s string, re *regexp.Regexp, repl func(string) string) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		tok := s[m[6]:m[7]]
		if strings.HasPrefix(s[m[7]:], `="`) || strings.HasPrefix(s[m[7]:], `=\"`) {
			continue
		}
		b.WriteString(s[last:m[6]])
		b.WriteString(repl(tok))
		last = m[7]
	}
	b.WriteString(s[last:])
	return b.String()
}

// basicCredential reports whether tok decodes to "id:secret" (RFC 7617 §2).
func basicCredential(tok string) bool {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(tok); err == nil {
			return strings.Contains(string(b), ":")
		}
	}
	return false
}

// tokenLike tells a token from an English word after "Bearer": a token has
// a digit, a punctuation character of the b64token alphabet (RFC 6750 §2.1)
// or a capital letter after its first character.
func tokenLike(tok string) bool {
	return strings.ContainsAny(tok, "0123456789.-_~+/") || strings.ToLower(tok[1:]) != tok[1:]
}
