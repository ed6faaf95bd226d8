package reports

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	v1 "github.com/assayhq/assay/reports/v1"
)

// Transcript renders one exchange as text in HTTP/1.1 message style: the
// request line, headers and body, a blank line, then the status line,
// headers and body of the response (or the transport error). Headers are
// sorted by name so the output is stable.
func Transcript(ex v1.Exchange) string {
	return requestText(ex.Request) + "\n\n" + responseText(ex)
}

// requestText renders a request: "POST url", headers, blank line, body.
func requestText(req v1.Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", orDash(req.Method), req.URL)
	writeHeader(&b, req.Header)
	if req.Body != "" {
		b.WriteString("\n")
		b.WriteString(req.Body)
	}
	return strings.TrimRight(b.String(), "\n")
}

// responseText renders the response of ex, or its transport error.
func responseText(ex v1.Exchange) string {
	var b strings.Builder
	if ex.Response == nil {
		b.WriteString("(no response)")
		if ex.Error != "" {
			b.WriteString(" transport error: " + ex.Error)
		}
		return b.String()
	}
	resp := ex.Response
	fmt.Fprintf(&b, "HTTP %d %s\n", resp.Status, http.StatusText(resp.Status))
	writeHeader(&b, resp.Header)
	if resp.Body != "" {
		b.WriteString("\n")
		b.WriteString(resp.Body)
	}
	if resp.Truncated {
		b.WriteString("\n[body truncated]")
	}
	if ex.Error != "" {
		b.WriteString("\n[error: " + ex.Error + "]")
	}
	return strings.TrimRight(b.String(), "\n")
}

func writeHeader(b *strings.Builder, h map[string][]string) {
	for _, name := range sortedKeys(h) {
		for _, v := range h[name] {
			fmt.Fprintf(b, "%s: %s\n", name, v)
		}
	}
}

// exchangeLine summarizes an exchange in one line: "POST url -> 400 (12ms)".
func exchangeLine(ex v1.Exchange) string {
	status := "no response"
	if ex.Response != nil {
		status = fmt.Sprint(ex.Response.Status)
	}
	s := fmt.Sprintf("%s %s -> %s", orDash(ex.Request.Method), ex.Request.URL, status)
	if ex.Duration > 0 {
		s += " (" + formatDuration(ex.Duration) + ")"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// formatDuration prints d to a precision a reader cares about: whole
// milliseconds from 1ms up, microseconds below, seconds with two decimals
// from 10s up.
func formatDuration(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return d.Round(time.Millisecond).String()
	default:
		return d.Round(time.Microsecond).String()
	}
}
