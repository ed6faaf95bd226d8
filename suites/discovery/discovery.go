// Package discovery holds the checks of the documents around the token
// endpoint: authorization server metadata (RFC 8414; OpenID Connect
// Discovery 1.0), the server's JWKS (RFC 7517), and the token responses and
// JWT access tokens it issues (RFC 6749 §5; RFC 9068).
package discovery

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/suites/check"
)

func cite(c ...string) []string { return c }

// Checks returns every discovery, JWKS and token-response check: those of
// the documents in suite "discovery", those of the token responses in
// suite "response".
func Checks() []check.Check {
	documents := check.Suite{Name: "discovery"}.Checks(metadataChecks(), jwksChecks(), memberChecks(), keysetChecks())
	responses := check.Suite{Name: "response"}.Checks(responseChecks(), tokenResponseChecks())
	return append(documents, responses...)
}

// fetch GETs a document (metadata, a JWKS) and returns the transcript. A
// document larger than the body cap is an error naming its size, not a
// malformed or missing one: the rows cannot judge what assay did not read.
func fetch(ctx context.Context, e *check.Env, u string) (*client.Transcript, error) {
	tr, err := e.HTTP.Do(ctx, client.Request{Method: http.MethodGet, URL: u})
	if err == nil && tr.Truncated {
		return tr, TooLarge(u)
	}
	return tr, err
}

// TooLarge is the error for a document over client.MaxBody.
func TooLarge(u string) error {
	return fmt.Errorf("the document at %s is larger than %d bytes, the most assay reads; it was not judged", u, client.MaxBody)
}

// metadataDoc fetches the metadata document assay discovered.
func metadataDoc(ctx context.Context, e *check.Env) (*client.Transcript, map[string]json.RawMessage, *check.Result) {
	u := e.Target.MetadataURL
	if u == "" {
		// RFC 8414 §3 binds servers "supporting metadata"; whether one
		// must publish it at all is A-MD-01's row alone.
		r := check.NA("the target publishes no metadata at either well-known location (A-MD-01 judges that)")
		return nil, nil, &r
	}
	tr, err := fetch(ctx, e, u)
	if err != nil {
		r := check.Error(err.Error(), tr)
		return tr, nil, &r
	}
	var m map[string]json.RawMessage
	if tr.Status != http.StatusOK || json.Unmarshal(tr.Body, &m) != nil || m == nil {
		r := check.Broken(check.MUST, fmt.Sprintf("metadata at %s is not a JSON object with status 200 (HTTP %d)", u, tr.Status), tr)
		return tr, nil, &r
	}
	return tr, m, nil
}

func strMember(m map[string]json.RawMessage, name string) (string, bool) {
	raw, ok := m[name]
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func listMember(m map[string]json.RawMessage, name string) ([]string, bool) {
	raw, ok := m[name]
	if !ok {
		return nil, false
	}
	var l []string
	if json.Unmarshal(raw, &l) != nil {
		return nil, false
	}
	return l, true
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
