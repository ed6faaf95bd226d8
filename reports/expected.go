package reports

import (
	"slices"

	v1 "github.com/assayhq/assay/reports/v1"
)

// ApplyExpected marks the FAIL results listed in an expected-failures file.
// Keys are check IDs ("A-CA-04", every carrier) or "ID/carrier"
// ("A-CA-04/client"); the more specific key wins; values say why the
// failure is expected. Each matching FAIL gets Expected and ExpectedBy. Each
// matching PASS is an expected failure that is now fixed: its key (ID, or
// ID/carrier when it has one) goes into Summary.FixedExpected, which this
// replaces. Other outcomes are left alone: an expected failure that now
// errors is still an ERROR. The summary is recomputed.
func ApplyExpected(r *v1.Report, expected map[string]string) {
	var fixed []string
	for i := range r.Results {
		res := &r.Results[i]
		why, ok := lookupExpected(expected, *res)
		if !ok {
			continue
		}
		switch res.Outcome {
		case v1.Fail:
			res.Expected, res.ExpectedBy = true, why
		case v1.Pass:
			fixed = append(fixed, resultKey(*res))
		}
	}
	slices.SortFunc(fixed, naturalCompare)
	r.Summary.FixedExpected = slices.Compact(fixed)
	r.Summarize()
}

func lookupExpected(expected map[string]string, res v1.Result) (string, bool) {
	if res.Carrier != "" {
		if why, ok := expected[res.ID+"/"+res.Carrier]; ok {
			return why, true
		}
	}
	why, ok := expected[res.ID]
	return why, ok
}
