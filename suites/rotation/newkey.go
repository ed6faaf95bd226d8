package rotation

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/suites/check"
)

// newKeyChecks: a key appears in, or leaves, client A's set (OIDC Core
// §10.1, §10.1.1).
func newKeyChecks() []check.Check {
	return []check.Check{
		{
			ID: "A-KR-01", Verdicts: verdicts("OK", "OK"), Level: check.MUST, Cite: []string{"OIDC-Core-10.1"}, Defect: defect.KidIgnored,
			Title: "with several keys published, verifies with the key the kid names",
			Run:   scenario(kidSelects),
		},
		{
			ID: "A-KR-01.2", Verdicts: verdicts("OK or REJ-C", "OK or REJ-C"), Level: check.MUST, Cite: []string{"OIDC-Core-10.1"}, Defect: defect.KidlessServerError,
			Title: "with several keys published, answers an assertion without kid (token or invalid_client), never 5xx",
			Run:   scenario(kidless),
		},
		{
			ID: "A-KR-02", Verdicts: verdicts("OK", "OK"), Level: check.SHOULD, Cite: []string{"OIDC-Core-10.1.1"}, Defect: defect.NoRefetchUnknownKid,
			Title: "an unfamiliar kid makes the target refetch the client's jwks_uri and accept the new key",
			Run:   scenario(refetchOnNewKid),
		},
		{
			ID: "A-KR-03", Verdicts: verdicts("REJ-C", "REJ-C"), Level: check.MUST, Cite: []string{"OIDC-Core-10.1.1", "RFC8725-3.8"}, Defect: defect.KeyCacheForever,
			Title: "a key removed from the client's JWKS is refused after the declared cache TTL",
			Run:   scenario(removedKey),
		},
		{
			// Catalog B's twin of A-KR-03 with the same scene; its defect is
			// a cache that refetches on time but merges instead of replacing.
			ID: "B-KEY-13", Verdicts: verdicts("REJ-C", "REJ-C"), Level: check.MUST, Cite: []string{"OIDC-Core-10.1.1"}, Defect: defect.MergeFetchedKeys,
			Title: "a key removed after rotation is refused once the target has refetched the client's JWKS",
			Run:   scenario(removedKey),
		},
	}
}

// kidSelects publishes a second key and signs with it: the target must pick
// it by kid (after a refetch), not the first key it knows.
func kidSelects(ctx context.Context, s *scene) check.Result {
	k, tr, res := s.publishSigned(ctx, nil)
	if res != nil {
		return *res
	}
	if r, bad := s.accepted(check.MUST, tr, "assertion with kid "+k.ID()+" (the second published key)"); bad {
		return r
	}
	return check.Pass()
}

// kidless sends assertions without kid while the set holds several keys,
// one of them published without kid: a token or invalid_client, never 5xx.
func kidless(ctx context.Context, s *scene) check.Result {
	k, err := newSigningKey(s.e)
	if err != nil {
		return s.harness(err, nil)
	}
	m, err := member(k, func(m map[string]any) { delete(m, "kid") })
	if err != nil {
		return s.harness(err, nil)
	}
	s.publish(m)
	for _, step := range []struct {
		what string
		ms   []assertion.Mutation
	}{
		{"assertion without kid signed by the first key", []assertion.Mutation{assertion.DropHeader("kid")}},
		{"assertion without kid signed by a key published without kid", []assertion.Mutation{assertion.SignWith(k), assertion.DropHeader("kid")}},
	} {
		tr, err := s.send(ctx, step.ms...)
		if err != nil {
			return s.harness(err, tr)
		}
		if r, bad := no5xx(tr, step.what); bad {
			return r
		}
		answer := "a token"
		if !issued(tr) {
			if r, bad := s.rejected(ctx, check.MUST, tr, step.what); bad {
				return r
			}
			answer = "invalid_client"
		}
		s.notes = append(s.notes, step.what+": "+answer)
	}
	return check.Pass()
}

// refetchOnNewKid publishes a new key and signs with it, twice: the second
// time right after the target fetched the set, so that only an unknown-kid
// refetch (not the cache TTL running out) can make it accept within one
// retry.
func refetchOnNewKid(ctx context.Context, s *scene) check.Result {
	var members []json.RawMessage
	for round := 1; round <= 2; round++ {
		k, err := newSigningKey(s.e)
		if err != nil {
			return s.harness(err, nil)
		}
		m, err := member(k, nil)
		if err != nil {
			return s.harness(err, nil)
		}
		members = append(members, m)
		since := s.h.Hits()
		s.publish(members...)
		if round == 2 {
			// Let the target's refetch interval pass since the fetch of round 1.
			if err := s.wait(ctx, s.e.Rotation.RefetchMin); err != nil {
				return s.harness(err, nil)
			}
		}
		tr, err := s.converge(ctx, since, false, assertion.SignWith(k))
		if err != nil {
			return s.harness(err, tr)
		}
		what := fmt.Sprintf("round %d: assertion with the newly published kid %s", round, k.ID())
		if r, bad := s.accepted(check.SHOULD, tr, what+", refused within one retry"); bad {
			return r
		}
		s.notes = append(s.notes, fmt.Sprintf("round %d: accepted after %d jwks_uri fetch(es); the accepting request took %s", round, s.h.Hits()-since, tr.Duration))
	}
	return check.Pass()
}

// removedKey publishes a key, has the target accept it, withdraws it, waits
// for the declared cache TTL plus margin and signs with it again.
func removedKey(ctx context.Context, s *scene) check.Result {
	if r, na := needsExpiry(ctx, s.e, 2); na {
		return r
	}
	k, tr, res := s.publishSigned(ctx, nil)
	if res != nil {
		return *res
	}
	if !issued(tr) {
		return check.Error(fmt.Sprintf("the target never accepted the published key %s (HTTP %d), so its removal proves nothing", k.ID(), tr.Status), tr)
	}
	s.publish()
	if err := s.wait(ctx, s.e.Rotation.Expiry()); err != nil {
		return s.harness(err, nil)
	}
	tr, err := s.send(ctx, assertion.SignWith(k))
	if err != nil {
		return s.harness(err, tr)
	}
	if r, bad := s.rejected(ctx, check.MUST, tr, fmt.Sprintf("assertion signed by key %s, removed %s earlier", k.ID(), s.e.Rotation.Expiry())); bad {
		return r
	}
	return check.Pass()
}
