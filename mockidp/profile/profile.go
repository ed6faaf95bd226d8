// Package profile names the versions of the rules a run applies (catalog.md
// §0.1) and holds, in one table, what each one requires of a client
// assertion. The checks read the table to know what to expect and the
// reference token endpoint reads it to know what to enforce, so the two
// cannot disagree about a profile.
package profile

import (
	"fmt"
	"slices"
	"strings"
)

// Profile selects which version of the rules a run applies.
type Profile string

// Profiles (catalog.md §0.1).
const (
	BASE   Profile = "BASE"    // RFC 7523 as published
	OIDC   Profile = "OIDC"    // OpenID Connect Core §9, errata set 2
	OIDCE3 Profile = "OIDC-E3" // OpenID Connect Core §9, errata set 3
	BIS    Profile = "BIS"     // draft-ietf-oauth-rfc7523bis
	FAPI2  Profile = "FAPI2"   // FAPI 2.0 Security Profile
	BCP    Profile = "BCP"     // RFC 9700 best current practice, adopting 7523bis
)

// All lists every profile in documentation order.
func All() []Profile { return []Profile{BASE, OIDC, OIDCE3, BIS, FAPI2, BCP} }

// Names is the list of profile names for help and error text.
func Names() string {
	names := make([]string, 0, len(All()))
	for _, p := range All() {
		names = append(names, string(p))
	}
	return strings.Join(names, ", ")
}

// Parse returns the profile named s (exact spelling).
func Parse(s string) (Profile, error) {
	for _, p := range All() {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown profile %q (want one of %s)", s, Names())
}

// Rules are what a profile requires of a client assertion (catalog.md §0.2).
// The reference token endpoint enforces each rule in the profiles that set
// it, except ClockWindow and BoundedLifetime, which it applies under every
// profile: refusing there is conformant too, and the rows that judge them
// do not apply where the rule is unset.
type Rules struct {
	// IssuerAudience: the issuer identifier is the one valid audience;
	// the token endpoint URL and an array naming anyone else are refused
	// (7523bis §4; OIDC Core §9 errata 3; FAPI 2.0 SP §5.3.2.1 item 8; RFC
	// 9700 adopting 7523bis). Otherwise the token endpoint URL is the
	// default audience and the issuer is also accepted (RFC 7523 §3 item 3).
	IssuerAudience bool
	// AudienceString: aud is a string, not a one-element array. FAPI 2.0
	// SP §5.3.2.1 item 8 has the server accept the issuer only as a
	// string; OIDC Core §9 errata 3 asks the string of the client, so a
	// server may refuse the array there (the reference does) or accept it.
	AudienceString bool
	// RequireJTI: a jti is required and used once (OIDC Core §9; RFC 7523
	// §3 item 7 leaves it optional).
	RequireJTI bool
	// Typed: the assertion carries typ client-authentication+jwt (7523bis
	// §4).
	Typed bool
	// ClockWindow: iat and nbf up to 10 s ahead are accepted and an iat
	// more than 60 s ahead is refused (FAPI 2.0 SP §5.3.2.1 item 13);
	// RFC 7519 §4.1.6 sets no rule.
	ClockWindow bool
	// OpenIDDiscovery: the profile reads OpenID Connect Discovery 1.0
	// metadata (its required members, its well-known location first);
	// the others read RFC 8414 first.
	OpenIDDiscovery bool
	// BoundedLifetime: an exp unreasonably far in the future is refused,
	// the declared policy RFC 7523 §3 item 4 allows (MAY).
	BoundedLifetime bool
	// SigningAlgs are the only client-assertion algorithms allowed; nil
	// allows any (FAPI 2.0 SP §5.4.1: PS256, ES256 and EdDSA).
	SigningAlgs []string
	// PrivateKeyJWTOnly: clients authenticate with private_key_jwt only
	// (FAPI 2.0 SP §5.3.2.1 item 6 allows it or mTLS, which assay does not
	// test).
	PrivateKeyJWTOnly bool
}

// AllowsAlg reports whether alg may sign a client assertion.
func (r Rules) AllowsAlg(alg string) bool {
	return r.SigningAlgs == nil || slices.Contains(r.SigningAlgs, alg)
}

// Rules returns the profile's rules; an unknown profile has none.
func (p Profile) Rules() Rules {
	switch p {
	case OIDC:
		return Rules{RequireJTI: true, OpenIDDiscovery: true}
	case OIDCE3:
		return Rules{IssuerAudience: true, AudienceString: true, RequireJTI: true, OpenIDDiscovery: true}
	case BIS:
		return Rules{IssuerAudience: true, Typed: true}
	case FAPI2:
		return Rules{IssuerAudience: true, AudienceString: true, RequireJTI: true, ClockWindow: true, OpenIDDiscovery: true,
			SigningAlgs: []string{"PS256", "ES256", "EdDSA"}, PrivateKeyJWTOnly: true}
	case BCP:
		return Rules{IssuerAudience: true, Typed: true, BoundedLifetime: true}
	}
	return Rules{}
}

// Where lists the profiles whose rules satisfy rule, in documentation
// order: Where(func(r Rules) bool { return r.RequireJTI }).
func Where(rule func(Rules) bool) []Profile {
	var out []Profile
	for _, p := range All() {
		if rule(p.Rules()) {
			out = append(out, p)
		}
	}
	return out
}
