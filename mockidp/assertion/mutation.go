package assertion

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp/keys"
)

// Value is a claim or header value resolved against the draft when the
// mutation runs, so that static rows can name target-dependent values.
type Value func(d *Draft) any

// Symbols for target-dependent values.
var (
	Issuer        Value = func(d *Draft) any { return d.Target.Issuer }
	TokenEndpoint Value = func(d *Draft) any { return d.Target.TokenEndpoint }
	ClientID      Value = func(d *Draft) any { return d.Target.ClientID }
	OtherClientID Value = func(d *Draft) any { return d.Target.OtherClientID }
	TrustedIssuer Value = func(d *Draft) any { return d.Target.TrustedIssuer }
)

// IssuerPlus is the issuer identifier with suffix appended.
func IssuerPlus(suffix string) Value {
	return func(d *Draft) any { return d.Target.Issuer + suffix }
}

// At is the NumericDate now+offset, in whole seconds.
func At(offset time.Duration) Value {
	return func(d *Draft) any { return d.Now.Add(offset).Unix() }
}

// Array resolves each element and returns them as a JSON array.
func Array(vs ...any) Value {
	return func(d *Draft) any {
		out := make([]any, len(vs))
		for i, v := range vs {
			out[i] = resolve(d, v)
		}
		return out
	}
}

func resolve(d *Draft, v any) any {
	if f, ok := v.(Value); ok {
		return f(d)
	}
	if f, ok := v.(func(*Draft) any); ok {
		return f(d)
	}
	return v
}

// Claim sets claim name to v (a literal or a Value).
func Claim(name string, v any) Mutation {
	return func(d *Draft) { d.Claims = d.Claims.Set(name, resolve(d, v)) }
}

// DropClaim removes claim name.
func DropClaim(name string) Mutation {
	return func(d *Draft) { d.Claims = d.Claims.Remove(name) }
}

// AddClaim appends a duplicate member name: v after the existing ones.
func AddClaim(name string, v any) Mutation {
	return func(d *Draft) { d.Claims = d.Claims.Add(name, resolve(d, v)) }
}

// Header sets header parameter name to v.
func Header(name string, v any) Mutation {
	return func(d *Draft) { d.Header = d.Header.Set(name, resolve(d, v)) }
}

// DropHeader removes header parameter name.
func DropHeader(name string) Mutation {
	return func(d *Draft) { d.Header = d.Header.Remove(name) }
}

// AddHeader appends a duplicate header member.
func AddHeader(name string, v any) Mutation {
	return func(d *Draft) { d.Header = d.Header.Add(name, resolve(d, v)) }
}

// Audience sets "aud". RFC 7523 §3 item 3 requires the server to reject an
// assertion whose aud does not identify it; 7523bis §4 narrows that to the
// issuer identifier as the sole value for client authentication.
func Audience(values ...any) Mutation {
	if len(values) == 1 {
		return Claim("aud", values[0])
	}
	return Claim("aud", Array(values...))
}

// Expires sets "exp" to now+offset.
func Expires(offset time.Duration) Mutation { return Claim("exp", At(offset)) }

// IssuedAt sets "iat" to now+offset.
func IssuedAt(offset time.Duration) Mutation { return Claim("iat", At(offset)) }

// NotBefore sets "nbf" to now+offset.
func NotBefore(offset time.Duration) Mutation { return Claim("nbf", At(offset)) }

// SignWith signs with k, and sets alg and kid in the header from it.
func SignWith(k keys.Key) Mutation {
	return func(d *Draft) {
		d.Key = k
		d.Header = d.Header.Set("alg", k.Alg()).Set("kid", k.ID())
	}
}

// SignWithKeyOnly signs with k but leaves the header as it is (a kid that
// names one key, a signature by another).
func SignWithKeyOnly(k keys.Key) Mutation {
	return func(d *Draft) { d.Key = k }
}

// SignAlg computes the signature with alg whatever the header says.
func SignAlg(alg string) Mutation { return func(d *Draft) { d.SignAlg = alg } }

// HMAC signs with HS256 keyed by secret and sets alg accordingly.
func HMAC(secret []byte) Mutation {
	return func(d *Draft) {
		d.Secret = secret
		d.Header = d.Header.Set("alg", "HS256")
	}
}

// Unsigned sets alg to the given spelling of "none" and an empty signature.
func Unsigned(alg string) Mutation {
	return func(d *Draft) {
		d.Header = d.Header.Set("alg", alg).Remove("kid")
		d.SignAlg = "none"
	}
}

// RawHeader replaces the header segment's JSON text.
func RawHeader(text string) Mutation { return func(d *Draft) { d.RawHeader = []byte(text) } }

// RawClaims replaces the claims segment's JSON text.
func RawClaims(text string) Mutation { return func(d *Draft) { d.RawClaims = []byte(text) } }

// EditClaims transforms the claims JSON text after the object is rendered.
func EditClaims(f func(d *Draft, text string) string) Mutation {
	return func(d *Draft) { d.RawClaims = []byte(f(d, string(d.ClaimsBytes()))) }
}

// EditHeader transforms the header JSON text after the object is rendered.
func EditHeader(f func(d *Draft, text string) string) Mutation {
	return func(d *Draft) { d.RawHeader = []byte(f(d, string(d.HeaderBytes()))) }
}

// Finish transforms the final token text.
func Finish(f func(token string) string) Mutation { return func(d *Draft) { d.Finish = f } }

// FlipSignatureBit flips the lowest bit of the last signature byte
// (RFC 7523 §3 item 9: an invalid signature must be rejected).
var FlipSignatureBit Mutation = func(d *Draft) {
	prev := d.Finish
	d.Finish = func(tok string) string {
		if prev != nil {
			tok = prev(tok)
		}
		i := strings.LastIndexByte(tok, '.')
		sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
		if err != nil || len(sig) == 0 {
			return tok
		}
		sig[len(sig)-1] ^= 0x01
		return tok[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
	}
}
