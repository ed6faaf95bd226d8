package reports

import (
	"strings"
	"testing"

	v1 "github.com/assayhq/assay/reports/v1"
)

func refusal(status int, body string) []v1.Exchange {
	return []v1.Exchange{{Request: v1.Request{Method: "POST", URL: "https://as/token"}, Response: &v1.Response{Status: status, Body: body}}}
}

// TestCausesGroupByWhatTheTargetSaid: rows refused with one status, error
// and description family are one cause, whatever the ids in the
// description; rows blocked by a control join the control's cause; its
// FAILs stand and its ERRORs follow from them; an accepted attack is a
// cause of its own; transport errors group by their family; a row
// blocked by a control missing from the report groups by the cause it
// recorded.
func TestCausesGroupByWhatTheTargetSaid(t *testing.T) {
	const said = "HTTP 401 invalid_client: no key of client-a verifies kid"
	r := v1.Report{Results: []v1.Result{
		{ID: "A-JG-14", Carrier: "client", Level: "SHOULD", Outcome: v1.Warn, Reason: "x",
			Exchanges: refusal(401, `{"error":"invalid_client","error_description":"no key of client-a verifies kid A1"}`)},
		{ID: "A-MD-12.1", Carrier: "client", Level: "MUST", Outcome: v1.Fail, Reason: "refused",
			Exchanges: append(refusal(401, `{"error":"invalid_client","error_description":"no key of client-a verifies kid E7"}`),
				v1.Exchange{Response: &v1.Response{Status: 200, Body: `{"access_token":"t"}`}})},
		{ID: "A-CA-04", Carrier: "client", Level: "MUST", Outcome: v1.Error, BlockedBy: "A-JG-14", Cause: said, Reason: "blocked: A-JG-14 failed: " + said},
		{ID: "A-CA-04", Carrier: "grant", Level: "MUST", Outcome: v1.Error, BlockedBy: "A-JG-14", Cause: said, Reason: "blocked: A-JG-14 failed: " + said},
		{ID: "B-ALG-01", Carrier: "client", Level: "MUST", Outcome: v1.Fail, Reason: "token issued for alg none",
			Exchanges: []v1.Exchange{{Response: &v1.Response{Status: 200, Body: `{"access_token":"t"}`}}}},
		{ID: "C-RS-02", Level: "MUST", Outcome: v1.Error, Reason: "dial tcp 127.0.0.1:4431: connect: connection refused"},
		{ID: "C-RS-03", Level: "MUST", Outcome: v1.Error, Reason: "dial tcp 127.0.0.1:4432: connect: connection refused"},
		{ID: "C-INT-01", Level: "MUST", Outcome: v1.Error, BlockedBy: "C-INT-02", Cause: "HTTP 503", Reason: "blocked: C-INT-02 failed: HTTP 503"},
		{ID: "A-CA-05", Level: "MUST", Outcome: v1.Pass},
		{ID: "A-CA-06", Level: "MUST", Outcome: v1.NA, Reason: "n/a"},
	}}
	cs := Causes(r)
	if len(cs) != 4 {
		for _, c := range cs {
			t.Logf("%q: %d", c.Text, c.Count())
		}
		t.Fatalf("%d causes, want 4", len(cs))
	}
	first := cs[0]
	if first.Text != "HTTP 401 invalid_client: no key of client-a verifies kid A1" || first.Control != "A-JG-14" ||
		len(first.Fails) != 1 || len(first.Warns) != 1 || len(first.Blocked) != 2 || !first.Stands() || len(first.Follows()) != 2 {
		t.Errorf("first cause: %+v", first)
	}
	if c := cs[1]; c.Stands() == false || len(c.Fails) != 1 || c.Fails[0].ID != "B-ALG-01" {
		t.Errorf("an accepted attack is not a standing cause of its own: %+v", c)
	}
	if c := cs[2]; len(c.Errors) != 2 || c.Stands() || c.Follows() != nil {
		t.Errorf("transport errors are not one cause: %+v", c)
	}
	if c := cs[3]; len(c.Blocked) != 1 || c.Control != "C-INT-02" || c.Text != "HTTP 503" {
		t.Errorf("a row blocked by a control outside the report: %+v", c)
	}
	if got, want := standingLine(cs), "2 FAILs stand; 2 of 5 ERRORs follow from them, 3 have causes of their own"; got != want {
		t.Errorf("standing line %q, want %q", got, want)
	}
	var b strings.Builder
	writeCauses(&b, r, false)
	for _, want := range []string{"stands: A-MD-12.1", "blocked by A-JG-14, following from the FAIL above: A-CA-04, A-CA-04/grant", "WARN     1  A-JG-14"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("terminal causes lack %q:\n%s", want, b.String())
		}
	}
}

