package keys

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// Confusion is one encoding of an RSA public key that a verifier confusing
// RSA with HMAC keys its HMAC with (RFC 8725 §2.1; McLean 2015): the
// library is handed "the key" as bytes and an attacker-chosen alg HS256
// turns the public key into the shared secret. Each encoding is one that a
// library or a deployment has been seen to use (catalog.md B-ALG-06).
type Confusion string

// The encodings of catalog.md B-ALG-06 (a)-(g).
const (
	ConfusePEM        Confusion = "PEM SPKI"                           // (a) jsonwebtoken, jwt_tool -X k: the PEM file as read
	ConfusePEMTrimmed Confusion = "PEM SPKI without its final newline" // (b) a PEM read and trimmed
	ConfusePKCS1      Confusion = "PKCS#1 PEM (RSA PUBLIC KEY)"        // (c) PyJWT CVE-2017-11424
	ConfuseDER        Confusion = "DER SPKI"                           // (d) a DER key file
	ConfuseJWK        Confusion = "JWK JSON"                           // (e) the key as its JWK text
	ConfuseModulus    Confusion = "modulus n bytes"                    // (f) the raw big-endian n
	ConfuseModulusB64 Confusion = "base64url modulus n"                // (g) the JWK's n member as text
)

// Confusions lists the encodings in catalog order.
func Confusions() []Confusion {
	return []Confusion{ConfusePEM, ConfusePEMTrimmed, ConfusePKCS1, ConfuseDER, ConfuseJWK, ConfuseModulus, ConfuseModulusB64}
}

// ConfusionSecret is jwk's RSA public key in encoding c: the HMAC secret a
// confused verifier would use. The JWK text is the key's public JWK as
// go-jose writes it, which is how the mock IdP serves client key sets.
func ConfusionSecret(jwk jose.JSONWebKey, c Confusion) ([]byte, error) {
	pub := jwk.Public()
	rk, ok := pub.Key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an RSA public key (%T)", c, pub.Key)
	}
	switch c {
	case ConfusePEM, ConfusePEMTrimmed, ConfuseDER:
		der, err := x509.MarshalPKIXPublicKey(rk)
		if err != nil {
			return nil, err
		}
		if c == ConfuseDER {
			return der, nil
		}
		p := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		if c == ConfusePEMTrimmed {
			p = bytes.TrimRight(p, "\n")
		}
		return p, nil
	case ConfusePKCS1:
		return pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(rk)}), nil
	case ConfuseJWK:
		return json.Marshal(pub)
	case ConfuseModulus:
		return rk.N.Bytes(), nil
	case ConfuseModulusB64:
		return []byte(base64.RawURLEncoding.EncodeToString(rk.N.Bytes())), nil
	}
	return nil, fmt.Errorf("unknown key encoding %q", c)
}
