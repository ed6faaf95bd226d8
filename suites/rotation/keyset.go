package rotation

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/profile"
	"github.com/assayhq/assay/suites/check"
)

// nonFAPI2 are the profiles that allow HS256 client assertions at all:
// under FAPI2 the algorithm allowlist refuses them before any key is chosen.
func nonFAPI2() []check.Profile {
	return profile.Where(func(r profile.Rules) bool { return r.AllowsAlg("HS256") })
}

// keySetChecks: client key sets that are legal but tricky, or that hold
// keys a verifier must not use (RFC 7517 §4.2, §4.5; OIDC Registration §2;
// FAPI 2.0 SP §5.4.3).
func keySetChecks() []check.Check {
	return []check.Check{
		{
			ID: "A-KR-04", Level: check.MUST, Cite: []string{"FAPI2-5.4.3", "RFC7517-4.5"}, Defect: defect.DuplicateKidFirstKey,
			KillIn:   []check.Profile{check.FAPI2}, // a MUST there; elsewhere the defect gives WARN
			Verdicts: duplicateKidVerdicts(),
			Title:    "an RSA and an EC key sharing one kid: an ES256 assertion verifies with the EC key (FAPI2 must, others should; BCP: or is refused), never 5xx",
			Run:      scenario(duplicateKid),
		},
		{
			ID: "A-KR-05", Verdicts: verdicts("REJ-C", "REJ-C"), Level: check.MUST, Cite: []string{"OIDC-Reg-2"}, Defect: defect.ClientJWKSSymmetricKeys, KillIn: nonFAPI2(),
			Title: "a symmetric (oct) key in the client's JWKS does not verify an HS256 assertion",
			Run:   scenario(symmetricKey),
		},
		{
			ID: "A-KR-05.2", Verdicts: verdicts("REJ-C", "REJ-C"), Level: check.MUST, Cite: []string{"OIDC-Reg-2", "RFC7517-9.2"}, Defect: defect.ClientJWKSPrivateKeys,
			Title: "a client key published with its private members (d, p, q) is not used to verify an assertion",
			Run:   scenario(privateKey),
		},
		{
			ID: "C-ROT-05", Verdicts: verdicts("REJ-C", "REJ-C"), Level: check.MUST, Cite: []string{"RFC7517-4.2"}, Defect: defect.AcceptEncKeys,
			Title: "a client key published with use \"enc\" does not verify an assertion",
			Run:   scenario(encKey),
		},
		{
			ID: "C-ROT-06", Verdicts: verdicts("REJ-C", "REJ-C"), Level: check.MUST, Cite: []string{"RFC8725-3.1", "FAPI2-5.4.3"}, Defect: defect.HMACWithPublicKey, KillIn: nonFAPI2(),
			Title: "an HS256 assertion keyed with the RSA public key PEM under a kid shared by an RSA and an EC key is refused",
			Run:   scenario(duplicateKidHMAC),
		},
	}
}

// verdicts is the catalog verdict: all but BCP, then BCP.
func verdicts(others, bcp string) map[check.Profile]string {
	m := map[check.Profile]string{}
	for _, p := range check.Profiles() {
		m[p] = others
	}
	m[check.BCP] = bcp
	return m
}

