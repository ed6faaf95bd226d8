package runner

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp/oracle"
	"github.com/assayhq/assay/reports"
	v1 "github.com/assayhq/assay/reports/v1"
)

// lateHitGrace is how long a run waits after its last check for fetches
// the target makes in the background (a key refresh queued by a jku row),
// when any row handed out a URL of the SSRF listener.
const lateHitGrace = 500 * time.Millisecond

// collectLateHits waits lateHitGrace when a row URL was handed out, then
// charges every hit still held by the oracle to the row whose URL it
// carries (chargeLateHits). Hits no row claims are printed.
func collectLateHits(r *v1.Report, orc *oracle.Oracle, sleep func(time.Duration), stdout io.Writer) {
	if orc == nil {
		return
	}
	if orc.Issued() {
		sleep(lateHitGrace)
	}
	for _, h := range chargeLateHits(r, orc.Take()) {
		fmt.Fprintf(stdout, "warning: the SSRF listener saw %s %s, which no check's URL names\n", reports.Escape(h.Method), reports.Escape(h.Path))
	}
}

// chargeLateHits charges hits that arrived after their row had ended to
// that row (U6, RFC 8725 §3.10): a target that fetches an
// attacker-supplied URL later, in the background, dereferences it all the
// same. A passing MUST row becomes FAIL, a passing SHOULD row WARN; a FAIL
// or ERROR keeps its outcome and gains the finding. It returns the hits no
// result claims.
func chargeLateHits(r *v1.Report, hits []oracle.Hit) []oracle.Hit {
	byKey := map[string][]oracle.Hit{}
	for _, h := range hits {
		byKey[h.Key()] = append(byKey[h.Key()], h)
	}
	claimed := map[string]bool{}
	for i := range r.Results {
		res := &r.Results[i]
		key := res.ID
		if res.Carrier != "" && res.Carrier != "client" {
			key += "/" + res.Carrier
		}
		hs := byKey[key]
		if len(hs) == 0 || key == "" {
			continue
		}
		switch res.Outcome {
		case v1.Pass, v1.Warn, v1.Fail, v1.Error:
		default:
			continue // a row that sent nothing cannot have caused them
		}
		claimed[key] = true
		reqs := make([]string, len(hs))
		for j, h := range hs {
			reqs[j] = h.Method + " " + h.Path
		}
		finding := fmt.Sprintf("after the row ended, the target requested %s from the harness's SSRF listener: it dereferences attacker-supplied URLs (U6, RFC 8725 §3.10)", strings.Join(reqs, ", "))
		switch {
		case res.Outcome == v1.Pass && res.Level == "SHOULD":
			res.Outcome, res.Reason = v1.Warn, finding
		case res.Outcome == v1.Pass || res.Outcome == v1.Warn && res.Level != "SHOULD":
			res.Outcome, res.Reason = v1.Fail, joinReason(res.Reason, finding, res.Outcome == v1.Warn)
		default:
			res.Reason = joinReason(res.Reason, finding, true)
		}
	}
	var rest []oracle.Hit
	for _, h := range hits {
		if !claimed[h.Key()] {
			rest = append(rest, h)
		}
	}
	return rest
}

func joinReason(old, add string, keep bool) string {
	if !keep || old == "" {
		return add
	}
	return old + "; " + add
}
