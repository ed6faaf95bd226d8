package tokenendpoint

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
)

// This file holds the defect paths of JWT parsing: each one reads a token
// the way some real library does, so that a check of the strict rule in
// jws.go can be shown to fail. None of it runs unless a defect is on.

// lenientParse reports whether a catalog A parsing defect is on: then the
// token goes through parseLenient, which reads it as some real library does.
func (s *Server) lenientParse() bool {
	for _, d := range []defect.Name{defect.LenientBase64, defect.AllowTrailingJSON,
		defect.AcceptJSONSerialization, defect.UnwrapNestedUnverified, defect.DecodeClaimsTwice, defect.AcceptDERSignature} {
		if s.has(d) {
			return true
		}
	}
	return false
}

func (s *Server) parseLenient(raw string) (*token, error) {
	if s.has(defect.AcceptJSONSerialization) && strings.HasPrefix(strings.TrimSpace(raw), "{") {
		// The go-jose ParseSigned pitfall: it takes both serializations.
		var js struct{ Protected, Payload, Signature string }
		if err := json.Unmarshal([]byte(raw), &js); err != nil {
			return nil, errors.New("malformed JWS JSON serialization")
		}
		raw = js.Protected + "." + js.Payload + "." + js.Signature
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a compact JWS (want three segments)")
	}
	var segs [3][]byte
	for i, p := range parts {
		var err error
		if s.has(defect.LenientBase64) {
			// Go's decoder skips CR and LF; the padding is trimmed first.
			segs[i], err = base64.RawURLEncoding.DecodeString(strings.TrimRight(p, "="))
		} else {
			segs[i], err = decodeSegment(p)
		}
		if err != nil {
			return nil, errors.New("segment is not base64url")
		}
	}
	opts := parseOpts{firstDup: s.has(defect.FirstDuplicateWins), laxJSON: s.has(defect.AllowTrailingJSON)}
	h, err := decodeObject(segs[0], opts)
	if err != nil {
		return nil, errors.New("header: " + err.Error())
	}
	claimsText := segs[1]
	if cty, _, _ := str(h, "cty"); strings.EqualFold(cty, "JWT") && s.has(defect.UnwrapNestedUnverified) {
		// The inner JWT's claims are used and its signature never checked.
		inner := strings.Split(string(segs[1]), ".")
		if len(inner) != 3 {
			return nil, errors.New("nested JWT is not a compact JWS")
		}
		if claimsText, err = base64.RawURLEncoding.DecodeString(inner[1]); err != nil {
			return nil, errors.New("nested JWT payload is not base64url")
		}
	}
	c, err := decodeObject(claimsText, opts)
	if err != nil && s.has(defect.DecodeClaimsTwice) {
		var text string
		if json.Unmarshal(claimsText, &text) == nil {
			c, err = decodeObject([]byte(text), opts)
		}
	}
	if err != nil {
		return nil, errors.New("claims: " + err.Error())
	}
	return &token{raw: raw, si: parts[0] + "." + parts[1], sig: segs[2], header: h, claims: c,
		lenient: true, allowDER: s.has(defect.AcceptDERSignature)}, nil
}

// verifyInferred is defect.InferAlgFromKey: an assertion without alg is
// verified with whatever algorithm the client's key names.
func (s *Server) verifyInferred(ctx context.Context, t *token, c *Client) *rejection {
	candidates, rej := s.clientKeys(ctx, t, c)
	if rej != nil {
		return rej
	}
	for _, k := range candidates {
		if k.Algorithm != "" && verifyLax(t, k.Algorithm, k.Key) == nil {
			return nil
		}
	}
	return invalidClient("signature verification failed")
}

// clientErrorCode is defect.ClientErrorsAsRequest: client authentication
// failures answered with invalid_request instead of invalid_client.
func (s *Server) clientErrorCode(rej *rejection) *rejection {
	if rej != nil && s.has(defect.ClientErrorsAsRequest) && rej.code == oauth.InvalidClient {
		out := *rej
		out.code, out.status = oauth.InvalidRequest, http.StatusBadRequest
		return &out
	}
	return rej
}

// numericDate reads a NumericDate (RFC 7519 §2) with the two defect
// switches: strings holding numbers accepted, non-integers refused.
func (s *Server) numericDate(m map[string]json.RawMessage, name string) (float64, bool, error) {
	raw, ok := m[name]
	if ok && len(raw) > 1 && raw[0] == '"' && s.has(defect.LenientNumericDate) {
		var text string
		_ = json.Unmarshal(raw, &text)
		m = map[string]json.RawMessage{name: json.RawMessage(text)}
	}
	f, has, err := numericDate(m, name)
	if err == nil && has && f != float64(int64(f)) && (s.has(defect.IntegerNumericDate) || s.has(defect.IntegerTimeClaims)) {
		return 0, true, errors.New(name + " must be an integer")
	}
	return f, has, err
}

// anyJOSEAlg is defect.AnyJOSEAlg: every asymmetric algorithm a JOSE library
// verifies, not the list the metadata advertises (RFC 8725 §3.1).
func anyJOSEAlg(alg string) bool {
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA":
		return true
	}
	return false
}

// critIsB64 reports whether crit is exactly ["b64"] (RFC 7797 §6): the
// extension defect.AcceptB64False claims to understand and then ignores.
func critIsB64(t *token) bool {
	var crit []string
	return json.Unmarshal(t.header["crit"], &crit) == nil && len(crit) == 1 && crit[0] == "b64"
}
