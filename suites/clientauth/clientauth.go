// Package clientauth holds the client authentication checks: private_key_jwt
// and client_secret_jwt assertions (RFC 7523 §2.2, §3; RFC 7521 §4.2;
// OIDC Core §9; 7523bis §4; FAPI 2.0 SP §5.3.2.1) and the request framing
// around them (RFC 6749 §2.3, §3.2).
package clientauth

import "github.com/assayhq/assay/suites/check"

// Checks returns every client authentication check.
func Checks() []check.Check {
	s := check.Suite{Name: "clientauth", Carrier: check.Client}
	rows := s.Rows(algorithmRows(), audienceRows(), lifetimeRows(), identityRows(), signatureRows(),
		replayRows(), framingRows(), authMethodRows(), typingRows(), confusionRows(), joseRows(), errorCodeRows(), securityRows())
	return append(rows, s.Checks(controlChecks(), registrationChecks(), transportChecks())...)
}

func cite(c ...string) []string { return c }
