package check

import (
	"time"

	"github.com/assayhq/assay/mockidp/client"
	v1 "github.com/assayhq/assay/reports/v1"
)

// Report turns a result into its report form, its reason, notes and every
// exchange redacted (client.Transcript.Redacted, semantics.md §7).
func (c Check) Report(r Result, d time.Duration, secrets []string) v1.Result {
	out := v1.Result{
		ID: c.ID, Title: c.Title, Level: string(c.Level), Cite: c.Cite, Carrier: string(c.Carrier),
		Suite: c.Suite, Outcome: r.Outcome, Reason: client.Redact(r.Reason, secrets), Duration: d,
		BlockedBy: r.BlockedBy, Cause: client.Redact(r.Cause, secrets),
	}
	for _, p := range c.Profiles {
		out.Profiles = append(out.Profiles, string(p))
	}
	for _, n := range r.Notes {
		out.Notes = append(out.Notes, client.Redact(n, secrets))
	}
	for _, tr := range r.Exchanges {
		if tr != nil {
			out.Exchanges = append(out.Exchanges, Exchange(tr, secrets))
		}
	}
	return out
}

// Exchange converts a transcript into a redacted report exchange.
func Exchange(tr *client.Transcript, secrets []string) v1.Exchange {
	red := tr.Redacted(secrets)
	ex := v1.Exchange{
		Request: v1.Request{
			Method: red.Method,
			URL:    red.URL,
			Header: red.ReqHeader,
			Body:   string(red.ReqBody),
		},
		Duration: red.Duration,
	}
	if red.Err != nil {
		ex.Error = red.Err.Error()
	}
	if red.Status != 0 {
		ex.Response = &v1.Response{
			Status:    red.Status,
			Header:    red.Header,
			Body:      string(red.Body),
			Truncated: red.Truncated,
		}
		// Redact first (it parses the whole body), then clip.
		if len(ex.Response.Body) > MaxReportBody {
			ex.Response.Body = ex.Response.Body[:MaxReportBody]
			ex.Response.Truncated = true
		}
	}
	return ex
}

// MaxReportBody bounds each response body a report keeps. The transcript
// keeps up to client.MaxBody for judging; a report of a target that sends
// megabytes on every request must not grow by that much per exchange.
const MaxReportBody = 64 << 10
