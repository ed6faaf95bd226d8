package tokenendpoint

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
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

// minRSAExponent is the smallest public exponent the reference trusts.
const minRSAExponent = 65537

// anyExponentRSA is the JWK parser of defect.TextbookRSA: it reads n and e
// of every RSA key go-jose refused ("bad e value", e.g. e=1) and keeps it.
func anyExponentRSA(b []byte) []jose.JSONWebKey {
	return refusedRSA(b, func(n, e []byte) any {
		if len(e) == 0 || len(e) > 4 {
			return nil
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	})
}

// refusedRSA reads the RSA members of a JWKS that go-jose refused (those it
// took, parseKeySet has already) and keeps each key key(n, e) returns.
func refusedRSA(b []byte, key func(n, e []byte) any) []jose.JSONWebKey {
	var doc struct {
		Keys []struct {
			Kty, Kid, Alg, Use, N, E string
		} `json:"keys"`
	}
	if json.Unmarshal(b, &doc) != nil {
		return nil
	}
	var out []jose.JSONWebKey
	for _, k := range doc.Keys {
		if k.Kty != "RSA" {
			continue
		}
		var probe jose.JSONWebKey
		if raw, err := json.Marshal(map[string]string{"kty": "RSA", "n": k.N, "e": k.E}); err != nil || probe.UnmarshalJSON(raw) == nil {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil {
			continue
		}
		if pub := key(n, e); pub != nil {
			out = append(out, jose.JSONWebKey{Key: pub, KeyID: k.Kid, Algorithm: k.Alg, Use: k.Use})
		}
	}
	return out
}

// textbookPKCS1 is RSASSA-PKCS1-v1_5 done by hand with no check of the key:
// s^e mod n compared with the expected EM (RFC 8017 §8.2.2 without the
// public-key validation of §3.1). With e=1 the signature is EM itself, so
// anyone can sign (Wycheproof rejectsPublicExponent1).
func textbookPKCS1(k *rsa.PublicKey, t *token) bool {
	if k.E < 1 || len(t.sig) != k.Size() {
		return false
	}
	m := new(big.Int).Exp(new(big.Int).SetBytes(t.sig), big.NewInt(int64(k.E)), k.N)
	em := m.FillBytes(make([]byte, k.Size()))
	h := sha256.Sum256([]byte(t.si))
	suffix := append(append([]byte(nil), sha256DigestInfo...), h[:]...)
	if len(em) < len(suffix)+11 || em[0] != 0 || em[1] != 1 || em[len(em)-len(suffix)-1] != 0 || !bytes.HasSuffix(em, suffix) {
		return false
	}
	for _, c := range em[2 : len(em)-len(suffix)-1] {
		if c != 0xff {
			return false
		}
	}
	return true
}

// sha256DigestInfo is the DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2).
var sha256DigestInfo = []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}

// x5tKeys is defect.X5tLookup: a header x5t#S256 selects the key whose
// certificate has that thumbprint, searched across every client's key set
// (a "find the key by certificate" index shared by all clients), ahead of
// kid. RFC 7515 §4.1.8 only identifies a certificate; it grants no trust.
func (s *Server) x5tKeys(ctx context.Context, t *token) []jose.JSONWebKey {
	want, ok, err := str(t.header, "x5t#S256")
	if !ok || err != nil {
		return nil
	}
	match := func(ks []jose.JSONWebKey) []jose.JSONWebKey {
		for _, k := range ks {
			if len(k.Certificates) == 0 {
				continue
			}
			if sum := sha256.Sum256(k.Certificates[0].Raw); base64.RawURLEncoding.EncodeToString(sum[:]) == want {
				return []jose.JSONWebKey{k}
			}
		}
		return nil
	}
	for i := range s.cfg.Clients {
		c := &s.cfg.Clients[i]
		if c.JWKS != nil {
			if got := match(c.JWKS.Keys); got != nil {
				return got
			}
			continue
		}
		if c.JWKSURI == "" {
			continue
		}
		if ks, err := s.keys.get(ctx, c.JWKSURI, false); err == nil {
			if got := match(ks); got != nil {
				return got
			}
		}
	}
	return nil
}

// defaultHMACSecret is the secret of defect.GuessableHMACSecret: a
// framework default left in place for clients that never needed a secret.
const defaultHMACSecret = "changeme"

// bigRSA is an RSA public key of any size, as defect.GiantRSAKey keeps it:
// neither n nor e is bounded (crypto/rsa stops at 16384 bits and an int e).
type bigRSA struct{ n, e *big.Int }

// giantKeyBudget bounds the work of defect.GiantRSAKey so that a self-test
// kill costs a second or so, past the harness's latency slack.
const giantKeyBudget = 1250 * time.Millisecond

// giantRSAKeys is the JWK parser of defect.GiantRSAKey: RSA members that
// go-jose refused are kept whatever the size of n and e.
func giantRSAKeys(b []byte) []jose.JSONWebKey {
	return refusedRSA(b, func(n, e []byte) any {
		if len(n) == 0 || len(e) == 0 {
			return nil
		}
		return &bigRSA{n: new(big.Int).SetBytes(n), e: new(big.Int).SetBytes(e)}
	})
}

// verifyGiant is textbook RSA with an unbounded key: s^e mod n computed
// 32 exponent bits at a time, given up after giantKeyBudget, compared with
// the PKCS#1 v1.5 EM. The cost grows with |e|·|n|², which is the attack.
func verifyGiant(ctx context.Context, k *bigRSA, t *token) bool {
	if k.n.Sign() <= 0 {
		return false
	}
	// A context deadline, not the injected clock: the budget bounds real
	// CPU work, which a test clock does not see.
	ctx, cancel := context.WithTimeout(ctx, giantKeyBudget)
	defer cancel()
	x := new(big.Int).SetBytes(t.sig)
	acc := big.NewInt(1)
	shift := new(big.Int).Lsh(big.NewInt(1), 32)
	eb := k.e.Bytes()
	for len(eb)%4 != 0 {
		eb = append([]byte{0}, eb...)
	}
	for i := 0; i < len(eb); i += 4 {
		if ctx.Err() != nil {
			return false
		}
		chunk := new(big.Int).SetBytes(eb[i : i+4])
		acc.Exp(acc, shift, k.n)
		acc.Mul(acc, new(big.Int).Exp(x, chunk, k.n))
		acc.Mod(acc, k.n)
	}
	size := (k.n.BitLen() + 7) / 8
	em := acc.FillBytes(make([]byte, size))
	h := sha256.Sum256([]byte(t.si))
	return bytes.HasSuffix(em, h[:]) && em[0] == 0 && em[1] == 1
}
