package negative

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/hex"
	"fmt"
	"math/big"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/suites/check"
)

// signatureAttacks is catalog B.2: broken signature bytes (RFC 7515 §5.2;
// RFC 7518 §3.3-3.5; Wycheproof JWS vectors).
func signatureAttacks() []check.Row {
	n := elliptic.P256().Params().N
	es := func(r, s *big.Int) assertion.Mutation {
		return fixedSig(func(*assertion.Draft) []byte {
			out := make([]byte, 64)
			r.FillBytes(out[:32])
			s.FillBytes(out[32:])
			return out
		})
	}
	as := []check.Row{
		{Check: check.Check{ID: "B-SIG-01", Title: "rejects the ES256 psychic signature r = s = 0 (CVE-2022-21449)",
			Cite: cite("RFC7518-3.4"), Defect: defect.PsychicECDSA},
			Send: check.MutateWith(es256(es(new(big.Int), new(big.Int))))},
		{Check: check.Check{ID: "B-SIG-02.1", Title: "rejects an ES256 signature with r = s = n",
			Cite: cite("RFC7518-3.4"), Defect: defect.PsychicECDSA},
			Send: check.MutateWith(es256(es(n, n)))},
		{Check: check.Check{ID: "B-SIG-02.2", Title: "rejects an ES256 signature with r = 0, s = n",
			Cite: cite("RFC7518-3.4"), Defect: defect.PsychicECDSA},
			Send: check.MutateWith(es256(es(new(big.Int), n)))},
		{Check: check.Check{ID: "B-SIG-02.3", Title: "rejects an ES256 signature with r = s = 1",
			Cite: cite("RFC7518-3.4"), Defect: defect.SkipSignatureCheck},
			Send: check.MutateWith(es256(es(big.NewInt(1), big.NewInt(1))))},
		{Check: check.Check{ID: "B-SIG-02.4", Title: "rejects an ES256 signature with r = s = n - 1",
			Cite: cite("RFC7518-3.4"), Defect: defect.SkipSignatureCheck},
			Send: check.MutateWith(es256(es(new(big.Int).Sub(n, big.NewInt(1)), new(big.Int).Sub(n, big.NewInt(1)))))},
		{Check: check.Check{ID: "B-SIG-03", Title: "rejects an ES256 signature in ASN.1 DER instead of R||S",
			Cite: cite("RFC7518-3.4"), Defect: defect.AcceptDERECDSA},
			Send: check.MutateWith(func(e *check.Env, c check.Carrier) ([]assertion.Mutation, error) {
				return es256(func(d *assertion.Draft) {
					d.Signature = func(si []byte, d *assertion.Draft) ([]byte, error) {
						k, err := ecKey(d)
						if err != nil {
							return nil, err
						}
						return ecdsa.SignASN1(e.Rand, k, digest(si))
					}
				})(e, c)
			})},
		{Check: check.Check{ID: "B-SIG-04.1", Title: "rejects a 63-byte ES256 signature (leading zero of r trimmed)",
			Cite: cite("RFC7518-3.4"), Defect: defect.LaxSignatureSize},
			Send: check.MutateWith(func(e *check.Env, c check.Carrier) ([]assertion.Mutation, error) {
				return es256(func(d *assertion.Draft) {
					d.Signature = func(si []byte, d *assertion.Draft) ([]byte, error) { return leadingZeroSig(e, si, d) }
				})(e, c)
			})},
		{Check: check.Check{ID: "B-SIG-04.2", Title: "rejects a 65-byte ES256 signature (0x00 prepended)",
			Cite: cite("RFC7518-3.4"), Defect: defect.LaxSignatureSize},
			Send: check.MutateWith(esEdit(func(sig []byte) []byte { return append([]byte{0}, sig...) }))},
		{Check: check.Check{ID: "B-SIG-04.3", Title: "rejects an ES256 signature with trailing zeros",
			Cite: cite("RFC7518-3.4"), Defect: defect.LaxSignatureSize},
			Send: check.MutateWith(esEdit(func(sig []byte) []byte { return append(sig, 0, 0) }))},
		{Check: check.Check{ID: "B-SIG-04.4", Title: "rejects an ES256 signature of 128 zero bytes (BufferOverflow)",
			Cite: cite("RFC7518-3.4"), Defect: defect.PsychicECDSA},
			Send: check.MutateWith(es256(fixedSig(func(*assertion.Draft) []byte { return make([]byte, 128) })))},
		{Check: check.Check{ID: "B-SIG-05.1", Title: "rejects an RS256 signature one byte longer than the modulus (0x00 prepended)",
			Cite: cite("RFC7518-3.3", "RFC8017-8.2.2"), Defect: defect.LaxSignatureSize, KillIn: nonFAPI()},
			Send: check.MutateWith(rsaEdit(func(sig []byte, _ *rsa.PrivateKey) []byte { return append([]byte{0}, sig...) }))},
		{Check: check.Check{ID: "B-SIG-05.2", Title: "rejects an RS256 signature with a 0x00 appended",
			Cite: cite("RFC7518-3.3", "RFC8017-8.2.2"), Defect: defect.LaxSignatureSize, KillIn: nonFAPI()},
			Send: check.MutateWith(rsaEdit(func(sig []byte, _ *rsa.PrivateKey) []byte { return append(sig, 0) }))},
		{Check: check.Check{ID: "B-SIG-07.1", Title: "rejects an RS256 signature that is the integer 0",
			Cite: cite("RFC7518-3.3", "RFC8017-8.2.2"), Defect: defect.SkipSignatureCheck, KillIn: nonFAPI()},
			Send: check.MutateWith(rsaEdit(func(sig []byte, _ *rsa.PrivateKey) []byte { return make([]byte, len(sig)) }))},
		{Check: check.Check{ID: "B-SIG-07.2", Title: "rejects an RS256 signature that is the modulus n",
			Cite: cite("RFC7518-3.3", "RFC8017-8.2.2"), Defect: defect.SkipSignatureCheck, KillIn: nonFAPI()},
			Send: check.MutateWith(rsaEdit(func(sig []byte, k *rsa.PrivateKey) []byte { return k.N.FillBytes(make([]byte, len(sig))) }))},
		{Check: check.Check{ID: "B-SIG-07.3", Title: "rejects an unreduced RS256 signature (s + n)",
			Cite: cite("RFC7518-3.3", "RFC8017-8.2.2"), Defect: defect.LenientPKCS1, KillIn: nonFAPI()},
			Send: check.MutateWith(rsaEdit(func(sig []byte, k *rsa.PrivateKey) []byte {
				return new(big.Int).Add(new(big.Int).SetBytes(sig), k.N).Bytes()
			}))},
		{Check: check.Check{ID: "B-SIG-09.1", Title: "rejects an assertion with an empty signature segment (CVE-2020-28042)",
			Cite: cite("RFC7515-5.2"), Defect: defect.AcceptEmptySig},
			Send: check.Mutate(fixedSig(func(*assertion.Draft) []byte { return nil }))},
		{Check: check.Check{ID: "B-SIG-09.2", Title: "rejects an assertion stripped to two segments",
			Cite: cite("RFC7515-5.2"), Defect: defect.AcceptEmptySig},
			Send: check.Mutate(finish(func(tok string) string { p := segments(tok); return p[0] + "." + p[1] }))},
		// The grant carrier's signature check is a defect of its own.
		{Check: check.Check{ID: "B-SIG-10.1", Title: "rejects a payload whose exp was moved 30 minutes on, signature kept",
			Cite: cite("RFC7515-5.2", "RFC7523-3"), Defect: defect.SkipSignatureCheck},
			Send: check.Mutate(movedExp())},
		{Check: check.Check{ID: "B-SIG-10.1", Title: "rejects a payload whose exp was moved 30 minutes on, signature kept",
			Cite: cite("RFC7515-5.2", "RFC7523-3"), Defect: defect.GrantIgnoreSignature, Carrier: check.Grant},
			Send: check.Mutate(movedExp())},
		{Check: check.Check{ID: "B-SIG-10.2", Title: "rejects a payload re-pointed at another principal, signature kept",
			Cite: cite("RFC7515-5.2", "RFC7523-3"), Defect: defect.SkipSignatureCheck},
			Send: check.Mutate(repointed())},
		{Check: check.Check{ID: "B-SIG-10.2", Title: "rejects a payload re-pointed at another principal, signature kept",
			Cite: cite("RFC7515-5.2", "RFC7523-3"), Defect: defect.GrantIgnoreSignature, Carrier: check.Grant},
			Send: check.Mutate(repointed())},
		{Check: check.Check{ID: "B-SIG-11.1", Title: "rejects a header whose kid was changed, signature kept",
			Cite: cite("RFC7515-5.2"), Defect: defect.SkipSignatureCheck},
			Send: check.MutateWith(func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
				// The kid must change: another of A's keys, whatever A signs with.
				return []assertion.Mutation{replaceSegment(0, func(d *assertion.Draft) []byte {
					return d.Header.Set("kid", check.OtherKid(e.Cast.A, d.Key.ID())).Bytes()
				})}, nil
			})},
		{Check: check.Check{ID: "B-SIG-11.2", Title: "rejects a header with an added member, signature kept",
			Cite: cite("RFC7515-5.2"), Defect: defect.SkipSignatureCheck},
			Send: check.Mutate(replaceSegment(0, func(d *assertion.Draft) []byte { return d.Header.Add("x", 1).Bytes() }))},
	}
	for i, salt := range []int{20, 64} {
		salt := salt
		// RFC 7518 §3.5 defines the salt size but sets no rule for
		// verifiers; catalog: "a conformance deviation", low severity.
		as = append(as, check.Row{Check: check.Check{ID: variant("B-SIG-08", i), Title: fmt.Sprintf("rejects PS256 with a %d-byte salt (RFC 7518 fixes 32)", salt), Level: check.SHOULD,
			Cite: cite("RFC7518-3.5"), Defect: defect.AnyPSSSalt},
			Send: check.MutateWith(func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
				k, err := keyOf(e.Cast.A, "PS256")
				if err != nil {
					return nil, err
				}
				return []assertion.Mutation{assertion.SignWith(k), func(d *assertion.Draft) {
					d.Signature = func(si []byte, d *assertion.Draft) ([]byte, error) {
						return rsa.SignPSS(e.Rand, d.Key.Private().(*rsa.PrivateKey), crypto.SHA256, digest(si), &rsa.PSSOptions{SaltLength: salt})
					}
				}}, nil
			})})
	}
	for i, v := range []struct{ name, prefix string }{
		// DigestInfo for SHA-256 is 30 31 30 0d 06 09 <oid> 05 00 04 20 (RFC 8017 §9.2).
		{"a long-form length in the DigestInfo", "308131" + "300d060960864801650304020105000420"},
		{"a DigestInfo without the NULL parameters", "302f300b0609608648016503040201" + "0420"},
		{"the SHA-1 OID in the DigestInfo", "302d300906052b0e03021a0500" + "0420"},
	} {
		v := v
		as = append(as, check.Row{Check: check.Check{ID: variant("B-SIG-06", i), Title: "rejects a PKCS#1 v1.5 signature with " + v.name + " (CVE-2006-4339)",
			Cite: cite("RFC7518-3.3", "RFC8017-8.2.2"), Defect: defect.LenientPKCS1, KillIn: nonFAPI()},
			Send: check.MutateWith(withKey(partyA, "RS256", func(k keys.Key) []assertion.Mutation {
				return []assertion.Mutation{assertion.SignWith(k), func(d *assertion.Draft) {
					d.Signature = func(si []byte, d *assertion.Draft) ([]byte, error) {
						return rawRSA(d.Key.Private().(*rsa.PrivateKey), encodedMessage(d.Key.Private().(*rsa.PrivateKey).Size(), hexBytes(v.prefix), digest(si))), nil
					}
				}}
			}))})
	}
	return as
}

