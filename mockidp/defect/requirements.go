package defect

// JOSE parsing and verification (RFC 7515, 7518, 7519, 7797; RFC 8725 and
// 8725bis), and the catalog A rows on assertions, transport, responses,
// metadata and registration that the blocks of defect.go do not hold.
const (
	InferAlgFromKey         Name = "infer-alg-from-key"          // A-JO-01: a missing alg is taken from the key
	AnyJOSEAlg              Name = "any-jose-alg"                // A-JO-04: any algorithm the library verifies, not the advertised list
	LenientBase64           Name = "lenient-base64"              // A-JO-09: padding and line breaks in segments accepted
	AllowTrailingJSON       Name = "allow-trailing-json"         // A-JO-10: bytes after the JSON object ignored
	LenientNumericDate      Name = "lenient-numeric-date"        // A-JO-11: NumericDate given as a string accepted
	IntegerNumericDate      Name = "integer-numeric-date"        // A-JO-12: non-integer NumericDate refused
	AcceptDERSignature      Name = "accept-der-signature"        // A-JO-13: DER-encoded ECDSA signatures accepted
	UnwrapNestedUnverified  Name = "unwrap-nested-unverified"    // A-JO-17: cty JWT payload used without validating the inner JWT
	AcceptJSONSerialization Name = "accept-json-serialization"   // A-JO-18: JWS JSON serialization taken as an assertion
	AcceptB64False          Name = "accept-b64-false"            // A-JO-25: b64:false in crit treated as understood and ignored
	DecodeClaimsTwice       Name = "decode-claims-twice"         // A-CA-25: a JSON string holding the claims accepted as claims
	ClientErrorsAsRequest   Name = "client-errors-as-request"    // A-CA-26: client assertion failures answered with invalid_request
	AcceptEndpointAudience  Name = "accept-endpoint-audience"    // A-CA-10: another endpoint URL of the AS accepted as aud
	AcceptPlainHTTP         Name = "accept-plain-http"           // A-TE-07: plain HTTP served on the TLS port
	AllowPasswordGrant      Name = "allow-password-grant"        // A-SEC-01: resource owner password grant issues tokens
	AdvertiseAuthNone       Name = "advertise-auth-none"         // A-SEC-02: token_endpoint_auth_methods_supported lists none
	TokenResponseNoType     Name = "token-response-no-type"      // A-TR-01: token_type missing from token responses
	ExpiresInString         Name = "expires-in-string"           // A-TR-04: expires_in sent as a JSON string
	NarrowScopeSilently     Name = "narrow-scope-silently"       // A-TR-04: scope narrowed without saying so
	TokenTypeJWT            Name = "token-type-jwt"              // A-TR-07: token_type "JWT", not a registered type
	ReplayCustomCode        Name = "replay-custom-code"          // A-TR-05.2: a replayed jti answered with 400 {"error":"jti_known"}
	AccessTokenAlgNone      Name = "access-token-alg-none"       // A-AT-02: unsigned access tokens
	AccessTokenNoScope      Name = "access-token-no-scope"       // A-AT-06: access token without the scope claim
	AccessTokenJKU          Name = "access-token-jku"            // A-JW-09: access tokens carry a jku header
	MetadataIssuerQuery     Name = "metadata-issuer-query"       // A-MD-04: issuer with a query component
	MetadataNoResponseTypes Name = "metadata-no-response-types"  // A-MD-06: response_types_supported missing
	MetadataNoSubjectTypes  Name = "metadata-no-subject-types"   // A-MD-06: OpenID subject_types_supported missing
	MetadataNoPrivateKeyJWT Name = "metadata-no-private-key-jwt" // A-MD-10: private_key_jwt works but is not listed
	MetadataJWKSURIHTTP     Name = "metadata-jwks-uri-http"      // A-MD-13: jwks_uri over plain http
	SignedMetadataNoIss     Name = "signed-metadata-no-iss"      // A-MD-14: signed_metadata without iss
	MetadataNoIssuer        Name = "metadata-no-issuer"          // A-MD-15: issuer missing
	JWKSNoKty               Name = "jwks-no-kty"                 // A-JW-03: a key without kty
	JWKSUseKeyOpsConflict   Name = "jwks-use-key-ops-conflict"   // A-JW-05: use sig with key_ops encrypt
	JWKSX5cMismatch         Name = "jwks-x5c-mismatch"           // A-JW-06: x5c certificate for another key
	JWKSX5tMismatch         Name = "jwks-x5t-mismatch"           // A-JW-06.2: x5t and x5t#S256 are thumbprints of another certificate
	ShortClientSecret       Name = "short-client-secret"         // A-JO-16: registration issues a 12-octet client_secret
	HonorProposedClientID   Name = "honor-proposed-client-id"    // A-SEC-03: registration takes the client_id the client proposes
	JWKSEncKeyWithoutUse    Name = "jwks-enc-key-without-use"    // A-MD-13.2: sig and enc keys published, a key without use
)
