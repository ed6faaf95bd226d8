package tokenendpoint

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
)

// credentialParams may never travel in the URI (RFC 6749 §2.3.1, §3.2).
var credentialParams = []string{"client_assertion", "client_assertion_type", "client_secret", "assertion"}

// knownParams are the parameters the reference understands; others are
// ignored (RFC 6749 §3.2) unless defect.RejectUnknownParams is on.
var knownParams = map[string]bool{
	"grant_type": true, "scope": true, "client_id": true, "client_secret": true,
	"client_assertion": true, "client_assertion_type": true, "assertion": true,
	"username": true, "password": true, "resource": true, "audience": true,
	"token": true, "token_type_hint": true, // introspection (RFC 7662 §2.1)
}

// token handles the token endpoint (RFC 6749 §3.2, §4.4; RFC 7523 §2).
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	form, rej := s.parseRequest(w, r)
	if rej != nil {
		s.writeError(w, rej)
		return
	}
	resp, rej := s.handle(r, form)
	if rej != nil {
		s.writeError(w, rej)
		return
	}
	s.noStore(w)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s.responseBody(resp))
}

// parseRequest enforces RFC 6749 §3.2 framing: POST, form encoding, no
// repeated parameters, empty values treated as omitted, credentials not in
// the URI, bounded size.
func (s *Server) parseRequest(w http.ResponseWriter, r *http.Request) (url.Values, *rejection) {
	if r.Method != http.MethodPost && !(r.Method == http.MethodGet && s.has(defect.AllowGET)) {
		w.Header().Set("Allow", "POST")
		e := invalidRequest("the token endpoint accepts POST only")
		e.status = http.StatusMethodNotAllowed
		return nil, e
	}
	limit := s.cfg.MaxBody
	if s.has(defect.UnboundedBody) {
		limit = 64 << 20
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			e := invalidRequest("request body too large")
			e.status = http.StatusRequestEntityTooLarge
			return nil, e
		}
		return nil, invalidRequest("cannot read request body")
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, invalidRequest("malformed query string")
	}
	var form url.Values
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case r.Method == http.MethodGet:
		form = query
		query = nil
	case mt == "application/x-www-form-urlencoded":
		form, err = url.ParseQuery(string(body))
		if err != nil {
			return nil, invalidRequest("malformed form body")
		}
	case mt == "application/json" && s.has(defect.AcceptJSONBody):
		var m map[string]string
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, invalidRequest("malformed JSON body")
		}
		form = url.Values{}
		for k, v := range m {
			form.Set(k, v)
		}
	default:
		return nil, invalidRequest("the body must be application/x-www-form-urlencoded")
	}
	for _, p := range credentialParams {
		if _, ok := query[p]; ok {
			if !s.has(defect.AcceptQueryCredentials) {
				return nil, invalidRequest("credentials must not be sent in the request URI")
			}
			if form.Get(p) == "" {
				form.Set(p, query.Get(p))
			}
		}
	}
	for name, vals := range form {
		if len(vals) > 1 {
			if !s.has(defect.AllowDuplicateParams) {
				return nil, invalidRequest("parameter " + name + " is repeated")
			}
			form[name] = vals[:1]
		}
		if !knownParams[name] && s.has(defect.RejectUnknownParams) {
			return nil, invalidRequest("unrecognised parameter")
		}
	}
	// RFC 6749 §3.1: parameters sent without a value are treated as omitted.
	for name, vals := range form {
		if len(vals) == 1 && vals[0] == "" {
			if name == "client_assertion" && s.has(defect.EmptyParamAsValue) {
				continue
			}
			delete(form, name)
		}
	}
	return form, nil
}

// handle dispatches on grant_type after client authentication.
func (s *Server) handle(r *http.Request, form url.Values) (*oauth.TokenResponse, *rejection) {
	grant := form.Get("grant_type")
	if grant == "" {
		return nil, invalidRequest("grant_type is required")
	}
	isBearer := grant == oauth.GrantJWTBearer
	switch grant {
	case oauth.GrantClientCreds, oauth.GrantJWTBearer:
	case "password":
		if s.has(defect.AllowPasswordGrant) {
			return s.passwordGrant(r, form)
		}
		// RFC 9700 §2.4: the resource owner password grant is not offered.
		return nil, reject(oauth.UnsupportedGrantType, "the password grant is not supported")
	default:
		if s.has(defect.UnsupportedGrantWrongCode) {
			return nil, invalidRequest("unsupported grant_type")
		}
		return nil, reject(oauth.UnsupportedGrantType, "unsupported grant_type")
	}
	client, rej := s.authenticate(r, form, isBearer)
	if rej != nil {
		return nil, rej
	}
	if isBearer {
		return s.bearerGrant(form, client)
	}
	if client == nil {
		return nil, invalidClient("client authentication is required")
	}
	if s.has(defect.RejectClientCredentials) {
		return nil, reject(oauth.UnauthorizedClient, "client_credentials is not offered to clients that authenticate with an assertion")
	}
	if !allowed(client.Grants, grant) && !s.has(defect.GrantIgnoreClientGrants) {
		return nil, reject(oauth.UnauthorizedClient, "the client may not use this grant type")
	}
	scope, rej := s.grantScope(client, form.Get("scope"))
	if rej != nil {
		return nil, rej
	}
	return s.issue(client.ID, client.ID, scope)
}

// grantScope checks the requested scope against what the client may have
// (RFC 6749 §3.3, §5.2 invalid_scope).
func (s *Server) grantScope(c *Client, requested string) (string, *rejection) {
	if requested == "" {
		return "", nil
	}
	for _, sc := range strings.Fields(requested) {
		if !allowed(c.Scopes, sc) && !s.has(defect.IgnoreScope) {
			return "", reject(oauth.InvalidScope, "scope not allowed for this client")
		}
	}
	granted := strings.Fields(requested)
	if s.has(defect.NarrowScopeSilently) {
		granted = granted[:1]
	}
	return strings.Join(granted, " "), nil
}

func allowed(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
