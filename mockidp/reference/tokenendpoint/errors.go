package tokenendpoint

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oauth"
)

// rejection is an RFC 6749 §5.2 error with the status to send it with.
type rejection struct {
	status    int
	code      oauth.ErrorCode
	desc      string
	challenge bool   // the request used the Authorization header: 401 + WWW-Authenticate
	echo      string // attacker-controlled input, echoed only under defect.ReflectInput
}

func (e *rejection) Error() string { return string(e.code) + ": " + e.desc }

func reject(code oauth.ErrorCode, desc string) *rejection {
	st := http.StatusBadRequest
	return &rejection{status: st, code: code, desc: desc}
}

func invalidClient(desc string) *rejection {
	return &rejection{status: http.StatusUnauthorized, code: oauth.InvalidClient, desc: desc}
}

// serverError is what the rotation defects answer when key loading fails.
func serverError(desc string) *rejection {
	return &rejection{status: http.StatusInternalServerError, code: "server_error", desc: desc}
}
func invalidRequest(desc string) *rejection { return reject(oauth.InvalidRequest, desc) }
func invalidGrant(desc string) *rejection   { return reject(oauth.InvalidGrant, desc) }

func (s *Server) noStore(w http.ResponseWriter) {
	if !s.has(defect.NoCacheControl) {
		w.Header().Set("Cache-Control", "no-store")
	}
	if !s.has(defect.NoPragma) {
		w.Header().Set("Pragma", "no-cache")
	}
}

// writeError sends e as RFC 6749 §5.2 requires: JSON, the registered code,
// 400 (401 with WWW-Authenticate when the client used the Authorization
// header), Cache-Control: no-store.
func (s *Server) writeError(w http.ResponseWriter, e *rejection) {
	s.noStore(w)
	status := e.status
	if e.code == oauth.InvalidClient && e.challenge {
		status = http.StatusUnauthorized
		if !s.has(defect.BasicWithoutChallenge) {
			w.Header().Set("WWW-Authenticate", `Basic realm="assay-reference"`)
		}
	}
	if s.has(defect.ErrorStatus500) {
		status = http.StatusInternalServerError
	}
	desc := e.desc
	if s.has(defect.ReflectInput) && e.echo != "" {
		desc += ": " + e.echo
	}
	if !oauth.DescriptionCharsetOK(desc) && !s.has(defect.ReflectInput) {
		desc = strings.Map(func(r rune) rune {
			if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
				return '?'
			}
			return r
		}, desc)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(oauth.ErrorResponse{Error: e.code, Description: desc})
}
