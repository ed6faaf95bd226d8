// Package check defines what a check is: a plain value with an ID from
// catalog.md, a level, spec citations, the profiles it applies to, the
// reference defect that must make it fail, and Run. Ginkgo text and labels
// are derived from the value, so they cannot drift apart (design.md R5).
// suites/README.md describes the model and how to add a check.
package check

import (
	"context"
	"regexp"
	"sort"
	"strings"

	v1 "github.com/assayhq/assay/reports/v1"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/profile"
)

// Level is the strength of the requirement a check tests.
type Level string

// Levels. MAY rows are observations, never checks with an outcome.
const (
	MUST   Level = "MUST"
	SHOULD Level = "SHOULD"
)

// Profile selects which version of the rules a run applies (catalog.md
// §0.1); its rules live in mockidp/profile, which the reference reads too.
type Profile = profile.Profile

// Profiles, for rows that name them.
const (
	BASE   = profile.BASE
	OIDC   = profile.OIDC
	OIDCE3 = profile.OIDCE3
	BIS    = profile.BIS
	FAPI2  = profile.FAPI2
	BCP    = profile.BCP
)

// Profiles lists every profile in documentation order.
func Profiles() []Profile { return profile.All() }

// Carrier says which parameter carries the JWT under test.
type Carrier string

// Carriers.
const (
	None   Carrier = ""
	Client Carrier = "client" // client_assertion (RFC 7523 §2.2)
	Grant  Carrier = "grant"  // assertion of the jwt-bearer grant (RFC 7523 §2.1)
)

// Check is one conformance or attack check.
type Check struct {
	ID       string
	Level    Level
	Cite     []string  // label form: RFC7523-3, OIDC-Core-9, FAPI2-5.3.2.1, BIS-4
	Profiles []Profile // where the check applies; nil means all
	Title    string
	Carrier  Carrier
	Suite    string
	Defect   defect.Name // the reference defect that must make this check fail
	// KillIn lists the profiles in which Defect must make the check fail;
	// nil means every profile where the check applies.
	KillIn []Profile
	// Verdicts is the expected answer per profile, for the catalog matrix
	// ("REJ-C", "OK", ...); rows fill it from their expectations.
	Verdicts map[Profile]string
	// Serial, when set, says why the check must run alone in a parallel
	// run: it changes state other checks see (a hosted key set, a
	// registered client, a revoked token), counts or times exchanges that
	// concurrent requests would disturb, waits (a wait may advance a clock
	// the target shares), or sends a request that cannot be repeated (a
	// replay). A parallel run lets every running check end before it
	// starts and starts none until it ends, so it sees the target as a
	// sequential run would. "" lets it run beside other checks.
	Serial string
	// Spare names the client ("A" or "B") a spare client of the check's
	// own (Spares) may stand in for: standing in for it, the check changes
	// no state other checks see, so a parallel run against a target in
	// real time starts it beside other checks although Serial is set.
	// Without a fitting free spare, or on a virtual clock (a wait there
	// advances a clock every check reads), Serial holds.
	Spare string
	Run   func(ctx context.Context, e *Env) Result
}

// Result is what running a check yields. Checks return results; they never
// abort (semantics.md §1).
type Result struct {
	Outcome   v1.Outcome
	Reason    string
	Notes     []string
	Exchanges []*client.Transcript
	// BlockedBy is the ID of the positive control whose failure kept this
	// check from being judged (an ERROR, see Blocked); Cause is that
	// control's reason.
	BlockedBy string
	Cause     string
}

// Key identifies a check within a run: its ID, plus the carrier when set.
func (c Check) Key() string {
	if c.Carrier == None || c.Carrier == Client {
		return c.ID
	}
	return c.ID + "/" + string(c.Carrier)
}

// AppliesTo reports whether the check runs under p.
func (c Check) AppliesTo(p Profile) bool {
	if len(c.Profiles) == 0 {
		return true
	}
	for _, x := range c.Profiles {
		if x == p {
			return true
		}
	}
	return false
}

// Text is the Ginkgo spec text: "ID[/carrier] title [citations]".
func (c Check) Text() string {
	cites := make([]string, len(c.Cite))
	for i, x := range c.Cite {
		cites[i] = CiteText(x)
	}
	return c.Key() + " " + c.Title + " [" + strings.Join(cites, "; ") + "]"
}

// Labels are the Ginkgo labels: id, level, one spec label per citation, the
// profiles (or profile:ALL), the carrier and the suite.
func (c Check) Labels() []string {
	ls := []string{"id:" + c.ID, "level:" + string(c.Level)}
	for _, x := range c.Cite {
		ls = append(ls, "spec:"+x)
	}
	if len(c.Profiles) == 0 {
		ls = append(ls, "profile:ALL")
	}
	for _, p := range c.Profiles {
		ls = append(ls, "profile:"+string(p))
	}
	if c.Carrier != None {
		ls = append(ls, "carrier:"+string(c.Carrier))
	}
	if c.Suite != "" {
		ls = append(ls, "suite:"+c.Suite)
	}
	return ls
}

var rfcCite = regexp.MustCompile(`^RFC(\d+)(bis)?$`)

// CiteText renders a label-form citation for people: "RFC7523-3.1" is
// "RFC 7523 §3.1", "OIDC-Core-9" is "OIDC Core §9", "BIS-4" is "RFC 7523bis §4".
func CiteText(label string) string {
	i := strings.LastIndexByte(label, '-')
	if i < 0 {
		return label
	}
	doc, sec := label[:i], label[i+1:]
	switch {
	case rfcCite.MatchString(doc):
		m := rfcCite.FindStringSubmatch(doc)
		doc = "RFC " + m[1] + m[2]
	case doc == "BIS":
		doc = "RFC 7523bis"
	case doc == "OIDC-Reg":
		doc = "OIDC Registration"
	case doc == "OIDC-Disc":
		doc = "OIDC Discovery"
	default:
		doc = strings.ReplaceAll(doc, "-", " ")
	}
	return doc + " §" + sec
}

// Result constructors.

// Pass is a passing result.
func Pass(trs ...*client.Transcript) Result { return Result{Outcome: v1.Pass, Exchanges: trs} }

// NA is a not-applicable result; the reason is required.
func NA(reason string) Result { return Result{Outcome: v1.NA, Reason: reason} }

// Error is the ERROR outcome: a harness or target-reachability problem,
// never a FAIL. The reason is required.
func Error(reason string, trs ...*client.Transcript) Result {
	return Result{Outcome: v1.Error, Reason: reason, Exchanges: trs}
}

// Broken is the outcome for a broken requirement at level l: FAIL for MUST,
// WARN for SHOULD.
func Broken(l Level, reason string, trs ...*client.Transcript) Result {
	o := v1.Fail
	if l == SHOULD {
		o = v1.Warn
	}
	return Result{Outcome: o, Reason: reason, Exchanges: trs}
}

// SortKeys sorts checks by ID then carrier.
func SortKeys(cs []Check) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Key() < cs[j].Key() })
}
