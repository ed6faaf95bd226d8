package check

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Kinds of token a verifier takes (VerifierTarget.Kind).
const (
	// AccessTokens: RFC 9068 JWT access tokens, typ at+jwt (the default).
	AccessTokens = "access"
	// IDTokens: OpenID Connect ID Tokens, verified by a relying party
	// whose client_id is the audience (OIDC Core §3.1.3.7).
	IDTokens = "id_token"
	// PlainJWTs: any JWT the verifier trusts by its signature and claims
	// (RFC 7519), e.g. a third party's JWT at a policy decision point.
	PlainJWTs = "jwt"
)

// Where the token goes in the request (VerifierTarget.Placement).
const (
	InBearer = "bearer" // Authorization: Bearer (RFC 6750 §2.1), the default
	InForm   = "form"   // a form field of a POST body (Field)
	InJSON   = "json"   // a JSON body template, at every TokenPlaceholder
)

// TokenPlaceholder marks where the token goes in a JSON body template; it
// is replaced by the token as a JSON string's contents (no quotes added).
const TokenPlaceholder = "${token}"

// VerifierTarget is a URL on the target that verifies JWTs assay's token
// issuer signs: a resource server taking Bearer tokens (RFC 6750 §2.1), a
// relying party taking ID Tokens, a policy decision point taking a JWT in
// a JSON body. Zero values mean a Bearer access-token verifier answering
// 2xx when it accepts.
type VerifierTarget struct {
	URL      string
	Audience string // the aud the verifier wants (an RP's client_id)
	Kind     string // AccessTokens (default), IDTokens or PlainJWTs

	Method string      // default GET for InBearer, POST otherwise
	Header http.Header // sent with every request
	// SecretHeaders name the headers whose values are secrets (a session
	// token): reports redact them.
	SecretHeaders []string
	Placement     string // InBearer (default), InForm or InJSON
	Field         string // InForm: the form field's name
	Body          string // InJSON: the body, with TokenPlaceholder

	// Allow says which answers mean the token was accepted; the zero rule
	// is any 2xx. Deny, when set, says which mean it was refused; an
	// answer matching neither is then not judged (ERROR). Allow wins when
	// both match.
	Allow Rule
	Deny  *Rule

	// Scope is a scope the resource requires: a token without it must be
	// refused with 403 insufficient_scope (RFC 6750 §3.1). "" means none.
	Scope string
	// Claims are claims the verifier requires with these values (a Role,
	// a tenant): every token carries them, the claim rows break them.
	Claims map[string]string
	// Nonce is the nonce the relying party expects in ID Tokens (OIDC Core
	// §3.1.3.7 item 11); "" means it checks none.
	Nonce string
}

// TokenKind is Kind with its default.
func (v VerifierTarget) TokenKind() string {
	if v.Kind == "" {
		return AccessTokens
	}
	return v.Kind
}

// Where is Placement with its default.
func (v VerifierTarget) Where() string {
	if v.Placement == "" {
		return InBearer
	}
	return v.Placement
}

// Bearer says the token goes in the Authorization header, so that RFC 6750
// §3's challenge (WWW-Authenticate: Bearer) applies.
func (v VerifierTarget) Bearer() bool { return v.Where() == InBearer }

// Rule matches a verifier's answer: by status (any of Status; none listed
// means any 2xx), and, when Pointer is set, by the JSON value at that RFC
// 6901 pointer in the body being equal to Value.
type Rule struct {
	Status  []int
	Pointer string
	Value   json.RawMessage
}

// Match reports whether an answer with this status and body matches.
func (r Rule) Match(status int, body []byte) bool {
	if len(r.Status) == 0 && (status < 200 || status > 299) {
		return false
	}
	if len(r.Status) > 0 && !slices.Contains(r.Status, status) {
		return false
	}
	if r.Pointer == "" {
		return true
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return false
	}
	got, ok := Pointer(doc, r.Pointer)
	if !ok {
		return false
	}
	var want any
	if err := json.Unmarshal(r.Value, &want); err != nil {
		return false
	}
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(want)
	return bytes.Equal(a, b)
}

// String is the rule in words, for reasons.
func (r Rule) String() string {
	var parts []string
	if len(r.Status) == 0 {
		parts = append(parts, "HTTP 2xx")
	} else {
		var ss []string
		for _, s := range r.Status {
			ss = append(ss, strconv.Itoa(s))
		}
		parts = append(parts, "HTTP "+strings.Join(ss, " or "))
	}
	if r.Pointer != "" {
		parts = append(parts, r.Pointer+" = "+string(r.Value))
	}
	return strings.Join(parts, " and ")
}

// Pointer resolves an RFC 6901 JSON pointer in a decoded JSON document.
func Pointer(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	cur := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}
