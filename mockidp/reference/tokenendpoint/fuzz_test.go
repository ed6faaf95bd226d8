package tokenendpoint

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/profile"
)

// fuzzNow is the fixed clock of the request fuzz target: the committed
// seeds carry assertions issued at this instant, so they stay valid.
var fuzzNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// FuzzParseCompact: parseCompact never panics, and what it accepts is a
// strict compact JWS: three base64url segments that re-encode to the input.
func FuzzParseCompact(f *testing.F) {
	f.Add(clientJWT(f, fuzzNow, "client-a.es256", "seed"))
	f.Add(b64(`{"alg":"none"}`) + "." + b64(`{}`) + ".")
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := parseCompact(raw, parseOpts{})
		if err != nil {
			return
		}
		parts := strings.Split(raw, ".")
		if len(parts) != 3 || tok.raw != raw || tok.si != parts[0]+"."+parts[1] {
			t.Fatalf("accepted %q as %+v", raw, tok)
		}
		if b64string(tok.sig) != parts[2] {
			t.Fatalf("signature segment %q is not the canonical encoding of its bytes", parts[2])
		}
		if tok.header == nil || tok.claims == nil {
			t.Fatal("nil header or claims")
		}
		// Whatever was accepted must be safe to read with the claim helpers.
		_, _, _ = str(tok.header, "alg")
		_, _, _ = numericDate(tok.claims, "exp")
		_, _, _ = audValues(tok.claims)
	})
}

func b64string(b []byte) string { return b64(string(b)) }

// FuzzParseKeySet: the reference's JWKS parser never panics and never
// returns a private or symmetric key.
func FuzzParseKeySet(f *testing.F) {
	set := keys.Set{keys.MustFixture("client-a.es256"), keys.MustFixture("client-a.eddsa")}.Public()
	b, _ := json.Marshal(set)
	f.Add(b)
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ks, err := parseKeySet(b, false, false)
		if err != nil {
			return
		}
		for _, k := range ks {
			if !k.IsPublic() {
				t.Fatalf("parseKeySet returned a non-public key %q", k.KeyID)
			}
			if _, sym := k.Key.([]byte); sym {
				t.Fatalf("parseKeySet returned a symmetric key %q", k.KeyID)
			}
		}
	})
}

// fuzzServers holds one server per defect: building one per input would
// spend the fuzzing time on parsing key fixtures.
var fuzzServers sync.Map // defect.Name -> *Server

func fuzzServer(t *testing.T, d defect.Name) *Server {
	if s, ok := fuzzServers.Load(d); ok {
		return s.(*Server)
	}
	var ds []defect.Name
	if d != "" {
		ds = append(ds, d)
	}
	s, err := New(testConfig(t, func() time.Time { return fuzzNow }, profile.BASE, ds...))
	if err != nil {
		t.Fatal(err)
	}
	fuzzServers.Store(d, s)
	return s
}

// FuzzServeHTTP posts arbitrary form bodies (with an optional Authorization
// header and one optional defect switched on) to the reference token
// endpoint: it must never panic, and never answer 5xx (catalog U2) except
// under the defect that exists to do so.
func FuzzServeHTTP(f *testing.F) {
	f.Add([]byte(clientForm(clientJWT(f, fuzzNow, "client-a.es256", "seed-1"))), "", "")
	f.Add([]byte("grant_type=client_credentials&client_assertion="), "Basic Y2xpZW50LXM6eA==", string(defect.FirstJWTOfList))
	f.Fuzz(func(t *testing.T, body []byte, authorization, defectName string) {
		if !defect.Known(defect.Name(defectName)) {
			defectName = ""
		}
		s := fuzzServer(t, defect.Name(defectName))
		req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code >= 500 && !s.has(defect.ErrorStatus500) {
			t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type %q", ct)
		}
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("body is not JSON: %v: %s", err, rec.Body)
		}
		if rec.Code != http.StatusOK && m["access_token"] != nil {
			t.Fatalf("HTTP %d with an access token", rec.Code)
		}
	})
}

// TestFuzzSeedsStayValid: the committed request seeds that carry a valid
// assertion are accepted at fuzzNow, so the fuzzer starts from the success
// path and not only from rejections.
func TestFuzzSeedsStayValid(t *testing.T) {
	s, err := New(testConfig(t, func() time.Time { return fuzzNow }, profile.BASE))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"valid-client-credentials", "valid-ps256"} {
		b, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzServeHTTP", name))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		body, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if rec := post(s, body); rec.Code != http.StatusOK {
			t.Errorf("seed %s: HTTP %d %s", name, rec.Code, rec.Body)
		}
	}
}
