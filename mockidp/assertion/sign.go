package assertion

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"io"
)

// SignBytes computes a JWS signature over si with alg (RFC 7518 §3) using
// only the standard library, so that any algorithm can be paired with any
// key: that is what the attack rows need. For HS* algorithms secret is the
// MAC key; otherwise priv is used. "none" yields an empty signature.
func SignBytes(alg string, priv crypto.PrivateKey, secret []byte, si []byte, rand io.Reader) ([]byte, error) {
	switch alg {
	case "none":
		return nil, nil
	case "HS256", "HS384", "HS512":
		m := hmac.New(hashFor(alg), secret)
		m.Write(si)
		return m.Sum(nil), nil
	case "EdDSA":
		k, ok := priv.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("sign %s: need an Ed25519 key, have %T", alg, priv)
		}
		return ed25519.Sign(k, si), nil
	}
	h := hashFor(alg)
	if h == nil {
		return nil, fmt.Errorf("sign: unsupported algorithm %q", alg)
	}
	d := h()
	d.Write(si)
	digest := d.Sum(nil)
	hid := cryptoHash(alg)
	switch alg[:2] {
	case "RS":
		k, ok := priv.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("sign %s: need an RSA key, have %T", alg, priv)
		}
		return rsa.SignPKCS1v15(rand, k, hid, digest)
	case "PS":
		k, ok := priv.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("sign %s: need an RSA key, have %T", alg, priv)
		}
		// RFC 7518 §3.5: the salt length equals the hash output size.
		return rsa.SignPSS(rand, k, hid, digest, &rsa.PSSOptions{SaltLength: d.Size()})
	case "ES":
		k, ok := priv.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("sign %s: need an EC key, have %T", alg, priv)
		}
		r, s, err := ecdsa.Sign(rand, k, digest)
		if err != nil {
			return nil, err
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		s.FillBytes(out[size:])
		return out, nil
	}
	return nil, fmt.Errorf("sign: unsupported algorithm %q", alg)
}

func hashFor(alg string) func() hash.Hash {
	if len(alg) < 5 {
		return nil
	}
	switch alg[2:] {
	case "256":
		return sha256.New
	case "384":
		return sha512.New384
	case "512":
		return sha512.New
	}
	return nil
}

func cryptoHash(alg string) crypto.Hash {
	switch alg[2:] {
	case "384":
		return crypto.SHA384
	case "512":
		return crypto.SHA512
	}
	return crypto.SHA256
}
