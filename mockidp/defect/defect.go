// Package defect names the rules the reference token endpoint can switch off,
// one rule per name. Checks cite the defect that must make them fail; the
// self-test switches each on and proves the check fails (design.md R17).
// The package holds names only; the servers under mockidp/reference implement them.
package defect

// Name identifies one switched-off rule of the reference endpoint. Each is
// declared once, as a constant of type Name in the block of its area with a
// line comment saying what it breaks; All and Known read the declarations.
type Name string

// Set is a set of defects.
type Set map[Name]bool

// Of returns a set of the given names.
func Of(names ...Name) Set {
	s := Set{}
	for _, n := range names {
		s[n] = true
	}
	return s
}

// Has reports whether n is on.
func (s Set) Has(n Name) bool { return s[n] }

// Request framing (RFC 6749 §3.1, §3.2, §2.3).
const (
	AllowGET                  Name = "allow-get"                    // A-TE-01: token requests by GET
	AllowDuplicateParams      Name = "allow-duplicate-params"       // A-TE-02: repeated parameters, first wins
	EmptyParamAsValue         Name = "empty-param-as-value"         // A-TE-03: empty client_assertion falls back to client_id only
	RejectUnknownParams       Name = "reject-unknown-params"        // A-TE-04: unrecognised parameters refused
	AcceptJSONBody            Name = "accept-json-body"             // A-TE-05: JSON request bodies
	AcceptQueryCredentials    Name = "accept-query-credentials"     // A-TE-06: parameters in the URI query
	AllowMultipleAuth         Name = "allow-multiple-auth"          // A-AU-01/02: several auth methods, first wins
	NoClientAuth              Name = "no-client-auth"               // A-AU-03: client_id alone authenticates
	IgnoreAssertionType       Name = "ignore-assertion-type"        // A-AU-05/06: client_assertion_type not checked
	FirstJWTOfList            Name = "first-jwt-of-list"            // A-AU-07: "jwt1,jwt2" uses the first
	IgnoreClientIDParam       Name = "ignore-client-id-param"       // A-AU-08: client_id parameter not compared
	RequireClientIDParam      Name = "require-client-id-param"      // A-AU-09: client_id parameter demanded
	IgnoreAuthMethod          Name = "ignore-auth-method"           // A-AU-10: registered auth method not enforced
	SecretForKeyClient        Name = "secret-for-key-client"        // A-AU-10.3/10.4: a client without a secret on record authenticates with any secret
	IgnoreRegisteredAlg       Name = "ignore-registered-alg"        // A-AU-11: token_endpoint_auth_signing_alg not enforced
	UnknownClientInvalidGrant Name = "unknown-client-invalid-grant" // A-AU-12: unknown client answered with invalid_grant
	BasicWithoutChallenge     Name = "basic-without-challenge"      // A-AU-04: 401 without WWW-Authenticate
)

// Client assertion content (RFC 7523 §3, OIDC Core §9, 7523bis §4, FAPI2).
const (
	IgnoreIssuer                Name = "ignore-issuer"                  // A-CA-01: iss not checked (client found by sub)
	IgnoreSubject               Name = "ignore-subject"                 // A-CA-02: sub not checked
	FoldCaseClientID            Name = "fold-case-client-id"            // A-CA-03: case-insensitive client_id match
	IgnoreAudience              Name = "ignore-audience"                // A-CA-04: aud not checked
	NormalizeAudience           Name = "normalize-audience"             // A-CA-05: aud compared after URL normalisation
	RejectIssuerAudience        Name = "reject-issuer-audience"         // A-CA-06: the issuer refused as aud
	AcceptTokenEndpointAudience Name = "accept-token-endpoint-audience" // A-CA-07: token endpoint URL accepted under BIS/FAPI2/OIDC-E3
	RejectTokenEndpointAudience Name = "reject-token-endpoint-audience" // A-CA-07 (BASE/OIDC): token endpoint URL refused
	AcceptAudienceArray         Name = "accept-audience-array"          // A-CA-08: multi-valued aud accepted where the sole value is required
	AcceptSingleElementArray    Name = "accept-single-element-array"    // A-CA-09: ["issuer"] accepted where a string is required
	AllowMissingExp             Name = "allow-missing-exp"              // A-CA-11
	IgnoreExpiry                Name = "ignore-expiry"                  // A-CA-12
	UnboundedLifetime           Name = "unbounded-lifetime"             // A-CA-13
	IgnoreNotBefore             Name = "ignore-not-before"              // A-CA-14
	NoClockSkew                 Name = "no-clock-skew"                  // A-CA-15: +8 s iat/nbf refused
	AcceptFutureIat             Name = "accept-future-iat"              // A-CA-16: iat far in the future accepted
	AllowMissingJTI             Name = "allow-missing-jti"              // A-CA-18
	IgnoreReplay                Name = "ignore-replay"                  // A-CA-19: jti reuse accepted
	RejectUnknownClaims         Name = "reject-unknown-claims"          // A-CA-20
	RejectTypedAssertion        Name = "reject-typed-assertion"         // A-CA-21
	RequireTyp                  Name = "require-typ"                    // A-CA-22: untyped assertions refused
	IgnoreTyp                   Name = "ignore-typ"                     // A-CA-23: any typ accepted
	SkipSignatureCheck          Name = "skip-signature-check"           // A-CA-24
	AnyClientKey                Name = "any-client-key"                 // A-CA-27: kid looked up across all clients
)

