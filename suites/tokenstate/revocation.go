package tokenstate

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/suites/check"
)

// revocationChecks are the RFC 7009 rows: the client revokes a token it
// was issued, and from then on introspection calls it inactive and a
// resource that consults introspection refuses it.
func revocationChecks() []check.Check {
	return []check.Check{
		{ID: "C-REV-01", Level: check.SHOULD, Cite: []string{"RFC7009-2", "RFC7009-2.2"}, Defect: defect.RevokeUnsupported, Verdicts: verdicts("200"),
			Title: "revokes an access token it issued when its client asks (HTTP 200)", Run: revokes},
		{ID: "C-REV-02", Cite: []string{"RFC7009-2", "RFC7662-2.2"}, Defect: defect.RevokeNoop, Verdicts: verdicts("inactive"),
			Title: "a revoked access token then introspects active:false", Run: revokedInactive},
		{ID: "C-REV-03", Cite: []string{"RFC7009-2", "RFC6750-3.1"}, Defect: defect.IntrospectionCacheForever, Verdicts: verdicts("refused"),
			Title: "a resource that consults introspection refuses a token once it is revoked", Run: revokedRefused},
		{ID: "C-REV-04", Level: check.SHOULD, Cite: []string{"RFC7009-2", "RFC7009-2.1"}, Defect: defect.RevokeWithoutAuth, Verdicts: verdicts("refused"),
			Title: "refuses a revocation request without client authentication", Run: anonymousRevoke},
		{ID: "C-REV-05", Level: check.SHOULD, Cite: []string{"RFC7009-2", "RFC7009-2.1"}, Defect: defect.RevokeAnyOwner, Verdicts: verdicts("active"),
			Title: "another client cannot revoke a token issued to the client", Run: otherClientRevoke},
	}
}

// revokes has the token's client revoke a token the target just issued.
// RFC 7009 §2: servers MUST support revoking refresh tokens and SHOULD
// support access tokens, so a refusal is a broken SHOULD.
func revokes(ctx context.Context, e *check.Env) check.Result {
	if why := needs(e, false, true); why != "" {
		return check.NA(why)
	}
	if b := e.GateRequired(ctx, revokeControl(e)); b != nil {
		return *b
	}
	t, err := obtain(ctx, e)
	if err != nil {
		return check.Error("could not obtain a token to revoke: "+err.Error(), exchanges(t.trOrNil())...)
	}
	tr, err := revoke(ctx, e, t.token)
	if err != nil {
		return harness(err, exchanges(t.tr, tr)...)
	}
	trs := exchanges(t.tr, tr)
	switch {
	case tr.Status == http.StatusOK:
		return check.Pass(trs...)
	case tr.Status >= 500:
		return check.Broken(check.MUST, fmt.Sprintf("server error HTTP %d on a revocation request", tr.Status), trs...)
	}
	return check.Broken(check.SHOULD, fmt.Sprintf("revoking an access token its own client holds was refused: HTTP %d: %s", tr.Status, clip(tr.Body)), trs...)
}

// revokeLive gates the row on revocation, obtains a token, proves it live
// with live (introspection or the resource), and revokes it. A failed step
// is the row's result.
func revokeLive(ctx context.Context, e *check.Env, live func(*issued) (*client.Transcript, error)) (*issued, []*client.Transcript, *check.Result) {
	t, b := gated(ctx, e, gateRevocation)
	if b != nil {
		return nil, nil, b
	}
	trs := exchanges(t.tr)
	tr, err := live(t)
	if tr != nil {
		trs = append(trs, tr)
	}
	if err != nil {
		r := check.Error(err.Error(), trs...)
		return nil, nil, &r
	}
	rtr, err := revoke(ctx, e, t.token)
	if err != nil {
		r := harness(err, append(trs, rtr)...)
		return nil, nil, &r
	}
	trs = append(trs, rtr)
	if rtr.Status != http.StatusOK {
		r := again("the revocation was refused", errors.New(check.Refusal(rtr)), trs...)
		return nil, nil, &r
	}
	return t, trs, nil
}

// revokedInactive revokes a live token and introspects it again.
func revokedInactive(ctx context.Context, e *check.Env) check.Result {
	if why := needs(e, true, true); why != "" {
		return check.NA(why)
	}
	if b := e.Gate(ctx, introspectControl(e)); b != nil {
		return *b
	}
	t, trs, r := revokeLive(ctx, e, func(t *issued) (*client.Transcript, error) {
		tr, err := introspect(ctx, e, t.token, false)
		if err != nil {
			return tr, err
		}
		if _, on, problem := answer(tr); problem != "" || !on {
			if problem == "" {
				problem = "introspects active:false"
			}
			return tr, fmt.Errorf("a fresh token %s this time, though the control passed", problem)
		}
		return tr, nil
	})
	if r != nil {
		return *r
	}
	return inactiveNow(ctx, e, t.token, trs, "after revocation: %s",
		"the revocation was answered 200, yet the token still introspects active")
}

