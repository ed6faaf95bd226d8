package clientauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/suites/check"
)

// transportChecks: the token endpoint requires TLS (RFC 6749 §3.2).
func transportChecks() []check.Check {
	return []check.Check{
		{ID: "A-TE-07", Level: check.MUST, Cite: cite("RFC6749-3.2", "OIDC-Disc-3"), Defect: defect.AcceptPlainHTTP,
			Title: "does not process token requests sent over plain http", Run: plainHTTP},
	}
}

// plainHTTP is A-TE-07: the token endpoint requires TLS (RFC 6749 §3.2), so
// a request sent to the same host and port over plain http must not be
// processed. A refusal at the transport level, or any answer that is not a
// token, passes. The same assertion is then sent over https: that burns its
// jti, so a copy seen on the wire cannot be replayed, and it is the
// positive control that tells a refusal from a target that is down.
func plainHTTP(ctx context.Context, e *check.Env) check.Result {
	if b := e.Gate(ctx, e.CarrierControl(check.Client)); b != nil {
		return *b
	}
	u, err := url.Parse(e.Target.TokenEndpoint)
	if err != nil {
		return check.Error("parse token endpoint: " + err.Error())
	}
	if u.Scheme != "https" {
		// A configured http URL alone proves nothing about the target: only
		// a token actually issued over it is a finding (semantics.md §2).
		ctr, issued, err := e.Control(ctx, check.Client)
		if err != nil || !issued {
			return check.Error(fmt.Sprintf("the token endpoint %s does not use https, and it issued no token to the positive control", e.Target.TokenEndpoint), ctr)
		}
		return check.Broken(check.MUST, fmt.Sprintf("the token endpoint %s does not use https and issues tokens over it", e.Target.TokenEndpoint), ctr)
	}
	u.Scheme = "http"
	jwt, err := e.ClientAssertion(e.Cast.A)
	if err != nil {
		return check.Error("harness: " + err.Error())
	}
	tr, err := e.HTTP.Do(ctx, client.Request{URL: u.String(), Form: e.WithScope(check.ClientAuthForm(jwt))})
	if err != nil && !errors.Is(err, client.ErrTransport) {
		return check.Error("harness: "+err.Error(), tr)
	}
	// Processed means a token came back: a catch-all 200 page on port 80
	// issues nothing.
	processed := err == nil && tr.AccessToken() != ""
	ctr, cerr := e.Post(ctx, check.ClientAuthForm(jwt), nil)
	if processed {
		return check.Broken(check.MUST, fmt.Sprintf("a plain-http request to %s was processed (HTTP %d)", u, tr.Status), tr, ctr)
	}
	if cerr != nil || ctr.Status != http.StatusOK {
		return check.Error("the same request over https did not issue a token either, so the refusal proves nothing", tr, ctr)
	}
	res := check.Pass(tr, ctr)
	if err != nil {
		res.Notes = append(res.Notes, "plain http refused at the transport level")
	}
	return res
}
