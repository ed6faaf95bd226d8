// Package resource is the strict reference resource server (RFC 9068 §4,
// RFC 6750): it takes the access tokens of a trusted issuer as
// "Authorization: Bearer" and can switch off each of its rules by a named
// defect, so that the resource suite can prove its checks able to fail.
//
// https://datatracker.ietf.org/doc/html/rfc9068#section-4
package resource

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/defect"
)

// Config configures the reference resource server.
type Config struct {
	Issuer   string // the only trusted iss
	JWKSURI  string // the issuer's keys
	Audience string // this resource server's identifier: aud must hold it
	Clock    func() time.Time
	HTTP     *http.Client
	Skew     time.Duration // leeway on exp and nbf; default 10 s
	Defects  defect.Set
}

// Server is the strict reference resource server: it serves GET /resource
// to a valid RFC 9068 access token and answers anything else with 401 and a
// Bearer challenge carrying error="invalid_token". It fetches the issuer's JWKS for every request,
// so that a key the issuer withdraws stops working at once (a production
// verifier caches; suite rotation covers caching on the token endpoint).
type Server struct {
	cfg Config

	mu   sync.Mutex
	keys []jose.JSONWebKey // the last fetched set (all sets ever, under VerifierKeepsRetiredKeys)
	once bool              // fetched at least once (VerifierNoRefetch)
}

// New returns the reference resource server.
func New(cfg Config) *Server {
	if cfg.Skew == 0 {
		cfg.Skew = 10 * time.Second
	}
	if cfg.Defects == nil {
		cfg.Defects = defect.Set{}
	}
	return &Server{cfg: cfg}
}

// Path is where the protected resource is served.
const Path = "/resource"

func (v *Server) has(d defect.Name) bool { return v.cfg.Defects.Has(d) }

// ServeHTTP implements http.Handler.
func (v *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != Path {
		http.NotFound(w, r)
		return
	}
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		// RFC 6750 §3.1: no error code when the request carried no token.
		v.challenge(w, "")
		return
	}
	claims, err := v.verify(r.Context(), strings.TrimSpace(tok))
	if err != nil {
		v.challenge(w, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{"resource": "ok", "sub": claims["sub"], "client_id": claims["client_id"]})
}

// challenge answers 401 with WWW-Authenticate: Bearer (RFC 6750 §3).
func (v *Server) challenge(w http.ResponseWriter, desc string) {
	if !v.has(defect.VerifierNoChallenge) {
		c := `Bearer realm="assay"`
		if desc != "" {
			c += `, error="invalid_token", error_description="` + sanitize(desc) + `"`
		}
		w.Header().Set("WWW-Authenticate", c)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	body := map[string]string{}
	if desc != "" {
		body["error"], body["error_description"] = "invalid_token", sanitize(desc)
	}
	_ = json.NewEncoder(w).Encode(body)
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '?'
		}
		return r
	}, s)
}

// verify applies RFC 9068 §4 in order: typ, alg, key, signature, iss,
// aud, exp, nbf.
func (v *Server) verify(ctx context.Context, tok string) (map[string]any, error) {
	if v.has(defect.VerifierRejectAll) {
		return nil, errors.New("tokens are not accepted")
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a compact JWS")
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}
	var claims map[string]any
	if err := decodeSegment(parts[0], &header); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	typ := strings.ToLower(strings.TrimPrefix(strings.ToLower(header.Typ), "application/"))
	if typ != "at+jwt" && !v.has(defect.VerifierIgnoreTyp) {
		return nil, errors.New("typ is not at+jwt")
	}
	if err := v.signature(ctx, tok, parts, header.Alg, header.Kid); err != nil {
		return nil, err
	}
	if iss, _ := claims["iss"].(string); iss != v.cfg.Issuer && !v.has(defect.VerifierIgnoreIssuer) {
		return nil, errors.New("untrusted issuer")
	}
	if !audHas(claims["aud"], v.cfg.Audience) && !v.has(defect.VerifierIgnoreAudience) {
		return nil, errors.New("the token is not meant for this resource")
	}
	now := v.cfg.Clock()
	exp, ok := claims["exp"].(float64)
	if !ok {
		return nil, errors.New("exp is required")
	}
	if now.Sub(time.Unix(int64(exp), 0)) > v.cfg.Skew && !v.has(defect.VerifierIgnoreExpiry) {
		return nil, errors.New("the token has expired")
	}
	if nbf, ok := claims["nbf"].(float64); ok && time.Unix(int64(nbf), 0).Sub(now) > v.cfg.Skew && !v.has(defect.VerifierIgnoreNotBefore) {
		return nil, errors.New("the token is not valid yet")
	}
	return claims, nil
}