// publishDuplicate publishes client A's RSA key and then a second EC key,
// both under one fresh kid, and returns the kid, the EC key and the RSA
// key's public PEM.
func publishDuplicate(s *scene) (string, keys.Key, []byte, error) {
	rsaKey, err := freshKey(s.e, "client-a.rs256", "RS256")
	if err != nil {
		return "", keys.Key{}, nil, err
	}
	ecKey, err := keys.Fixture("client-a2.es256")
	if err != nil {
		return "", keys.Key{}, nil, err
	}
	ecKey = ecKey.With(rsaKey.ID(), "ES256")
	rm, err := member(rsaKey, nil)
	if err != nil {
		return "", keys.Key{}, nil, err
	}
	em, err := member(ecKey, nil)
	if err != nil {
		return "", keys.Key{}, nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(rsaKey.PublicKey())
	if err != nil {
		return "", keys.Key{}, nil, fmt.Errorf("encode rsa public key: %w", err)
	}
	s.publish(rm, em) // the RSA key first: a verifier that takes the first match picks the wrong type
	return rsaKey.ID(), ecKey, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

func duplicateKid(ctx context.Context, s *scene) check.Result {
	if alg := check.DefaultAlg(s.e.Cast.A); alg != "ES256" {
		return check.NA("client A is registered for " + alg + " and the scenario sends an ES256 assertion")
	}
	since := s.h.Hits()
	kid, ec, _, err := publishDuplicate(s)
	if err != nil {
		return s.harness(err, nil)
	}
	tr, err := s.converge(ctx, since, true, assertion.SignWith(ec))
	if err != nil {
		return s.harness(err, tr)
	}
	what := "ES256 assertion with kid " + kid + " shared by an RSA and an EC key"
	if s.e.Profile == check.BCP {
		if r, bad := no5xx(tr, what); bad {
			return r
		}
		if !issued(tr) {
			if r, bad := s.rejected(ctx, check.MUST, tr, what); bad {
				return r
			}
			s.notes = append(s.notes, what+": refused (strict BCP reading: an ambiguous key set)")
		}
		return check.Pass()
	}
	// RFC 7517 §4.5 allows one kid for keys of different kty; only FAPI2
	// §5.4.3 makes the verifier's disambiguation a requirement.
	level := check.SHOULD
	if s.e.Profile == check.FAPI2 {
		level = check.MUST
	}
	if r, bad := s.accepted(level, tr, what); bad { // a 5xx stays a MUST
		return r
	}
	return check.Pass()
}

// duplicateKidVerdicts is A-KR-04's expectation per profile.
func duplicateKidVerdicts() map[check.Profile]string {
	m := verdicts("OK (SHOULD)", "OK or REJ-C")
	m[check.FAPI2] = "OK"
	return m
}

func duplicateKidHMAC(ctx context.Context, s *scene) check.Result {
	since := s.h.Hits()
	kid, _, pemKey, err := publishDuplicate(s)
	if err != nil {
		return s.harness(err, nil)
	}
	tr, err := s.converge(ctx, since, true, assertion.HMAC(pemKey), assertion.Header("kid", kid))
	if err != nil {
		return s.harness(err, tr)
	}
	if r, bad := s.rejected(ctx, check.MUST, tr, "HS256 assertion keyed with the RSA public key PEM, kid "+kid); bad {
		return r
	}
	return check.Pass()
}

func symmetricKey(ctx context.Context, s *scene) check.Result {
	kid, err := freshKid(s.e, "assay-oct")
	if err != nil {
		return s.harness(err, nil)
	}
	secret := make([]byte, 32)
	if _, err := s.e.Rand.Read(secret); err != nil {
		return s.harness(fmt.Errorf("make secret: %w", err), nil)
	}
	oct, err := json.Marshal(map[string]string{"kty": "oct", "kid": kid, "alg": "HS256", "k": base64.RawURLEncoding.EncodeToString(secret)})
	if err != nil {
		return s.harness(err, nil)
	}
	since := s.h.Hits()
	s.publish(oct)
	tr, err := s.converge(ctx, since, true, assertion.HMAC(secret), assertion.Header("kid", kid))
	if err != nil {
		return s.harness(err, tr)
	}
	if r, bad := s.rejected(ctx, check.MUST, tr, "HS256 assertion keyed with the oct key "+kid+" published in the client's JWKS"); bad {
		return r
	}
	return check.Pass()
}

func encKey(ctx context.Context, s *scene) check.Result {
	k, tr, res := s.publishSigned(ctx, func(m map[string]any) { m["use"] = "enc" })
	if res != nil {
		return *res
	}
	if r, bad := s.rejected(ctx, check.MUST, tr, "assertion signed by key "+k.ID()+", published with use \"enc\""); bad {
		return r
	}
	return check.Pass()
}

// privateKey publishes a new key of client A's with its private members:
// a key set that leaks a private key must not be trusted for it.
func privateKey(ctx context.Context, s *scene) check.Result {
	k, err := newSigningKey(s.e)
	if err != nil {
		return s.harness(err, nil)
	}
	m, err := json.Marshal(jose.JSONWebKey{Key: k.Private(), KeyID: k.ID(), Algorithm: k.Alg(), Use: "sig"})
	if err != nil {
		return s.harness(fmt.Errorf("marshal private jwk %s: %w", k.ID(), err), nil)
	}
	since := s.h.Hits()
	s.publish(m)
	tr, err := s.converge(ctx, since, true, assertion.SignWith(k))
	if err != nil {
		return s.harness(err, tr)
	}
	if r, bad := s.rejected(ctx, check.MUST, tr, "assertion signed by key "+k.ID()+", published with its private members"); bad {
		return r
	}
	return check.Pass()
}
