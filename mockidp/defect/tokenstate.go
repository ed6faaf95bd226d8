package defect

// Token state: the reference token endpoint's RFC 7662 introspection and
// RFC 7009 revocation endpoints, and the reference verifier that consults
// introspection (suites/tokenstate: C-INT-*, C-REV-*).
const (
	IntrospectWithoutAuth     Name = "introspect-without-auth"     // C-INT-01: introspection answers callers that did not authenticate
	IntrospectActiveString    Name = "introspect-active-string"    // C-INT-02: "active" is the JSON string "true", not a boolean
	IntrospectIgnoreExpiry    Name = "introspect-ignore-expiry"    // C-INT-03: an expired token introspects active
	IntrospectUnknownError    Name = "introspect-unknown-error"    // C-INT-04: a token that is not one of ours is answered 400, not active:false
	IntrospectNoSignature     Name = "introspect-no-signature"     // C-INT-05: the token's claims are read without verifying its signature
	RevokeUnsupported         Name = "revoke-unsupported"          // C-REV-01: access tokens answered unsupported_token_type
	RevokeNoop                Name = "revoke-noop"                 // C-REV-02: revocation answers 200 and invalidates nothing
	IntrospectionCacheForever Name = "introspection-cache-forever" // C-REV-03: the verifier caches an "active" answer for good
	RevokeWithoutAuth         Name = "revoke-without-auth"         // C-REV-04: anyone may revoke any token, without client authentication
	RevokeAnyOwner            Name = "revoke-any-owner"            // C-REV-05: a client may revoke tokens issued to another client
)
