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
	RefetchUnbounded        Name = "refetch-unbounded"          // A-KR-07: every unknown kid refetches the jwks_uri
	JWKS5xxDropsKeys        Name = "jwks-5xx-drops-keys"        // C-ROT-01: a 5xx from the jwks_uri empties the key cache
	JWKSStallDropsKeys      Name = "jwks-stall-drops-keys"      // C-ROT-02: a jwks_uri fetch timeout empties the key cache
	JWKSMalformedDropsKeys  Name = "jwks-malformed-drops-keys"  // C-ROT-03: an unparsable JWKS empties the key cache
	JWKSFailureServerError  Name = "jwks-failure-server-error"  // C-ROT-04: a failed jwks_uri fetch answered with 500
	AcceptEncKeys           Name = "accept-enc-keys"            // C-ROT-05: keys with use "enc" verify signatures
)

func rotation() []Name {
	return []Name{
		KidIgnored, KidlessServerError, NoRefetchUnknownKid, KeyCacheForever, DuplicateKidFirstKey,
		ClientJWKSSymmetricKeys, RefetchUnbounded, JWKS5xxDropsKeys, JWKSStallDropsKeys,
		JWKSMalformedDropsKeys, JWKSFailureServerError, AcceptEncKeys,
	}
}
