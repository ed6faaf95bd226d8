package reports

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/assayhq/assay/reports/v1"
)

func progressResults() []v1.Result {
	return []v1.Result{
		{ID: "A-CA-04", Title: "rejects an aud that names another server", Carrier: "client", Outcome: v1.Pass, Duration: 3 * time.Millisecond},
		{ID: "A-CA-05", Title: "aud compared by simple string comparison", Outcome: v1.Fail, Reason: "token issued", Duration: 12 * time.Millisecond},
		{ID: "A-MD-04", Title: "lists signing algorithms", Outcome: v1.Warn, Reason: "absent\nsecond line", Duration: 400 * time.Microsecond},
		{ID: "A-AU-02", Title: "accepts client_secret_jwt", Outcome: v1.NA, Reason: "not offered"},
		{ID: "A-CA-09", Title: "rejects a missing exp", Outcome: v1.Fail, Reason: "token issued", Expected: true, ExpectedBy: "AS-1234", Duration: 2 * time.Millisecond},
	}
}

func TestProgressPlain(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, 5, false, false)
	for _, res := range progressResults() {
		p.Start(res.ID, res.Title)
		p.Done(res)
	}
	want := `PASS  A-CA-04/client  rejects an aud that names another server (3ms)
FAIL  A-CA-05  aud compared by simple string comparison (12ms)
      token issued
WARN  A-MD-04  lists signing algorithms (400µs)
      absent
      second line
N/A   A-AU-02  accepts client_secret_jwt (0s)
FAIL  A-CA-09  rejects a missing exp (2ms) expected failure: AS-1234
      token issued
`
	if got := b.String(); got != want {
		t.Errorf("plain progress:\n got:\n%s\nwant:\n%s", got, want)
	}
}

func TestProgressTTY(t *testing.T) {
	var b bytes.Buffer
	rs := progressResults()
	p := NewProgress(&b, 180, true, false)
	p.Start(rs[0].ID, rs[0].Title)
	p.Done(rs[0])
	p.Start(rs[1].ID, rs[1].Title)
	p.Done(rs[1])
	p.Start("A-XX-99", strings.Repeat("very long title ", 10))
	want := "\r\x1b[K[  1/180] A-CA-04 rejects an aud that names another server" +
		"\r\x1b[K" + // PASS: only the status line goes
		"\r\x1b[K[  2/180] A-CA-05 aud compared by simple string comparison" +
		"\r\x1b[K" + "FAIL  A-CA-05  aud compared by simple string comparison (12ms)\n      token issued\n" +
		"\r\x1b[K[  3/180] A-XX-99 very long title very long title very long title very long ti…"
	if got := b.String(); got != want {
		t.Errorf("tty progress:\n got: %q\nwant: %q", got, want)
	}
	status := want[strings.LastIndex(want, "[  3/180]"):]
	if n := len([]rune(status)); n > statusWidth {
		t.Errorf("status line is %d runes, want at most %d", n, statusWidth)
	}
}

func TestProgressColor(t *testing.T) {
	var plain, color bytes.Buffer
	rs := progressResults()
	NewProgress(&plain, 1, false, false).Done(rs[1])
	NewProgress(&color, 1, false, true).Done(rs[1])
	if strings.Contains(plain.String(), "\x1b") {
		t.Error("colour off, but output has escape sequences")
	}
	if !strings.HasPrefix(color.String(), ansiRed+"FAIL ") {
		t.Errorf("colour on: want FAIL in red, got %q", color.String())
	}
}

func TestProgressConcurrent(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, 100, true, true)
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Go(func() {
			p.Start("A-CA-04", "x")
			p.Done(v1.Result{ID: "A-CA-04", Outcome: v1.Fail})
		})
	}
	wg.Wait()
	if n := strings.Count(b.String(), "FAIL"); n != 100 {
		t.Errorf("got %d FAIL lines, want 100", n)
	}
}

func TestWriteSummaryPass(t *testing.T) {
	r := v1.Report{Target: v1.Target{Name: "ref", Profile: "BASE"}, Results: []v1.Result{
		{ID: "A", Cite: []string{"RFC7523-3"}, Outcome: v1.Pass},
	}}
	var b bytes.Buffer
	if err := WriteSummary(&b, r, false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "PASS: ref, profile BASE\n") {
		t.Errorf("headline: %q", out)
	}
	if strings.Contains(out, "partial run") || strings.Contains(out, "now pass") {
		t.Errorf("clean run mentions skips or fixed failures: %s", out)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                        "0s",
		400 * time.Microsecond:   "400µs",
		3*time.Millisecond + 400: "3ms",
		1500 * time.Millisecond:  "1.5s",
		12345 * time.Millisecond: "12.35s",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