// TestPreconditionErrorFollowsItsFail: a row that is ERROR because the
// target refused its precondition the way it refused a MUST row (a server
// that never refetches keys) is that FAIL's consequence, and the summary
// says so.
func TestPreconditionErrorFollowsItsFail(t *testing.T) {
	body := `{"error":"invalid_client","error_description":"no key with kid rot-2"}`
	r := v1.Report{Results: []v1.Result{
		{ID: "A-KR-03", Level: "MUST", Outcome: v1.Fail, Reason: "the new key was refused", Exchanges: refusal(401, body)},
		{ID: "C-ROT-07", Level: "MUST", Outcome: v1.Error, Reason: "precondition: the new key was never accepted",
			Exchanges: refusal(401, `{"error":"invalid_client","error_description":"no key with kid rot-3"}`)},
	}}
	cs := Causes(r)
	if len(cs) != 1 || len(cs[0].Follows()) != 1 || cs[0].Follows()[0].ID != "C-ROT-07" {
		t.Fatalf("causes %+v, want one standing cause that C-ROT-07 follows from", cs)
	}
	if got, want := standingLine(cs), "1 FAIL stands; every ERROR (1) follows from it: fix that FAIL and run again"; got != want {
		t.Errorf("standing line %q, want %q", got, want)
	}
}

func TestFamily(t *testing.T) {
	same := [][2]string{
		{"jti 4f2a9c already used at 12:00:01", "jti 9c1b already used at 12:00:02"},
		{"Unknown client 'client-a'", "unknown client 'client-b'"},
		{"fetch https://a.example/jwks failed", "fetch https://b.example/keys failed"},
	}
	for _, p := range same {
		if family(p[0]) != family(p[1]) {
			t.Errorf("%q and %q are not one family: %q, %q", p[0], p[1], family(p[0]), family(p[1]))
		}
	}
	if family("signature invalid") == family("audience invalid") {
		t.Error("different words are one family")
	}
}

// TestWarnLinesSaySHOULD: a WARN never reads as a broken MUST.
func TestWarnLinesSaySHOULD(t *testing.T) {
	for _, tt := range []struct {
		res  v1.Result
		want string
	}{
		{v1.Result{Outcome: v1.Warn, Level: "SHOULD", Cite: []string{"RFC6749-5.1"}}, "SHOULD of RFC6749-5.1"},
		{v1.Result{Outcome: v1.Warn, Level: "MUST", Cite: []string{"RFC7523-3"}}, "SHOULD-level warning on a MUST row (RFC7523-3)"},
		{v1.Result{Outcome: v1.Fail, Level: "MUST", Cite: []string{"RFC7523-3"}}, "MUST of RFC7523-3"},
	} {
		if got := levelLine(tt.res); got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.res.Outcome, tt.res.Level, got, tt.want)
		}
	}
}

// TestProgressShowsNAReasonsWhenVerbose: -v prints each N/A reason, on a
// TTY too.
func TestProgressShowsNAReasonsWhenVerbose(t *testing.T) {
	var b strings.Builder
	p := NewProgress(&b, 1, true, false)
	p.ShowNA = true
	p.Done(v1.Result{ID: "A-CA-06", Title: "t", Outcome: v1.NA, Reason: "does not apply under profile BASE"})
	if !strings.Contains(b.String(), "does not apply under profile BASE") {
		t.Errorf("N/A reason not shown: %q", b.String())
	}
}

// TestProgressShowsABlockedCauseOnce: the first row blocked by a control
// carries the cause; the next are one short line, and none on a TTY.
func TestProgressShowsABlockedCauseOnce(t *testing.T) {
	rows := []v1.Result{
		{ID: "A-CA-04", Title: "t", Outcome: v1.Error, BlockedBy: "A-JG-14", Reason: "blocked: A-JG-14 failed: HTTP 401 invalid_client: x"},
		{ID: "A-CA-05", Title: "t", Outcome: v1.Error, BlockedBy: "A-JG-14", Reason: "blocked: A-JG-14 failed: HTTP 401 invalid_client: x"},
	}
	for _, tty := range []bool{false, true} {
		var b strings.Builder
		p := NewProgress(&b, 2, tty, false)
		for _, r := range rows {
			p.Done(r)
		}
		out := b.String()
		if n := strings.Count(out, "HTTP 401 invalid_client: x"); n != 1 {
			t.Errorf("tty %v: the cause is printed %d times, want once:\n%s", tty, n, out)
		}
		if got := strings.Contains(out, "A-CA-05"); got == tty {
			t.Errorf("tty %v: second blocked row shown: %v\n%s", tty, got, out)
		}
	}
}

// TestBlockedOnlyOnError: report.json validation refuses blockedBy on
// anything but an ERROR.
func TestBlockedOnlyOnError(t *testing.T) {
	r := v1.Report{Schema: v1.Schema, Tool: v1.Tool{Name: "assay"}, Target: v1.Target{Profile: "BASE"},
		Results: []v1.Result{{ID: "A-CA-04", Level: "MUST", Outcome: v1.Fail, BlockedBy: "A-JG-14"}}}
	r.Summarize()
	if err := r.Validate(); err == nil || !strings.Contains(err.Error(), "blockedBy") {
		t.Errorf("Validate = %v, want a blockedBy error", err)
	}
	r.Results[0].Outcome, r.Results[0].Reason = v1.Error, "blocked: A-JG-14 failed: x"
	r.Summarize()
	if err := r.Validate(); err != nil {
		t.Errorf("Validate = %v", err)
	}
}
