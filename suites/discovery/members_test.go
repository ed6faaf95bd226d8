package discovery

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/client"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites/check"
)

// TestSignedMetadataCompactOnly: RFC 8414 §2.1 makes signed_metadata a
// JWT, and a JWT is a JWS in the compact serialization (RFC 7519 §7.2), so
// A-MD-14 fails the JSON serialization even when its signature verifies.
func TestSignedMetadataCompactOnly(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: priv}, nil)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign([]byte(`{"iss":"https://as.example"}`))
	if err != nil {
		t.Fatal(err)
	}
	compact, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		signed string
		want   v1.Outcome
	}{
		"compact": {compact, v1.Pass},
		"json":    {jws.FullSerialize(), v1.Fail},
	} {
		t.Run(name, func(t *testing.T) {
			mux := http.NewServeMux()
			srv := httptest.NewServer(mux)
			defer srv.Close()
			mux.HandleFunc("/metadata", func(w http.ResponseWriter, _ *http.Request) {
				_ = json.NewEncoder(w).Encode(map[string]string{"issuer": "https://as.example", "signed_metadata": tc.signed})
			})
			mux.HandleFunc("/jwks", func(w http.ResponseWriter, _ *http.Request) {
				_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &priv.PublicKey, Algorithm: "ES256", Use: "sig"}}})
			})
			e := &check.Env{
				Target: check.Target{MetadataURL: srv.URL + "/metadata"},
				HTTP:   &client.Client{HTTP: srv.Client(), Now: time.Now, Since: time.Since},
			}
			e.Meta.JWKSURI = srv.URL + "/jwks"
			if r := signedMetadata(context.Background(), e); r.Outcome != tc.want {
				t.Errorf("got %s (%s), want %s", r.Outcome, r.Reason, tc.want)
			}
		})
	}
}
