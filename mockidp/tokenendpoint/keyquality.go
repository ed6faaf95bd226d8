package tokenendpoint

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"math/big"
	"strings"
)

// Key-quality rules of catalog B.4 and the broken verifiers their defects
// switch on.

// curveFits reports whether an EC key's curve is the one alg names
// (RFC 7518 §3.4: ES256 is P-256 with SHA-256). Other key types pass.
func curveFits(key any, alg string) bool {
	k, ok := key.(*ecdsa.PublicKey)
	if !ok || !strings.HasPrefix(strings.ToUpper(alg), "ES") {
		return true
	}
	want := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}[strings.ToUpper(alg)]
	return want == nil || k.Curve == want
}

// verifyAnyCurve is the verifier of defect.CurveNotBound: the hash comes
// from alg, the curve from the key, and r and s are the two halves of the
// signature whatever their size (Wycheproof mismatchedAlgAndCurve).
func verifyAnyCurve(k *ecdsa.PublicKey, t *token) bool {
	if len(t.sig) == 0 || len(t.sig)%2 != 0 {
		return false
	}
	h := sha256.Sum256([]byte(t.si))
	n := len(t.sig) / 2
	return ecdsa.Verify(k, h[:], new(big.Int).SetBytes(t.sig[:n]), new(big.Int).SetBytes(t.sig[n:]))
}