// movedExp moves the payload's exp 30 minutes on and keeps the signature.
func movedExp() assertion.Mutation {
	return replaceSegment(1, func(d *assertion.Draft) []byte {
		exp := d.Now.Add(30 * time.Minute).Unix()
		return d.Claims.Set("exp", exp).Bytes()
	})
}

// repointed makes the payload speak for another principal and keeps the
// signature.
func repointed() assertion.Mutation {
	return replaceSegment(1, func(d *assertion.Draft) []byte {
		other := otherPrincipal(d)
		if other == "user2" {
			return d.Claims.Set("sub", other).Bytes()
		}
		return d.Claims.Set("iss", other).Set("sub", other).Bytes()
	})
}

// esEdit signs with client A's ES256 key and transforms the signature.
func esEdit(f func(sig []byte) []byte) func(e *check.Env, c check.Carrier) ([]assertion.Mutation, error) {
	return func(e *check.Env, c check.Carrier) ([]assertion.Mutation, error) {
		return es256(resign(e.Rand, func(sig []byte, _ *assertion.Draft) ([]byte, error) { return f(sig), nil }))(e, c)
	}
}

// rsaEdit signs RS256 with client A's RSA key and transforms the signature.
func rsaEdit(f func(sig []byte, k *rsa.PrivateKey) []byte) func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
	return func(e *check.Env, _ check.Carrier) ([]assertion.Mutation, error) {
		k, err := keyOf(e.Cast.A, "RS256")
		if err != nil {
			return nil, err
		}
		return []assertion.Mutation{assertion.SignWith(k), resign(e.Rand, func(sig []byte, d *assertion.Draft) ([]byte, error) {
			return f(sig, d.Key.Private().(*rsa.PrivateKey)), nil
		})}, nil
	}
}

