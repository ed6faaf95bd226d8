package rotation

import (
	"time"

	"github.com/assayhq/assay/suites/check"
)

// Budget is the most the rotation suite waits on purpose under r (request
// time excluded), for a runner to announce before it starts: each check's
// worst case, counting a TTL wait only where r.MaxWait allows it, and a
// stalled fetch as r.Stall.
func Budget(r check.Rotation) time.Duration {
	r = r.WithDefaults()
	exp := r.Expiry()
	if exp > r.MaxWait {
		exp = 0 // the step is skipped (C-ROT-01..03, converge) or the check is N/A (A-KR-03, B-KEY-13)
	}
	ttl2 := 2 * r.Expiry()
	if ttl2 > r.MaxWait {
		ttl2 = 0 // A-KR-03 and B-KEY-13 are N/A
	}
	newKey := r.RefetchMin + exp // converge with the TTL step: A-KR-01, A-KR-04, A-KR-05, A-KR-05.2, C-ROT-05, C-ROT-06
	return 6*newKey +
		3*r.RefetchMin + // A-KR-02
		2*(ttl2+r.RefetchMin) + // A-KR-03 and B-KEY-13 (the same scene)
		3*(r.RefetchMin+exp) + 2*r.Stall + // C-ROT-01..03, the stalled fetches of C-ROT-02
		3*r.RefetchMin + 2*r.Stall // C-ROT-04
}
