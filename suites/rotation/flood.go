package rotation

import (
	"context"
	"fmt"
	"time"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/suites/check"
)

// floodSize is the number of unknown kids sent (catalog.md A-KR-07: 50).
const floodSize = 50

func floodChecks() []check.Check {
	return []check.Check{
		{
			ID: "A-KR-07", Verdicts: verdicts("REJ-C + bounded fetches", "REJ-C + bounded fetches"), Level: check.SHOULD, Cite: []string{"OIDC-Core-10.1.1"}, Defect: defect.RefetchUnbounded,
			Title: "a flood of unknown kids causes a bounded number of jwks_uri fetches",
			Run:   scenario(flood),
		},
	}
}

// flood sends floodSize assertions with random kids one after another and
// counts the jwks_uri fetches they cause. The bound is one fetch per
// declared refetch interval (or cache TTL, when shorter) of elapsed time,
// plus two.
func flood(ctx context.Context, s *scene) check.Result {
	since := s.h.Hits()
	start := s.e.Clock()
	for i := 0; i < floodSize; i++ {
		kid, err := freshKid(s.e, "assay-flood")
		if err != nil {
			return s.harness(err, nil)
		}
		tr, err := s.e.Authenticate(ctx, s.e.Cast.A, assertion.Header("kid", kid))
		if err != nil {
			return s.harness(err, tr)
		}
		if i == 0 || !rejectedClient(tr) {
			s.trs = append(s.trs, tr)
		}
		if r, bad := s.rejected(ctx, check.SHOULD, tr, fmt.Sprintf("flood assertion %d, unknown kid %s", i+1, kid)); bad {
			return r
		}
	}
	elapsed := s.e.HTTP.Since(start)
	fetches := s.h.Hits() - since
	every := s.e.Rotation.RefetchMin
	if ttl := s.e.Rotation.KeyCacheTTL; ttl < every {
		every = ttl
	}
	bound := int64(elapsed/every) + 2
	s.notes = append(s.notes, fmt.Sprintf("%d unknown kids in %s caused %d jwks_uri fetches (bound %d)", floodSize, elapsed.Round(time.Millisecond), fetches, bound))
	if fetches > bound {
		return check.Broken(check.SHOULD, fmt.Sprintf("%d unknown kids in %s caused %d jwks_uri fetches, more than one per declared refetch interval %s (bound %d)", floodSize, elapsed.Round(time.Millisecond), fetches, every, bound))
	}
	return check.Pass()
}

func rejectedClient(tr *client.Transcript) bool { return tr.ErrorCode() == "invalid_client" }
