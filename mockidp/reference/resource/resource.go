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
	"crypto/sha512"
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

	// Alg and Secret make an HMAC verifier (HS256, HS384, HS512 keyed with
	// Secret) instead of one using the issuer's published keys.
	Alg    string
	Secret []byte
	// Kind is the token kind: "access" (default: typ at+jwt, RFC 9068),
	// "id_token" (an RP whose client_id is Audience: azp and nonce rules,
	// OIDC Core §3.1.3.7) or "jwt" (a plain JWT, RFC 7519).
	Kind string
	// Claims are required claims with their values.
	Claims map[string]string
	// Scope is a scope every token must carry: else 403 insufficient_scope.
	Scope string
	// Nonce, for ID Tokens, is the nonce the RP sent.
	Nonce string
	// PDP makes a policy decision point: POST a JSON body with the token
	// at subject.jwt (and copies in environment.jwt, which must be the same
	// token), every decision answered 200 {"decision": "allow" | "deny",
	// "advice": …}.
	PDP bool
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
	seen map[string]bool   // signatures verified before (VerifierCacheBySignature)
}

// New returns the reference resource server.
func New(cfg Config) *Server {
	if cfg.Skew == 0 {
		cfg.Skew = 10 * time.Second
	}
	if cfg.Defects == nil {
		cfg.Defects = defect.Set{}
	}
	return &Server{cfg: cfg, seen: map[string]bool{}}
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
	if v.cfg.PDP {
		v.decide(w, r)
		return
	}
	tok := ""
	if scheme, t, _ := strings.Cut(r.Header.Get("Authorization"), " "); strings.EqualFold(scheme, "Bearer") {
		tok = strings.TrimSpace(t)
	} else if r.Method == http.MethodPost {
		tok = r.PostFormValue("id_token")
	}
	if tok == "" {
		// RFC 6750 §3.1: no error code when the request carried no token.
		v.challenge(w, "")
		return
	}
	claims, err := v.verify(r.Context(), tok)
	if err != nil {
		v.challenge(w, err.Error())
		return
	}
	if !v.scoped(claims) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="assay", error="insufficient_scope", scope="`+sanitize(v.cfg.Scope)+`"`)
		w.WriteHeader(http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{"resource": "ok", "sub": claims["sub"], "client_id": claims["client_id"]})
}

// scoped says the token carries the required scope (RFC 6750 §3.1).
func (v *Server) scoped(claims map[string]any) bool {
	if v.cfg.Scope == "" || v.has(defect.VerifierIgnoreScope) {
		return true
	}
	s, _ := claims["scope"].(string)
	for _, x := range strings.Fields(s) {
		if x == v.cfg.Scope {
			return true
		}
	}
	return false
}

// decide is the policy decision point: the token at subject.jwt of a JSON
// body; every decision is HTTP 200, deny with the reason as advice.
func (v *Server) decide(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Subject struct {
			JWT string `json:"jwt"`
		} `json:"subject"`
		Environment struct {
			JWT []string `json:"jwt"`
		} `json:"environment"`
	}
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	answer := map[string]any{"decision": "allow", "advice": map[string]any{}}
	sigTok := req.Subject.JWT
	for _, t := range req.Environment.JWT {
		if t != req.Subject.JWT && !v.has(defect.VerifierSplitCopies) {
			answer = map[string]any{"decision": "deny", "advice": map[string]any{"reason": "environment.jwt is not subject.jwt"}}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(answer)
			return
		}
		sigTok = t // the defect: the signature of the environment's copy is checked
	}
	switch claims, err := v.verifySplit(r.Context(), sigTok, req.Subject.JWT); {
	case req.Subject.JWT == "":
		answer = map[string]any{"decision": "deny", "advice": map[string]any{"reason": "no JWT in the request"}}
	case err != nil:
		answer = map[string]any{"decision": "deny", "advice": map[string]any{"reason": err.Error()}}
	case !v.scoped(claims):
		answer = map[string]any{"decision": "deny", "advice": map[string]any{"reason": "insufficient scope"}}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
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
	return v.verifySplit(ctx, tok, tok)
}

// verifySplit verifies the signature of sigTok and judges the claims of
// claimTok: the same token, except under VerifierSplitCopies.
func (v *Server) verifySplit(ctx context.Context, sigTok, claimTok string) (map[string]any, error) {
	if v.has(defect.VerifierRejectAll) {
		return nil, errors.New("tokens are not accepted")
	}
	tok := sigTok
	parts := strings.Split(tok, ".")
	cparts := strings.Split(claimTok, ".")
	if len(parts) != 3 || len(cparts) != 3 {
		return nil, errors.New("not a compact JWS")
	}
	var header struct {
		Alg string          `json:"alg"`
		Kid string          `json:"kid"`
		Typ string          `json:"typ"`
		JWK json.RawMessage `json:"jwk"`
	}
	var claims map[string]any
	if err := decodeSegment(parts[0], &header); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if err := decodeSegment(cparts[1], &claims); err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	typ := strings.ToLower(strings.TrimPrefix(strings.ToLower(header.Typ), "application/"))
	if v.kind() == "access" && typ != "at+jwt" && !v.has(defect.VerifierIgnoreTyp) {
		return nil, errors.New("typ is not at+jwt")
	}
	if err := v.checkSignature(ctx, tok, parts, header.Alg, header.Kid, header.JWK); err != nil {
		return nil, err
	}
	if iss, _ := claims["iss"].(string); iss != v.cfg.Issuer && !v.has(defect.VerifierIgnoreIssuer) {
		return nil, errors.New("untrusted issuer")
	}
	if !audHas(claims["aud"], v.cfg.Audience) && !v.has(defect.VerifierIgnoreAudience) {
		return nil, errors.New("the token is not meant for this resource")
	}
	if err := v.idToken(claims); err != nil {
		return nil, err
	}
	if err := v.required(claims); err != nil {
		return nil, err
	}
	now := v.cfg.Clock()
	exp, ok := claims["exp"].(float64)
	if !ok && v.kind() != "jwt" && !v.has(defect.VerifierExpOptional) {
		return nil, errors.New("exp is required")
	}
	if ok && now.Sub(time.Unix(int64(exp), 0)) > v.cfg.Skew && !v.has(defect.VerifierIgnoreExpiry) {
		return nil, errors.New("the token has expired")
	}
	if nbf, ok := claims["nbf"].(float64); ok && time.Unix(int64(nbf), 0).Sub(now) > v.cfg.Skew && !v.has(defect.VerifierIgnoreNotBefore) {
		return nil, errors.New("the token is not valid yet")
	}
	return claims, nil
}

func (v *Server) kind() string {
	if v.cfg.Kind == "" {
		return "access"
	}
	return v.cfg.Kind
}

// idToken applies OIDC Core §3.1.3.7 items 4, 5 and 11 to an ID Token: two
// or more audiences need azp, azp must be the client, nonce must be the
// one sent.
func (v *Server) idToken(claims map[string]any) error {
	if v.kind() != "id_token" {
		return nil
	}
	azp, hasAzp := claims["azp"].(string)
	if !v.has(defect.VerifierIgnoreAzp) {
		if auds, _ := claims["aud"].([]any); len(auds) > 1 && !hasAzp {
			return errors.New("several audiences and no azp")
		}
		if hasAzp && azp != v.cfg.Audience {
			return errors.New("azp is another party")
		}
	}
	if n, _ := claims["nonce"].(string); v.cfg.Nonce != "" && n != v.cfg.Nonce && !v.has(defect.VerifierIgnoreNonce) {
		return errors.New("nonce mismatch")
	}
	return nil
}

// required checks the required claims' presence and values.
func (v *Server) required(claims map[string]any) error {
	for name, want := range v.cfg.Claims {
		got, ok := claims[name]
		if !ok {
			if v.has(defect.VerifierIgnoreRequiredClaims) {
				continue
			}
			return fmt.Errorf("claim %s is required", name)
		}
		if s, _ := got.(string); s != want && !v.has(defect.VerifierClaimPresenceOnly) {
			return fmt.Errorf("claim %s has another value", name)
		}
	}
	return nil
}

// checkSignature verifies the token's signature once per distinct
// signature under VerifierCacheBySignature, every time otherwise.
func (v *Server) checkSignature(ctx context.Context, tok string, parts []string, alg, kid string, jwk json.RawMessage) error {
	if v.has(defect.VerifierCacheBySignature) {
		v.mu.Lock()
		seen := v.seen[parts[2]]
		v.mu.Unlock()
		if seen {
			return nil
		}
	}
	if err := v.signature(ctx, tok, parts, alg, kid, jwk); err != nil {
		return err
	}
	v.mu.Lock()
	v.seen[parts[2]] = true
	v.mu.Unlock()
	return nil
}

// embedded verifies with the key in the token's own header, which only
// the VerifierTrustEmbeddedJWK defect does (RFC 7515 §4.1.3 is no trust).
func embedded(tok, alg string, jwk json.RawMessage) error {
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(jwk); err != nil {
		return errors.New("malformed jwk")
	}
	obj, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		return errors.New("malformed token")
	}
	if _, err := obj.Verify(k.Key); err != nil {
		return errors.New("signature verification failed")
	}
	return nil
}

// hmacSignature verifies a MAC by the shared secret with the configured
// algorithm (RFC 7518 §3.2).
func (v *Server) hmacSignature(parts []string, alg string) error {
	switch {
	case alg == "none" && v.has(defect.VerifierAcceptAlgNone):
		return nil
	case v.has(defect.VerifierIgnoreAlgHeader):
		// the MAC is recomputed with the configured algorithm, whatever
		// the header says
	case alg != v.cfg.Alg:
		return errors.New("algorithm not allowed")
	case v.has(defect.VerifierHS256Unchecked), v.has(defect.VerifierSkipSignature):
		return nil
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return errors.New("malformed signature")
	}
	h := sha256.New
	switch v.cfg.Alg {
	case "HS384":
		h = sha512.New384
	case "HS512":
		h = sha512.New
	}
	m := hmac.New(h, v.cfg.Secret)
	m.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(m.Sum(nil), sig) {
		return errors.New("signature verification failed")
	}
	return nil
}

// signature checks alg against the allowlist and verifies the signature
// with the issuer's key named by kid (RFC 8725 §3.1), or the shared
// secret of an HMAC verifier.
func (v *Server) signature(ctx context.Context, tok string, parts []string, alg, kid string, jwk json.RawMessage) error {
	if len(jwk) > 0 && v.has(defect.VerifierTrustEmbeddedJWK) {
		return embedded(tok, alg, jwk)
	}
	if v.cfg.Secret != nil {
		return v.hmacSignature(parts, alg)
	}
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
	obj, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
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
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("parse issuer jwks: %w", err)
	}
	// Key by key: a member that does not parse is dropped, not the set.
	// go-jose refuses a JWK whose x5c or x5t does not match its key (RFC
	// 7517 §4.7-4.8); VerifierTrustsInconsistentX5c strips them and keeps
	// the key.
	var out []jose.JSONWebKey
	for _, raw := range doc.Keys {
		var k jose.JSONWebKey
		err := k.UnmarshalJSON(raw)
		if err != nil && v.has(defect.VerifierTrustsInconsistentX5c) {
			var m map[string]any
			if json.Unmarshal(raw, &m) == nil {
				delete(m, "x5c")
				delete(m, "x5t")
				delete(m, "x5t#S256")
				bare, _ := json.Marshal(m)
				err = k.UnmarshalJSON(bare)
			}
		}
		if err == nil {
			out = append(out, k)
		}
	}
	return out, nil
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
