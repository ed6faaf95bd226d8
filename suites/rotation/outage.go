package rotation

import (
	"context"
	"errors"
	"fmt"

	"github.com/assayhq/assay/mockidp/client"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/jwks"
	"github.com/assayhq/assay/suites/check"
)

// outage is one way the client's jwks_uri can fail.
type outage struct {
	name  string
	apply func(s *scene)
}

func outages() []outage {
	return []outage{
		{"answers 503", func(s *scene) { s.h.SetMode(jwks.Fail5xx) }},
		{"stalls", func(s *scene) { s.h.SetDelay(s.e.Rotation.Stall) }},
		{"serves malformed JSON", func(s *scene) { s.h.SetMode(jwks.Malformed) }},
	}
}

// outageChecks: the client's jwks_uri fails; the target keeps verifying
// the keys it has cached and never answers 5xx (OIDC Core §10.1.1 lets a
// verifier cache keys; an outage of the client's host is no reason to stop).
func outageChecks() []check.Check {
	out := outages()
	return []check.Check{
		{
			ID: "C-ROT-01", Verdicts: verdicts("OK", "OK"), Level: check.SHOULD, Cite: []string{"OIDC-Core-10.1.1"}, Defect: defect.JWKS5xxDropsKeys,
			Title: "keeps accepting cached client keys while the client's jwks_uri answers 503",
			Run:   scenario(keepsWorking(out[0])),
		},
		{
			ID: "C-ROT-02", Verdicts: verdicts("OK", "OK"), Level: check.SHOULD, Cite: []string{"OIDC-Core-10.1.1"}, Defect: defect.JWKSStallDropsKeys,
			Title: "keeps accepting cached client keys while the client's jwks_uri stalls past the fetch timeout",
			Run:   scenario(keepsWorking(out[1])),
		},
		{
			ID: "C-ROT-03", Verdicts: verdicts("OK", "OK"), Level: check.SHOULD, Cite: []string{"OIDC-Core-10.1.1"}, Defect: defect.JWKSMalformedDropsKeys,
			Title: "keeps accepting cached client keys while the client's jwks_uri serves malformed JSON",
			Run:   scenario(keepsWorking(out[2])),
		},
		{
			ID: "C-ROT-04", Verdicts: verdicts("not 5xx", "not 5xx"), Level: check.MUST, Cite: []string{"RFC6749-5.2"}, Defect: defect.JWKSFailureServerError,
			Title: "never answers 5xx because the client's jwks_uri fails (503, stall, malformed)",
			Run:   scenario(never5xx),
		},
	}
}

// keepsWorking breaks the jwks_uri, forces a refetch with an unknown kid,
// then signs with the cached key: at once, and again after the cache TTL
// when the check's time allows.
func keepsWorking(o outage) func(ctx context.Context, s *scene) check.Result {
	return func(ctx context.Context, s *scene) check.Result {
		o.apply(s)
		kid, err := freshKid(s.e, "assay-unknown")
		if err != nil {
			return s.harness(err, nil)
		}
		if err := s.wait(ctx, s.e.Rotation.RefetchMin); err != nil {
			return s.harness(err, nil)
		}
		since := s.h.Hits()
		what := fmt.Sprintf("while the jwks_uri %s, assertion with unknown kid %s", o.name, kid)
		tr, err := s.send(ctx, assertion.Header("kid", kid))
		if err != nil {
			return s.hung(ctx, check.SHOULD, err, tr, what)
		}
		if r, bad := s.rejected(ctx, check.SHOULD, tr, what); bad {
			return r
		}
		if s.h.Hits() == since {
			s.notes = append(s.notes, "the unknown kid did not make the target fetch the jwks_uri")
		}
		tr, err = s.send(ctx)
		if err != nil {
			return s.hung(ctx, check.SHOULD, err, tr, fmt.Sprintf("after a failed fetch (the jwks_uri %s), assertion signed by the cached key", o.name))
		}
		if r, bad := s.accepted(check.SHOULD, tr, fmt.Sprintf("after a failed fetch (the jwks_uri %s), assertion signed by the cached key", o.name)); bad {
			return r
		}
		if !s.e.Fits(ctx, s.e.Rotation.Expiry()) {
			s.notes = append(s.notes, fmt.Sprintf("skipped the step after the cache TTL: it needs %s, more than the allowed wait %s or the check's time limit", s.e.Rotation.Expiry(), s.e.Rotation.MaxWait))
			return check.Pass()
		}
		if err := s.wait(ctx, s.e.Rotation.Expiry()); err != nil {
			return s.harness(err, nil)
		}
		tr, err = s.send(ctx)
		if err != nil {
			return s.harness(err, tr)
		}
		if r, bad := s.accepted(check.SHOULD, tr, fmt.Sprintf("%s after the cache TTL, while the jwks_uri %s, assertion signed by the cached key", s.e.Rotation.Expiry(), o.name)); bad {
			return r
		}
		return check.Pass()
	}
}

// hung classifies a request that got no answer while the client's jwks_uri
// was failing: the outage is healed and a positive control sent. If the
// target answers it, the silence was the target's reaction to the outage,
// a finding at lvl (semantics.md §2: a confirmed failure); otherwise the
// target is simply unreachable, and the check is ERROR.
func (s *scene) hung(ctx context.Context, lvl check.Level, err error, tr *client.Transcript, what string) check.Result {
	if !errors.Is(err, client.ErrTransport) {
		return s.harness(err, tr)
	}
	s.heal()
	ctr, ok, cerr := s.e.Control(ctx, check.Client)
	if ctr != nil {
		s.trs = append(s.trs, ctr)
	}
	if cerr != nil || !ok {
		return s.harness(err, tr)
	}
	return check.Broken(lvl, fmt.Sprintf("%s: the token endpoint gave no answer (%v); once the jwks_uri recovered it issued tokens again", what, err))
}

// never5xx runs every outage: an unknown kid (forcing a fetch) and a known
// one must each get an answer that is not a server error.
func never5xx(ctx context.Context, s *scene) check.Result {
	restore := s.h.Save()
	for _, o := range outages() {
		restore()
		o.apply(s)
		if err := s.wait(ctx, s.e.Rotation.RefetchMin); err != nil {
			return s.harness(err, nil)
		}
		kid, err := freshKid(s.e, "assay-unknown")
		if err != nil {
			return s.harness(err, nil)
		}
		tr, err := s.send(ctx, assertion.Header("kid", kid))
		if err != nil {
			return s.hung(ctx, check.MUST, err, tr, fmt.Sprintf("while the jwks_uri %s, assertion with unknown kid %s", o.name, kid))
		}
		if r, bad := no5xx(tr, fmt.Sprintf("while the jwks_uri %s, assertion with unknown kid %s", o.name, kid)); bad {
			return r
		}
		if tr, err = s.send(ctx); err != nil {
			return s.hung(ctx, check.MUST, err, tr, fmt.Sprintf("while the jwks_uri %s, assertion signed by the cached key", o.name))
		}
		if r, bad := no5xx(tr, fmt.Sprintf("while the jwks_uri %s, assertion signed by the cached key", o.name)); bad {
			return r
		}
	}
	return check.Pass()
}
