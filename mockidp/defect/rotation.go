package defect

// Defects for client key rotation and JWKS caching (suites/rotation: A-KR-*,
// C-ROT-*) and for the reference verifier (suites/resource: C-RS-*).
const (
	KidIgnored              Name = "kid-ignored"                // A-KR-01: the first key of the set verifies, whatever the kid
	KidlessServerError      Name = "kidless-server-error"       // A-KR-01.2: an assertion without kid answered with 500
	NoRefetchUnknownKid     Name = "no-refetch-unknown-kid"     // A-KR-02: an unknown kid never triggers a jwks_uri refetch
	KeyCacheForever         Name = "key-cache-forever"          // A-KR-03: cached client keys never expire
	DuplicateKidFirstKey    Name = "duplicate-kid-first-key"    // A-KR-04: the first key with the kid is used, whatever its type
	ClientJWKSSymmetricKeys Name = "client-jwks-symmetric-keys" // A-KR-05: oct keys in a client JWKS verify HS256 assertions
	ClientJWKSPrivateKeys   Name = "client-jwks-private-keys"   // A-KR-05.2: a client JWK with private members verifies (its public half)
	RefetchUnbounded        Name = "refetch-unbounded"          // A-KR-07: every unknown kid refetches the jwks_uri
	JWKS5xxDropsKeys        Name = "jwks-5xx-drops-keys"        // C-ROT-01: a 5xx from the jwks_uri empties the key cache
	JWKSStallDropsKeys      Name = "jwks-stall-drops-keys"      // C-ROT-02: a jwks_uri fetch timeout empties the key cache
	JWKSMalformedDropsKeys  Name = "jwks-malformed-drops-keys"  // C-ROT-03: an unparsable JWKS empties the key cache
	JWKSFailureServerError  Name = "jwks-failure-server-error"  // C-ROT-04: a failed jwks_uri fetch answered with 500
	AcceptEncKeys           Name = "accept-enc-keys"            // C-ROT-05: keys with use "enc" verify signatures
)

// Reference verifier (mockidp/reference/resource) defects, one per rule of RFC 9068
// §4 and RFC 6750 §3.
const (
	VerifierRejectAll             Name = "verifier-reject-all"              // C-RS-01: every token refused
	VerifierNoRefetch             Name = "verifier-no-refetch"              // C-RS-02: the issuer JWKS is fetched once, never again
	VerifierIgnoreExpiry          Name = "verifier-ignore-expiry"           // C-RS-03
	VerifierIgnoreNotBefore       Name = "verifier-ignore-not-before"       // C-RS-04
	VerifierIgnoreIssuer          Name = "verifier-ignore-issuer"           // C-RS-05
	VerifierIgnoreAudience        Name = "verifier-ignore-audience"         // C-RS-06
	VerifierAcceptAlgNone         Name = "verifier-accept-alg-none"         // C-RS-07
	VerifierHMACWithPublicKey     Name = "verifier-hmac-with-public-key"    // C-RS-08: HS256 keyed with the issuer's RSA public key
	VerifierUnknownKidUnsigned    Name = "verifier-unknown-kid-unsigned"    // C-RS-09: a token whose kid is unknown is not verified
	VerifierKeepsRetiredKeys      Name = "verifier-keeps-retired-keys"      // C-RS-10: keys removed from the issuer JWKS still verify
	VerifierSkipSignature         Name = "verifier-skip-signature"          // C-RS-11
	VerifierIgnoreTyp             Name = "verifier-ignore-typ"              // C-RS-12: an id_token (typ JWT) passes as an access token
	VerifierHS256Unchecked        Name = "verifier-hs256-unchecked"         // C-RS-13: HS256 tokens pass without a MAC check
	VerifierNoChallenge           Name = "verifier-no-challenge"            // C-RS-14: 401 without WWW-Authenticate: Bearer
	VerifierIgnoreRequiredClaims  Name = "verifier-ignore-required-claims"  // C-RS-15: a token without a required claim passes
	VerifierClaimPresenceOnly     Name = "verifier-claim-presence-only"     // C-RS-16: a required claim is checked for presence, not value
	VerifierCacheBySignature      Name = "verifier-cache-by-signature"      // C-RS-17: a signature seen valid before is trusted with any claims
	VerifierExpOptional           Name = "verifier-exp-optional"            // C-RS-18: a token without exp passes
	VerifierIgnoreAlgHeader       Name = "verifier-ignore-alg-header"       // C-RS-19: the MAC is recomputed whatever the header's alg
	VerifierTrustEmbeddedJWK      Name = "verifier-trust-embedded-jwk"      // C-RS-20: a token verifies with the jwk in its own header
	VerifierIgnoreScope           Name = "verifier-ignore-scope"            // C-RS-21: a token without the required scope passes
	VerifierIgnoreAzp             Name = "verifier-ignore-azp"              // C-RS-22: an ID Token's azp is not checked
	VerifierIgnoreNonce           Name = "verifier-ignore-nonce"            // C-RS-23: an ID Token's nonce is not checked
	VerifierTrustsInconsistentX5c Name = "verifier-trusts-inconsistent-x5c" // C-RS-24: a JWK whose x5c/x5t belong to another key still verifies
	VerifierSplitCopies           Name = "verifier-split-copies"            // C-RS-25: the signature of one copy of the token is checked, the claims of another
)
