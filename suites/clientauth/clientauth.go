// Package clientauth holds the client authentication checks: private_key_jwt
// and client_secret_jwt assertions (RFC 7523 §2.2, §3; RFC 7521 §4.2;
// OIDC Core §9; 7523bis §4; FAPI 2.0 SP §5.3.2.1) and the request framing
// around them (RFC 6749 §2.3, §3.2).
package clientauth

import (
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/suites/check"
)

// Checks returns every client authentication check.
func Checks() []check.Check {
	var rows []check.Row
	rows = append(rows, algorithmRows()...)
	rows = append(rows, audienceRows()...)
	rows = append(rows, lifetimeRows()...)
	rows = append(rows, identityRows()...)
	rows = append(rows, signatureRows()...)
	rows = append(rows, replayRows()...)
	rows = append(rows, framingRows()...)
	rows = append(rows, typingRows()...)
	rows = append(rows, joseRows()...)
	rows = append(rows, errorCodeRows()...)
	rows = append(rows, securityRows()...)
	out := make([]check.Check, 0, len(rows))
	for _, r := range rows {
		if r.Carrier == check.None {
			r.Carrier = check.Client
		}
		r.Suite = "clientauth"
		out = append(out, r.Build())
	}
	probes := append(registrationProbes(), check.Check{ID: "A-TE-07", Level: check.MUST, Cite: cite("RFC6749-3.2", "OIDC-Disc-3"),
		Defect: defect.AcceptPlainHTTP, Title: "does not process token requests sent over plain http", Run: plainHTTP})
	for _, c := range probes {
		c.Carrier, c.Suite = check.Client, "clientauth"
		out = append(out, c)
	}
	return out
}

func cite(c ...string) []string { return c }
