package resource

import (
	"context"
	"fmt"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/suites/check"
)

// keyChecks: the issuer rotates its keys (OIDC Core §10.1.1): the verifier
// follows a new key and drops a withdrawn one.
func keyChecks() []check.Check {
	return []check.Check{
		{
			ID: "C-RS-02", Level: check.SHOULD, Cite: []string{"OIDC-Core-10.1.1"}, Defect: defect.VerifierNoRefetch,
			Verdicts: verdicts("2xx"), Title: "after the issuer rotates its keys, accepts a token signed by the new key within one retry",
			Run: newKey,
		},
		{
			ID: "C-RS-10", Level: check.MUST, Cite: []string{"OIDC-Core-10.1.1", "RFC9068-4"}, Defect: defect.VerifierKeepsRetiredKeys,
			Verdicts: verdicts(rejected), Title: "refuses a token signed by a key the issuer has withdrawn from its jwks_uri",
			Run: retiredKey,
		},
	}
}

func newKey(ctx context.Context, e *check.Env) check.Result {
	if why := applies(e, asymmetric); why != "" {
		return check.NA(why)
	}
	if r, ok := present1(ctx, e); !ok {
		return r
	}
	e.TokenIssuer.RotateNow()
	tok, err := mint(e)
	if err != nil {
		return harness(err, nil)
	}
	tr, err := present(ctx, e, tok)
	if err != nil {
		return harness(err, tr)
	}
	if granted(e, tr) {
		return check.Pass(tr)
	}
	if err := e.Wait(ctx, e.Rotation.RefetchMin); err != nil {
		return harness(err, nil)
	}
	tr2, err := present(ctx, e, tok)
	if err != nil {
		return harness(err, tr2)
	}
	if !granted(e, tr2) {
		return check.Broken(check.SHOULD, fmt.Sprintf("a token signed by the issuer's new key (generation %d) was refused, also after %s: HTTP %d", e.TokenIssuer.Generation(), e.Rotation.RefetchMin, tr2.Status), tr, tr2)
	}
	return check.Pass(tr, tr2)
}

// present1 presents a valid token first (the gate): the verifier must know
// the issuer's current key before a rotation proves anything.
func present1(ctx context.Context, e *check.Env) (check.Result, bool) { return gate(ctx, e) }

// retiredKey has the verifier accept a token of the current key, rotates
// twice so that key leaves the issuer's JWKS, waits out the declared cache
// TTL, and signs with the withdrawn key again.
func retiredKey(ctx context.Context, e *check.Env) check.Result {
	if why := applies(e, asymmetric); why != "" {
		return check.NA(why)
	}
	if !e.Fits(ctx, e.Rotation.Expiry()) {
		return check.NA(fmt.Sprintf("needs %s of waiting (declared key cache TTL %s + margin %s), more than the allowed wait %s: declare the verifier's TTL, or raise MaxWait and the check timeout",
			e.Rotation.Expiry(), e.Rotation.KeyCacheTTL, e.Rotation.Margin, e.Rotation.MaxWait))
	}
	if r, ok := present1(ctx, e); !ok {
		return r
	}
	old, err := e.TokenIssuer.Key(e.TokenIssuer.Generation())
	if err != nil {
		return harness(err, nil)
	}
	e.TokenIssuer.RotateNow()
	e.TokenIssuer.RotateNow()
	if err := e.Wait(ctx, e.Rotation.Expiry()); err != nil {
		return harness(err, nil)
	}
	tok, err := mint(e, assertion.SignWith(old))
	if err != nil {
		return harness(err, nil)
	}
	tr, err := present(ctx, e, tok)
	if err != nil {
		return harness(err, tr)
	}
	r := refused(ctx, e, check.MUST, tr, challenge(e, tr, true))
	r.Notes = append(r.Notes, fmt.Sprintf("key %s withdrawn; waited %s", old.ID(), e.Rotation.Expiry()))
	return r
}
