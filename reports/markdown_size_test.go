package reports

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	v1 "github.com/assayhq/assay/reports/v1"
)

// TestMarkdownStaysUnderJobSummaryLimit: summary.md of a run whose every
// failure carries a large body and a long reason stays under 1 MiB
// (GitHub's job-summary limit) and points to report.html for the rest;
// a small report is not cut at all.
func TestMarkdownStaysUnderJobSummaryLimit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		results int
		body    int
		reason  int
		cut     bool
	}{
		{"small report, nothing cut", 3, 100, 100, false},
		{"long bodies cut", 40, 200 << 10, 200, true},
		{"many long failures: written without transcripts", 300, 64 << 10, 2000, true},
		{"too many failures even without transcripts: cut at the end", 5000, 10, 1000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := v1.Report{Schema: "assay.report/v1"}
			for i := range tc.results {
				r.Results = append(r.Results, v1.Result{
					ID: fmt.Sprintf("A-X-%d", i), Title: "rejects something", Level: "MUST", Outcome: v1.Fail,
					Reason: strings.Repeat("r", tc.reason),
					Exchanges: []v1.Exchange{{Request: v1.Request{Method: "POST", URL: "https://as.test/token"},
						Response: &v1.Response{Status: 400, Body: strings.Repeat("b", tc.body)}}},
				})
			}
			var buf bytes.Buffer
			if err := WriteMarkdown(&buf, r); err != nil {
				t.Fatal(err)
			}
			if buf.Len() > MaxMarkdown {
				t.Fatalf("summary.md is %d bytes, over %d", buf.Len(), MaxMarkdown)
			}
			if got := strings.Contains(buf.String(), "report.html"); got != tc.cut {
				t.Errorf("points to report.html: %v, want %v (%d bytes)", got, tc.cut, buf.Len())
			}
		})
	}
}