// leadingZeroSig signs until r starts with a zero byte, then drops it.
func leadingZeroSig(e *check.Env, si []byte, d *assertion.Draft) ([]byte, error) {
	k, err := ecKey(d)
	if err != nil {
		return nil, err
	}
	for i := 0; i < 1<<14; i++ {
		r, s, err := ecdsa.Sign(e.Rand, k, digest(si))
		if err != nil {
			return nil, err
		}
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		if out[0] == 0 {
			return out[1:], nil
		}
	}
	return nil, fmt.Errorf("sign ES256 with a leading zero byte in r: none in %d tries", 1<<14)
}

// encodedMessage is EM = 00 01 FF..FF 00 || digestInfo || hash, of size
// bytes (the modulus length k).
func encodedMessage(size int, digestInfo, hash []byte) []byte {
	t := append(append([]byte(nil), digestInfo...), hash...)
	em := make([]byte, size)
	em[1] = 1
	for i := 2; i < size-len(t)-1; i++ {
		em[i] = 0xff
	}
	copy(em[size-len(t):], t)
	return em
}

// rawRSA is the private-key operation on an arbitrary encoded message
// (catalog.md §3 rawRSA): it signs even malformed padding.
func rawRSA(k *rsa.PrivateKey, em []byte) []byte {
	return new(big.Int).Exp(new(big.Int).SetBytes(em), k.D, k.N).FillBytes(make([]byte, k.Size()))
}

// hexBytes decodes a constant hex string of a row.
func hexBytes(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic("negative: bad hex constant " + s) // a typo in a row, caught by the self-test
	}
	return b
}