// signature checks alg against the asymmetric allowlist and verifies the
// signature with the issuer's key named by kid (RFC 8725 §3.1).
func (v *Server) signature(ctx context.Context, tok string, parts []string, alg, kid string) error {
	switch alg {
	case "none":
		if v.has(defect.VerifierAcceptAlgNone) {
			return nil
		}
		return errors.New("unsecured tokens are not accepted")
	case "HS256":
		if v.has(defect.VerifierHS256Unchecked) {
			return nil
		}
		if v.has(defect.VerifierHMACWithPublicKey) {
			ks, _ := v.keySet(ctx, kid)
			for _, k := range ks {
				if hmacWithPublic(parts, k) {
					return nil
				}
			}
		}
		return errors.New("symmetric algorithms are not accepted")
	case "ES256", "RS256", "PS256", "EdDSA":
	default:
		return errors.New("algorithm not allowed")
	}
	if v.has(defect.VerifierSkipSignature) {
		return nil
	}
	ks, err := v.keySet(ctx, kid)
	if err != nil {
		return err
	}
	var key *jose.JSONWebKey
	for i := range ks {
		if ks[i].KeyID == kid && (ks[i].Algorithm == "" || ks[i].Algorithm == alg) {
			key = &ks[i]
		}
	}
	if key == nil {
		if v.has(defect.VerifierUnknownKidUnsigned) {
			return nil
		}
		return errors.New("no key with this kid")
	}
	obj, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		return errors.New("malformed token")
	}
	if _, err := obj.Verify(key.Key); err != nil {
		return errors.New("signature verification failed")
	}
	return nil
}

// keySet returns the issuer's keys, fetched now (or as the defects say).
func (v *Server) keySet(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.once && v.has(defect.VerifierNoRefetch) {
		return v.keys, nil
	}
	ks, err := v.fetch(ctx)
	if err != nil {
		return nil, err
	}
	v.once = true
	if v.has(defect.VerifierKeepsRetiredKeys) {
		v.keys = append(v.keys, ks...)
	} else {
		v.keys = ks
	}
	return v.keys, nil
}

func (v *Server) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.cfg.JWKSURI, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch issuer jwks: %w", err)
	}
	resp, err := v.cfg.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch issuer jwks: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch issuer jwks: status %d", resp.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, fmt.Errorf("parse issuer jwks: %w", err)
	}
	return set.Keys, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return errors.New("not base64url")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(v); err != nil {
		return errors.New("not a JSON object")
	}
	return nil
}

func audHas(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		for _, x := range a {
			if s, _ := x.(string); s == want {
				return true
			}
		}
	}
	return false
}

// hmacWithPublic is the algorithm-confusion defect: HS256 verified with the
// PEM of an issuer public key as the secret.
func hmacWithPublic(parts []string, k jose.JSONWebKey) bool {
	der, err := x509.MarshalPKIXPublicKey(k.Key)
	if err != nil {
		return false
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, pemKey)
	m.Write([]byte(parts[0] + "." + parts[1]))
	return hmac.Equal(m.Sum(nil), sig)
}
