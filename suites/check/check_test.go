package check_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

func TestTextLabelsKey(t *testing.T) {
	tests := []struct {
		c      check.Check
		key    string
		text   string
		labels []string
	}{
		{
			check.Check{ID: "A-CA-04", Level: check.MUST, Cite: []string{"RFC7523-3"}, Title: "rejects an aud that names another server"},
			"A-CA-04",
			"A-CA-04 rejects an aud that names another server [RFC 7523 §3]",
			[]string{"id:A-CA-04", "level:MUST", "spec:RFC7523-3", "profile:ALL"},
		},
		{
			check.Check{ID: "A-CA-05.2", Level: check.SHOULD, Cite: []string{"BIS-4", "OIDC-Core-9", "FAPI2-5.3.2.1"}, Profiles: []check.Profile{check.BIS, check.FAPI2},
				Title: "t", Carrier: check.Grant, Suite: "clientauth"},
			"A-CA-05.2/grant",
			"A-CA-05.2/grant t [RFC 7523bis §4; OIDC Core §9; FAPI2 §5.3.2.1]",
			[]string{"id:A-CA-05.2", "level:SHOULD", "spec:BIS-4", "spec:OIDC-Core-9", "spec:FAPI2-5.3.2.1", "profile:BIS", "profile:FAPI2", "carrier:grant", "suite:clientauth"},
		},
		{
			check.Check{ID: "B-ALG-01", Level: check.MUST, Title: "x", Carrier: check.Client},
			"B-ALG-01",
			"B-ALG-01 x []",
			[]string{"id:B-ALG-01", "level:MUST", "profile:ALL", "carrier:client"},
		},
	}
	for _, tt := range tests {
		if got := tt.c.Key(); got != tt.key {
			t.Errorf("Key() = %q, want %q", got, tt.key)
		}
		if got := tt.c.Text(); got != tt.text {
			t.Errorf("Text() = %q, want %q", got, tt.text)
		}
		if got := tt.c.Labels(); !slices.Equal(got, tt.labels) {
			t.Errorf("Labels() = %q\nwant       %q", got, tt.labels)
		}
	}
}

func TestCiteText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"RFC7523-3.1", "RFC 7523 §3.1"},
		{"RFC6749-5.2", "RFC 6749 §5.2"},
		{"RFC8725bis-3.14", "RFC 8725bis §3.14"},
		{"BIS-4", "RFC 7523bis §4"},
		{"OIDC-Core-9", "OIDC Core §9"},
		{"OIDC-Reg-2", "OIDC Registration §2"},
		{"OIDC-Disc-3", "OIDC Discovery §3"},
		{"FAPI2-5.3.2.1", "FAPI2 §5.3.2.1"},
		{"nodash", "nodash"},
	}
	for _, tt := range tests {
		if got := check.CiteText(tt.in); got != tt.want {
			t.Errorf("CiteText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// labelOK is the label charset (semantics.md §6): ASCII printable, no
// space, none of Ginkgo's reserved &|!,()/ and a "name:value" shape.
var labelOK = regexp.MustCompile(`^[a-z]+:[\x21-\x7e]+$`)

func TestEveryCheckLabelCharset(t *testing.T) {
	all := suites.All()
	if len(all) == 0 {
		t.Fatal("no checks")
	}
	seen := map[string]bool{}
	for _, c := range all {
		if seen[c.Key()] {
			t.Errorf("duplicate check key %s", c.Key())
		}
		seen[c.Key()] = true
		if !strings.HasPrefix(c.Text(), c.Key()+" ") {
			t.Errorf("%s: text %q does not start with its key", c.Key(), c.Text())
		}
		for _, l := range c.Labels() {
			if !labelOK.MatchString(l) || strings.ContainsAny(l, "&|!,()/") {
				t.Errorf("%s: label %q outside the label charset", c.Key(), l)
			}
		}
		if c.Defect != "" && !defect.Known(c.Defect) {
			t.Errorf("%s names unknown defect %q", c.Key(), c.Defect)
		}
	}
	if !slices.IsSortedFunc(all, func(a, b check.Check) int { return strings.Compare(a.Key(), b.Key()) }) {
		t.Error("All() is not sorted by key")
	}
}

func TestProfilesAndOutcomes(t *testing.T) {
	c := check.Check{Profiles: []check.Profile{check.BIS}}
	if !c.AppliesTo(check.BIS) || c.AppliesTo(check.BASE) || !(check.Check{}).AppliesTo(check.FAPI2) {
		t.Error("AppliesTo")
	}
	if check.Broken(check.MUST, "r").Outcome != v1.Fail || check.Broken(check.SHOULD, "r").Outcome != v1.Warn {
		t.Error("Broken does not map MUST to FAIL and SHOULD to WARN")
	}
	if check.Error("x").Outcome != v1.Error || check.NA("x").Outcome != v1.NA || check.Pass().Outcome != v1.Pass {
		t.Error("result constructors")
	}
}

const (
	secretH = "0AT9BldVVrOcjNzKX4PEB1d88n9F0N1d6NTcgGcwWdl5mYrc9hUXtbIQ2lDg0s7n"
	secretS = "SeTVPU1JDS0OLvzc91QGSVHBe1ZVWtbQNvteOovuBxo"
)

// TestReportRedaction: a report carries the reason, the notes and every
// exchange redacted (the redaction rules are mockidp/client's, tested
// there), skips nil transcripts, and clips long response bodies.
func TestReportRedaction(t *testing.T) {
	form := "grant_type=client_credentials&client_id=client-s&client_secret=" + secretS
	tr := &client.Transcript{Method: "POST", URL: "https://as/token",
		ReqHeader: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, ReqBody: []byte(form),
		Status: 400, Header: http.Header{"X-Echo": {secretH}},
		Body: []byte(`{"error":"invalid_client","error_description":"` + secretH + strings.Repeat(" ", check.MaxReportBody) + `"}`)}
	failed := &client.Transcript{Method: "POST", URL: "https://as/token", Err: errors.New("dial: secret " + secretS)}
	c := check.Check{ID: "A-TE-05", Level: check.MUST, Title: "t"}
	r := check.Result{Outcome: v1.Fail, Reason: "saw " + secretH, Notes: []string{"note " + secretS}, Exchanges: []*client.Transcript{tr, nil, failed}}
	res := c.Report(r, time.Second, []string{secretH, secretS})
	if len(res.Exchanges) != 2 {
		t.Fatalf("%d exchanges (nil transcripts must be skipped)", len(res.Exchanges))
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{secretH, secretS} {
		if strings.Contains(string(b), f) {
			t.Errorf("report leaks %q:\n%s", f, b)
		}
	}
	if got := res.Exchanges[0].Request.Body; got != "grant_type=client_credentials&client_id=client-s&client_secret=$ASSAY_CLIENT_SECRET" {
		t.Errorf("request body %q", got)
	}
	if resp := res.Exchanges[0].Response; resp == nil || len(resp.Body) != check.MaxReportBody || !resp.Truncated {
		t.Errorf("the response body is not clipped to MaxReportBody: %+v", resp)
	}
	if res.Exchanges[1].Response != nil || res.Exchanges[1].Error != "dial: secret <redacted>" {
		t.Errorf("transport error: %+v", res.Exchanges[1])
	}
}
