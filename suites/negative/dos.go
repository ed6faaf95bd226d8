package negative

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// OversizeBytes is the size of B-DOS-01's assertion: far past any sane
// request limit, small enough to keep the self-test fast.
const OversizeBytes = 1 << 20

// NestingDepth is B-DOS-02's array depth: past Go's 10000 limit and any
// recursive parser's stack, within the reference's 64 KiB body limit so
// that the parser, not the size check, meets it.
const NestingDepth = 20000

// dosAttacks is catalog B.8: inputs that must fail fast (400/413, no 5xx,
// bounded latency; 8725bis §3.13-3.15).
func dosAttacks() []attack {
	return []attack{
		{id: "B-DOS-01", title: "refuses a 1 MiB assertion with 413 or an error, within the latency budget",
			cite: cite("RFC8725bis-3.15", "RFC6749-5.2"), d: defect.UnboundedBody, want: expect.Everywhere(tooLarge{}),
			ms: []assertion.Mutation{assertion.Claim("x_pad", strings.Repeat("a", OversizeBytes))}},
		{id: "B-DOS-02", title: fmt.Sprintf("rejects claims nested %d arrays deep, fast and without a 5xx", NestingDepth),
			cite: cite("RFC8725-3.7", "RFC7519-7.2"), d: defect.DeepJSONCrash,
			ms: []assertion.Mutation{assertion.RawClaims(`{"x":` + strings.Repeat("[", NestingDepth) + strings.Repeat("]", NestingDepth) + `}`)}},
		{id: "B-DOS-03", title: "rejects a token followed by 30000 separators (CVE-2025-30204, CVE-2025-27144)",
			cite: cite("RFC7515-7.1", "RFC8725bis-3.14"), d: defect.LaxSegments,
			ms: []assertion.Mutation{finish(func(t string) string { return t + strings.Repeat(".", 30000) })}},
	}
}

// tooLarge accepts 413 Payload Too Large (no body rules: the server may
// stop reading) or a REJ-C/R error; never a token or a 5xx.
type tooLarge struct{}

func (tooLarge) Accepting() bool { return false }
func (tooLarge) String() string  { return "413 or REJ-C/R" }
func (tooLarge) Judge(tr *client.Transcript, e *check.Env) check.Verdict {
	if tr.Status == http.StatusRequestEntityTooLarge {
		return expect.NotIssued{}.Judge(tr, e)
	}
	return expect.RejectClientOrRequest.Judge(tr, e)
}
