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

// metadataEnv serves doc as the metadata document (and jwks at /jwks).
func metadataEnv(t *testing.T, doc map[string]any, jwks any) *check.Env {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mux.HandleFunc("/metadata", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, _ *http.Request) { _ = json.NewEncoder(w).Encode(jwks) })
	e := &check.Env{
		Target:  check.Target{Issuer: "https://as.example", MetadataURL: srv.URL + "/metadata"},
		Profile: check.BASE,
		HTTP:    &client.Client{HTTP: srv.Client(), Now: time.Now, Since: time.Since},
	}
	e.Meta.JWKSURI = srv.URL + "/jwks"
	return e
}

func byID(t *testing.T, id string) check.Check {
	t.Helper()
	for _, c := range Checks() {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %s", id)
	return check.Check{}
}

// TestNoAuthorizationEndpointAgrees: a server without an authorization
// endpoint supports no response type. RFC 8414 §2 makes
// response_types_supported REQUIRED, §3.2 has a member with zero elements
// omitted; A-MD-06 and A-MD-11 accept both readings, so neither form fails
// either row, while a server with an authorization endpoint still must list
// its response types and omit empty members.
func TestNoAuthorizationEndpointAgrees(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{"issuer": "https://as.example", "token_endpoint": "https://as.example/token"}
	}
	omitted := base()
	empty := base()
	empty["response_types_supported"] = []string{}
	withAuthz := base()
	withAuthz["authorization_endpoint"] = "https://as.example/authorize"
	withAuthzEmpty := base()
	withAuthzEmpty["authorization_endpoint"] = "https://as.example/authorize"
	withAuthzEmpty["response_types_supported"] = []string{}
	for _, tc := range []struct {
		name       string
		doc        map[string]any
		md06, md11 v1.Outcome
	}{
		{"omitted", omitted, v1.Pass, v1.Pass},
		{"empty", empty, v1.Pass, v1.Pass},
		{"authorization endpoint, omitted", withAuthz, v1.Fail, v1.Pass},
		{"authorization endpoint, empty", withAuthzEmpty, v1.Pass, v1.Fail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := metadataEnv(t, tc.doc, nil)
			for id, want := range map[string]v1.Outcome{"A-MD-06": tc.md06, "A-MD-11": tc.md11} {
				if r := byID(t, id).Run(context.Background(), e); r.Outcome != want {
					t.Errorf("%s: %s (%s), want %s", id, r.Outcome, r.Reason, want)
				}
			}
		})
	}
}

// TestSignedMetadataAttesters: RFC 8414 §2.1 wants a JWS "signed or MACed"
// with an iss naming the attesting party, and names no key. Metadata
// attested by a third party, or MACed, passes without a key in the AS's
// jwks_uri; metadata without iss fails; self-attested metadata no AS key
// verifies is a warning.
func TestSignedMetadataAttesters(t *testing.T) {
	sign := func(alg jose.SignatureAlgorithm, key any, claims string) string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, nil)
		if err != nil {
			t.Fatal(err)
		}
		j, err := s.Sign([]byte(claims))
		if err != nil {
			t.Fatal(err)
		}
		c, err := j.CompactSerialize()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	mac := []byte("0123456789abcdef0123456789abcdef")
	other := ecKey(t)
	for _, tc := range []struct {
		name   string
		signed string
		want   v1.Outcome
	}{
		{"third party", sign(jose.ES256, other, `{"iss":"https://federation.example"}`), v1.Pass},
		{"MACed", sign(jose.HS256, mac, `{"iss":"https://as.example"}`), v1.Pass},
		{"no iss", sign(jose.HS256, mac, `{"token_endpoint":"https://as.example/token"}`), v1.Fail},
		{"self, unverifiable", sign(jose.ES256, other, `{"iss":"https://as.example"}`), v1.Warn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := map[string]any{"issuer": "https://as.example", "signed_metadata": tc.signed}
			e := metadataEnv(t, doc, map[string]any{"keys": []any{}})
			if r := signedMetadata(context.Background(), e); r.Outcome != tc.want {
				t.Errorf("got %s (%s), want %s", r.Outcome, r.Reason, tc.want)
			}
		})
	}
}

func ecKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