// revokedRefused presents a live token to the resource (accepted), revokes
// it, and presents it again: refused, 401 invalid_token (RFC 6750 §3.1:
// "expired, revoked, malformed, or invalid").
func revokedRefused(ctx context.Context, e *check.Env) check.Result {
	if why := needs(e, false, true); why != "" {
		return check.NA(why)
	}
	if e.TokenState.Resource == "" {
		return check.NA("no tokenState.resource: a protected resource that consults introspection")
	}
	t, trs, r := revokeLive(ctx, e, func(t *issued) (*client.Transcript, error) {
		tr, err := present(ctx, e, t.token)
		if err != nil {
			return tr, err
		}
		if !granted(tr) {
			return tr, fmt.Errorf("the resource refuses a token the target just issued (HTTP %d), so a refusal after revocation proves nothing", tr.Status)
		}
		return tr, nil
	})
	if r != nil {
		return *r
	}
	tr, err := present(ctx, e, t.token)
	if err != nil {
		return harness(err, append(trs, tr)...)
	}
	trs = append(trs, tr)
	switch {
	case granted(tr):
		return check.Broken(check.MUST, fmt.Sprintf("the revoked token was accepted: HTTP %d", tr.Status), trs...)
	case tr.Status >= 500:
		return check.Broken(check.MUST, fmt.Sprintf("server error HTTP %d on a revoked token", tr.Status), trs...)
	case tr.Status != http.StatusUnauthorized:
		return check.Broken(check.SHOULD, fmt.Sprintf("HTTP %d for a revoked token, want 401 invalid_token (RFC 6750 §3.1)", tr.Status), trs...)
	}
	return check.Pass(trs...)
}

// anonymousRevoke asks, without client authentication, to revoke a fresh
// token (the revocation control shows the endpoint works with it). RFC
// 7009 §2: the server "first validates the client credentials ... If this
// validation fails, the request is refused"; accepting it lets anyone who
// sees a token cut its holder off.
func anonymousRevoke(ctx context.Context, e *check.Env) check.Result {
	if why := needs(e, false, true); why != "" {
		return check.NA(why)
	}
	t, b := gated(ctx, e, gateRevocation)
	if b != nil {
		return *b
	}
	trs := exchanges(t.tr)
	form := client.Form{{Name: "token", Value: t.token}, {Name: "token_type_hint", Value: "access_token"}}
	tr, err := e.HTTP.Do(ctx, client.Request{URL: e.TokenState.Revocation, Form: form})
	if err != nil {
		return harness(err, append(trs, tr)...)
	}
	trs = append(trs, tr)
	switch {
	case granted(tr):
		return check.Broken(check.SHOULD, fmt.Sprintf("HTTP %d to a revocation request without client authentication: anyone holding a token can revoke it", tr.Status), trs...)
	case tr.Status >= 500:
		return check.Broken(check.MUST, fmt.Sprintf("server error HTTP %d instead of refusing the unauthenticated request", tr.Status), trs...)
	}
	return check.Pass(trs...)
}

// otherClientRevoke has another client ask to revoke a live token issued
// to TokenState.Client, then introspects it. RFC 7009 §2: the server
// "verifies whether the token was issued to the client making the
// revocation request. If this validation fails, the request is refused".
// Whether it answers 200 or an error, the token must stay active
// (answering 200 without revoking is how some servers avoid telling one
// client about another's tokens).
func otherClientRevoke(ctx context.Context, e *check.Env) check.Result {
	if why := needs(e, true, true); why != "" {
		return check.NA(why)
	}
	if e.TokenState.Other.ID == "" {
		return check.NA("no tokenState.otherClient: a second client to attempt the revocation")
	}
	t, b := gated(ctx, e, gateIntrospection, gateRevocation)
	if b != nil {
		return *b
	}
	trs := exchanges(t.tr)
	other := *e
	other.TokenState.Client = e.TokenState.Other
	tr, err := revoke(ctx, &other, t.token)
	if err != nil {
		return harness(err, append(trs, tr)...)
	}
	trs = append(trs, tr)
	if tr.Status >= 500 {
		return check.Broken(check.MUST, fmt.Sprintf("server error HTTP %d on another client's revocation request", tr.Status), trs...)
	}
	itr, err := introspect(ctx, e, t.token, false)
	if err != nil {
		return harness(err, append(trs, itr)...)
	}
	trs = append(trs, itr)
	_, on, problem := answer(itr)
	switch {
	case problem != "":
		return again("the token did not introspect", errors.New(problem), trs...)
	case !on:
		return check.Broken(check.SHOULD, fmt.Sprintf("client %s revoked a token issued to client %s (HTTP %d)", e.TokenState.Other.ID, e.TokenState.Client.ID, tr.Status), trs...)
	}
	r := check.Pass(trs...)
	r.Notes = append(r.Notes, fmt.Sprintf("the other client's request was answered HTTP %d", tr.Status))
	return r
}
