package defect

// Defects for catalog B (attack rows): each switches off one rule of the
// reference so that the self-test can prove the rows able to fail.
const (
	// B.1 algorithms
	AlgFromKey          Name = "alg-from-key"          // B-ALG-05: missing or non-string alg taken from the key
	HMACEmptySecret     Name = "hmac-empty-secret"     // B-ALG-04: HS256 keyed by a private_key_jwt client's empty secret
	HMACWithASKey       Name = "hmac-with-as-key"      // B-ALG-07: HS256 keyed by the AS's own public key
	GuessableHMACSecret Name = "guessable-hmac-secret" // B-ALG-11: HS256 keyed by a default secret ("changeme") for every client
	TrustOwnTokens      Name = "trust-own-tokens"      // B-CLM-19: JWTs the AS signed accepted as assertions
	KidFallback         Name = "kid-fallback"          // B-ALG-10: when the kid's key fails, every key of the client is tried
	AlgAlias            Name = "alg-alias"             // B-ALG-12: Ed25519 taken as EdDSA though not advertised
	AlgNotBound         Name = "alg-not-bound"         // B-ALG-09: neither the registered nor the JWK alg is compared with the header
	PsychicECDSA        Name = "psychic-ecdsa"         // B-SIG-01/02: r, s not range-checked (CVE-2022-21449)
	AcceptDERECDSA      Name = "accept-der-ecdsa"      // B-SIG-03: ASN.1 DER ECDSA signatures
	LaxSignatureSize    Name = "lax-signature-size"    // B-SIG-04/05: signature length not enforced
	LenientPKCS1        Name = "lenient-pkcs1"         // B-SIG-06/07: PKCS#1 v1.5 checked by hash suffix, no range check
	AcceptEmptySig      Name = "accept-empty-sig"      // B-SIG-09: an empty or missing signature segment accepted
	ReplayByToken       Name = "replay-by-token"       // B-SIG-12: the replay cache is keyed on the token bytes, not jti

	// B-ALG-06: HS256 keyed by the client's RSA public key in one encoding
	// each (keys.Confusion), so that each variant proves it sends its own.
	HMACPublicPEM        Name = "hmac-public-pem"         // B-ALG-06.1: PEM SPKI with its final newline
	HMACPublicPEMTrimmed Name = "hmac-public-pem-trimmed" // B-ALG-06.2: PEM SPKI without it
	HMACPublicPKCS1      Name = "hmac-public-pkcs1"       // B-ALG-06.3: PKCS#1 PEM
	HMACPublicDER        Name = "hmac-public-der"         // B-ALG-06.4: DER SPKI
	HMACPublicJWK        Name = "hmac-public-jwk"         // B-ALG-06.5: the JWK JSON text
	HMACPublicModulus    Name = "hmac-public-modulus"     // B-ALG-06.6: the raw modulus bytes
	HMACPublicModulusB64 Name = "hmac-public-modulus-b64" // B-ALG-06.7: the base64url modulus text

	// B.3, B.4 keys
	TrustX5C           Name = "trust-x5c"            // B-KEY-04: x5c leaf key used without path validation
	FetchHeaderURL     Name = "fetch-header-url"     // B-KEY-02/03: keys fetched from jku/x5u (SSRF)
	KidPathLookup      Name = "kid-path-lookup"      // B-KEY-05: kid read as a file path for the HMAC key
	KidInjection       Name = "kid-injection"        // B-KEY-06: kid spliced into a query (SQL literal, LDAP wildcard)
	SlowKid            Name = "slow-kid"             // B-KEY-07: kid passed to a shell ("sleep" costs time, U7)
	KidTypeCoercion    Name = "kid-type-coercion"    // B-KEY-07: a non-string kid treated as absent
	IgnoreKeyUse       Name = "ignore-key-use"       // B-KEY-08: a use:"enc" key verifies signatures
	RequireKeyUse      Name = "require-key-use"      // B-KEY-08.2: a client key without use is never tried
	AcceptSymmetricJWK Name = "accept-symmetric-jwk" // B-KEY-10: oct keys in a client JWKS
	RefetchEveryKid    Name = "refetch-every-kid"    // B-KEY-12: every unknown kid refetches the jwks_uri
	MergeFetchedKeys   Name = "merge-fetched-keys"   // B-KEY-13: a refetched client JWKS is added to the cached keys, never replacing them
	X5tLookup          Name = "x5t-lookup"           // B-KEY-14: x5t#S256 picks a key from any client's set
	AcceptShortRSA     Name = "accept-short-rsa"     // B-KEYQ-01: RSA keys under 2048 bits
	TruncatedHMACKey   Name = "truncated-hmac-key"   // B-KEYQ-06: client_secret_jwt keys cut to their first 16 bytes
	CurveNotBound      Name = "curve-not-bound"      // B-KEYQ-07: ES256 verified with whatever curve the key has
	AcceptSmallRSAExp  Name = "accept-small-rsa-exp" // B-KEYQ-03: RSA public exponents below 65537 (e=3)
	TextbookRSA        Name = "textbook-rsa"         // B-KEYQ-02: hand-parsed RSA JWKs with any e, s^e mod n compared to EM

	// A.6 key registration
	AcceptJWKSAndURI Name = "accept-jwks-and-uri" // A-KR-06: a registration with both jwks and jwks_uri accepted

	// B.5, B.6 header and format
	LaxBase64          Name = "lax-base64"           // B-FMT-01/03: padding, standard alphabet, non-canonical bits
	StripWhitespace    Name = "strip-whitespace"     // B-FMT-02: whitespace removed from the token
	LaxSegments        Name = "lax-segments"         // B-FMT-04, B-DOS-03: segments after the third ignored
	FirstDuplicateWins Name = "first-duplicate-wins" // B-HDR-08/10: duplicate members, first wins
	FoldMemberCase     Name = "fold-member-case"     // B-HDR-09: member names matched case-insensitively
	LaxJSON            Name = "lax-json"             // B-FMT-05: BOM, trailing data, bad UTF-8, lone surrogates
	AcceptJSONJWS      Name = "accept-json-jws"      // B-FMT-06: JWS JSON serialization accepted
	PolyglotClaims     Name = "polyglot-claims"      // B-FMT-07: JSON form verified, claims read by splitting on dots
	RejectJSONSpace    Name = "reject-json-space"    // B-FMT-08: legal whitespace in the header refused
	UnencodedPayload   Name = "unencoded-payload"    // B-HDR-03/04: RFC 7797 b64:false payloads accepted in a JWT
	FollowNestedJWT    Name = "follow-nested-jwt"    // B-HDR-06: cty JWT followed to an unverified inner token
	DecryptJWE         Name = "decrypt-jwe"          // B-HDR-05: a JWE to the AS's enc key decrypted and its claims trusted

	// B.7 claims
	LaxTimeClaims          Name = "lax-time-claims"           // B-CLM-01/02/04: a malformed time claim is skipped
	IntegerTimeClaims      Name = "integer-time-claims"       // B-CLM-03: fractional NumericDate refused
	EpochExpUnset          Name = "epoch-exp-unset"           // B-CLM-02.5-02.8: an exp before 1e9 (2001) read as "no expiry set"
	AudTypeConfusion       Name = "aud-type-confusion"        // B-CLM-06: a malformed aud passes (CVE-2020-26160)
	CoerceClaimTypes       Name = "coerce-claim-types"        // B-CLM-07: iss/sub arrays take the first element, NUL truncates
	NonAtomicReplay        Name = "non-atomic-replay"         // B-CLM-13: jti check and insert not atomic
	ConsumeRejectedJTI     Name = "consume-rejected-jti"      // B-CLM-13.2: jti recorded before the signature is checked
	GrantReplayPerClient   Name = "grant-replay-per-client"   // B-CLM-13.3: a grant's jti is tracked per presenting client
	ConsumeJTIBeforeClaims Name = "consume-jti-before-claims" // B-CLM-13.4-13.7: jti recorded once a client's key verifies the signature, before iss, times and aud are checked
	GlobalJTIScope         Name = "global-jti-scope"          // B-CLM-14.2: jti uniqueness across all issuers

	// B.8 exhaustion
	UnboundedBody    Name = "unbounded-body"     // B-DOS-01: no request body limit
	DeepJSONCrash    Name = "deep-json-crash"    // B-DOS-02: a recursive parser without a depth limit falls over (500)
	HonourP2C        Name = "honour-p2c"         // B-DOS-05: PBKDF2 run with a PBES2 header's p2c before any check
	InflateUnbounded Name = "inflate-unbounded"  // B-DOS-04: a JWE's zip:DEF plaintext inflated without limit (the worker dies: 500)
	ECDHInvalidCurve Name = "ecdh-invalid-curve" // B-DOS-06: a JWE's epk used without an on-curve check (crashes: 500)
	GiantRSAKey      Name = "giant-rsa-key"      // B-DOS-07: client RSA keys of any n and e size loaded and used
)