// JOSE processing (RFC 7515, 7518, 8725).
const (
	AcceptAlgNone      Name = "accept-alg-none"      // A-JO-02, B-ALG-01
	IgnoreAlgAllowlist Name = "ignore-alg-allowlist" // A-JO-26: FAPI2 PS256/ES256/EdDSA limit not applied
	CaseInsensitiveAlg Name = "case-insensitive-alg" // A-JO-03, B-ALG-02
	IgnoreCrit         Name = "ignore-crit"          // A-JO-06, B-HDR-01
	AnyPSSSalt         Name = "any-pss-salt"         // A-JO-15, B-SIG-08
	IgnoreKeyAlg       Name = "ignore-key-alg"       // A-JO-24: JWK alg not compared with the header
	TrustEmbeddedJWK   Name = "trust-embedded-jwk"   // A-JO-22, B-KEY-01
	HMACWithPublicKey  Name = "hmac-with-public-key" // B-ALG-08, B-KEY-11, C-ROT-06: HS256 keyed by the client's public key in any encoding
	RejectRSA          Name = "reject-rsa"           // positive per-alg rows: PS256/RS256 refused
	RejectEC           Name = "reject-ec"            // positive per-alg rows: ES256 refused
	RejectEdDSA        Name = "reject-eddsa"         // positive per-alg rows: EdDSA refused
	RejectHMAC         Name = "reject-hmac"          // client_secret_jwt refused
)

// Grant (RFC 7523 §2.1, §3.1).
const (
	GrantIgnoreSignature         Name = "grant-ignore-signature"           // A-JG-04
	GrantWrongErrorCode          Name = "grant-wrong-error-code"           // A-JG-04/05: invalid_client instead of invalid_grant
	GrantIgnoreExpiry            Name = "grant-ignore-expiry"              // A-JG-05
	GrantSkipClientAuth          Name = "grant-skip-client-auth"           // A-JG-06
	GrantIgnoreAudience          Name = "grant-ignore-audience"            // A-JG-07
	GrantIgnoreIssuer            Name = "grant-ignore-issuer"              // A-JG-08: untrusted issuers accepted
	GrantIgnoreSubject           Name = "grant-ignore-subject"             // A-JG-09
	GrantSubjectOptional         Name = "grant-subject-optional"           // A-JG-09, A-JG-09.2: sub required and checked only when non-empty
	GrantUnboundedLifetime       Name = "grant-unbounded-lifetime"         // A-JG-05.2: no bound on a grant assertion's exp
	GrantAnyIssuerKey            Name = "grant-any-issuer-key"             // A-JG-10
	GrantIgnoreClientGrants      Name = "grant-ignore-client-grants"       // A-JG-11
	IgnoreScope                  Name = "ignore-scope"                     // A-JG-12
	GrantRejectTokenEndpointAud  Name = "grant-reject-token-endpoint-aud"  // A-JG-07: token endpoint URL refused as grant aud
	UnsupportedGrantWrongCode    Name = "unsupported-grant-wrong-code"     // A-JG-13: unknown grant_type answered with invalid_request
	GrantMissingAssertionCode    Name = "grant-missing-assertion-code"     // A-JG-02: missing assertion answered with invalid_grant
	RejectGrant                  Name = "reject-grant"                     // A-JG-01: the jwt-bearer grant refused
	RejectClientCredentials      Name = "reject-client-credentials"        // A-JG-14: client_credentials refused to a client authenticated by assertion
	AcceptClientAssertionAsGrant Name = "accept-client-assertion-as-grant" // B-CLM-20
)

// Responses and discovery (RFC 6749 §5, RFC 8414, RFC 9068, RFC 7517).
const (
	NoCacheControl          Name = "no-cache-control"           // A-TR-02
	NoPragma                Name = "no-pragma"                  // A-TR-03
	ErrorStatus500          Name = "error-status-500"           // A-TR-05: errors answered with 500
	ReflectInput            Name = "reflect-input"              // A-TR-06, B-ERR-01: raw input echoed in error_description
	AccessTokenUntyped      Name = "access-token-untyped"       // A-AT-01
	AccessTokenNoJTI        Name = "access-token-no-jti"        // A-AT-03
	AccessTokenWrongIss     Name = "access-token-wrong-iss"     // A-AT-04
	AccessTokenWrongSub     Name = "access-token-wrong-sub"     // A-AT-05, A-AT-08
	AccessTokenUnknownKid   Name = "access-token-unknown-kid"   // A-AT-07
	MetadataIssuerSlash     Name = "metadata-issuer-slash"      // A-MD-03
	MetadataNoTokenEndpoint Name = "metadata-no-token-endpoint" // A-MD-05
	MetadataNoSigningAlgs   Name = "metadata-no-signing-algs"   // A-MD-07
	MetadataAdvertiseNone   Name = "metadata-advertise-none"    // A-MD-08
	MetadataNoGrantType     Name = "metadata-no-grant-type"     // A-MD-09
	MetadataEmptyArray      Name = "metadata-empty-array"       // A-MD-11
	NoOAuthMetadata         Name = "no-oauth-metadata"          // A-MD-01 (FAPI2 wants both documents)
	MetadataNotJSON         Name = "metadata-not-json"          // A-MD-02
	JWKSPrivateMembers      Name = "jwks-private-members"       // A-JW-02
	JWKSNoKeysArray         Name = "jwks-no-keys-array"         // A-JW-01
	JWKSDuplicateKid        Name = "jwks-duplicate-kid"         // A-JW-04
	JWKSWeakKey             Name = "jwks-weak-key"              // A-JW-07
)
