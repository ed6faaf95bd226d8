package suites_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/clock"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/oracle"
	"github.com/assayhq/assay/mockidp/reference"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/resource"
)

// Parsing the fixture keys (RSA private keys above all) costs more than a
// whole reference run, and the kill matrix starts hundreds: parse once.
var (
	fixtureCast  = sync.OnceValues(mockidp.FixtureCast)
	attackerJWKS = sync.OnceValues(oracle.AttackerKeySet)
)

// startReference runs the reference target with defects on and returns an
// Env pointed at it.
func startReference(tb testing.TB, p check.Profile, defects ...defect.Name) *check.Env {
	tb.Helper()
	cast, err := fixtureCast()
	if err != nil {
		tb.Fatal(err)
	}
	// The reference and the Env share a virtual clock (package
	// mockidp/clock), as the runner's reference target does: the rotation
	// suite's waits on a 5 min key cache, the stalled jwks_uri against a
	// 300 ms fetch timeout and the slow-kid defect advance it, and cost no
	// wall time.
	clk := clock.New(time.Now)
	in, err := reference.Start(reference.Options{Profile: p, Defects: defect.Of(defects...), Clock: clk.Now, Sleep: clk.Advance, Rand: rand.Reader, Cast: cast,
		KeyCacheTTL: 5 * time.Minute, KeyRefetchMin: time.Second, KeyFetchTimeout: 300 * time.Millisecond})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = in.Close() })
	tlsCfg, err := reference.ClientTLS()
	if err != nil {
		tb.Fatal(err)
	}
	jwks, err := attackerJWKS()
	if err != nil {
		tb.Fatal(err)
	}
	orc, err := oracle.Start(jwks)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = orc.Close() })
	e, err := suites.NewEnv(context.Background(), suites.Options{
		Oracle: orc,
		// The token endpoint is given, as a user would configure it, so that
		// a defect that breaks discovery still leaves the other checks running.
		Issuer: in.Issuer, TokenEndpoint: in.TokenEndpoint(), Profile: p, Cast: cast, IdP: in.IdP,
		Grant: check.GrantOptions{Enabled: true, Asked: true, KnownSubjects: reference.KnownSubjects(cast)}, MaxAssertionLifetime: reference.MaxAssertionLifetime, MaxGrantLifetime: reference.MaxGrantLifetime, Clock: clk.Now, Since: clk.Since, Rand: rand.Reader, TLS: tlsCfg,
		Sleep: clk.Sleep, VirtualTime: true, Rotation: check.Rotation{Stall: 600 * time.Millisecond, MaxWait: time.Hour},
		Verifier: check.VerifierTarget{URL: in.VerifierURL, Audience: reference.VerifierAudience}, TokenIssuer: in.TokenIssuer,
		TokenState: check.TokenState{Enabled: true, Client: cast.A, Other: cast.B, From: check.TokenFromClient, Resource: in.IntrospectedURL, MaxWait: time.Hour},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// cleanOutcomes runs every check against the clean reference under every
// profile and returns the outcomes by check key and profile.
func cleanOutcomes(t *testing.T) map[string]map[check.Profile]check.Result {
	t.Helper()
	var mu sync.Mutex
	out := map[string]map[check.Profile]check.Result{}
	t.Run("reference", func(t *testing.T) {
		for _, p := range check.Profiles() {
			p := p
			t.Run(string(p), func(t *testing.T) {
				t.Parallel()
				e := startReference(t, p)
				for _, c := range suites.All() {
					r := check.NA("does not apply")
					if c.AppliesTo(p) {
						r = suites.Run(context.Background(), e, c)
					}
					mu.Lock()
					if out[c.Key()] == nil {
						out[c.Key()] = map[check.Profile]check.Result{}
					}
					out[c.Key()][p] = r
					mu.Unlock()
				}
			})
		}
	})
	return out
}

// TestSelf is the self-test (design.md R17, semantics.md §4). First every
// check runs against the clean reference under every profile: each must
// PASS, or be N/A with a reason. Then each check's defect is switched on
// in every profile where the check passed (or those it names in KillIn):
// the check must FAIL (MUST) or WARN (SHOULD) there. A check that survives
// its defect cannot fail, and is a defect in assay.
func TestSelf(t *testing.T) {
	clean := cleanOutcomes(t)
	for _, c := range suites.All() {
		for _, p := range check.Profiles() {
			r := clean[c.Key()][p]
			if r.Outcome != v1.Pass && !(r.Outcome == v1.NA && r.Reason != "") {
				t.Errorf("clean reference: %s under %s: %s: %s", c.Key(), p, r.Outcome, r.Reason)
			}
		}
	}
	if t.Failed() {
		return
	}
	type cell struct {
		check   string
		defect  defect.Name
		profile check.Profile
		got     v1.Outcome
	}
	var (
		mu    sync.Mutex
		cells []cell
	)
	used := map[defect.Name]bool{}
	t.Run("kill", func(t *testing.T) {
		for _, c := range suites.All() {
			c := c
			if c.Defect == "" || !defect.Known(c.Defect) {
				t.Errorf("%s names no known reference defect (%q)", c.Key(), c.Defect)
				continue
			}
			used[c.Defect] = true
			if c.Suite == resource.Suite {
				// The resource rows depend on the kind of verifier (HMAC or
				// published keys, access tokens, ID Tokens, a policy
				// decision point): suites/resource TestKillMatrix proves
				// each one's kill on every kind where it applies.
				continue
			}
			ps := c.KillIn
			if ps == nil {
				for _, p := range check.Profiles() {
					if clean[c.Key()][p].Outcome == v1.Pass {
						ps = append(ps, p)
					}
				}
			}
			if len(ps) == 0 {
				t.Errorf("%s passes under no profile, so no defect can be shown to kill it", c.Key())
			}
			for _, p := range ps {
				p := p
				t.Run(c.Key()+"/"+string(p), func(t *testing.T) {
					t.Parallel()
					e := startReference(t, p, c.Defect)
					r := suites.Run(context.Background(), e, c)
					want := v1.Fail
					if c.Level == check.SHOULD {
						want = v1.Warn
					}
					mu.Lock()
					cells = append(cells, cell{c.Key(), c.Defect, p, r.Outcome})
					mu.Unlock()
					if r.Outcome != want {
						t.Errorf("%s survived defect %s under %s: got %s (%s), want %s", c.Key(), c.Defect, p, r.Outcome, r.Reason, want)
					}
				})
			}
		}
	})
	for _, d := range defect.All() {
		if !used[d] {
			t.Errorf("defect %s is named by no check: no check proves it matters", d)
		}
	}
	sort.Slice(cells, func(i, j int) bool {
		return cells[i].check+string(cells[i].profile) < cells[j].check+string(cells[j].profile)
	})
	var b strings.Builder
	killed := 0
	for _, c := range cells {
		mark := "killed"
		if c.got != v1.Fail && c.got != v1.Warn {
			mark = "SURVIVED"
		} else {
			killed++
		}
		fmt.Fprintf(&b, "%-16s %-34s %-8s %-6s %s\n", c.check, c.defect, c.profile, c.got, mark)
	}
	t.Logf("kill matrix: %d checks, %d defects, %d of %d (check, profile) cells killed; %d catalog rows exempted (testdata/exemptions.txt)\n%s",
		len(suites.All()), len(used), killed, len(cells), len(exemptions(t)), b.String())
}
