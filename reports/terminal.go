package reports

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	v1 "github.com/assayhq/assay/reports/v1"
)

// ANSI SGR sequences; used only when colour is on.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiBoldRd = "\x1b[1;31m"
	clearLine  = "\r\x1b[K"
)

// statusWidth bounds the TTY status line so it never wraps on an 80-column
// terminal; a wrapped line cannot be rewritten with \r.
const statusWidth = 79

// Progress prints check progress for the CLI. On a TTY it keeps one status
// line ("[ 42/180] A-CA-04 rejects ...") that each Start rewrites, and
// prints a permanent line only for FAIL, ERROR and WARN; otherwise it prints
// one plain line per finished check. Write errors are ignored: progress is
// advisory. It is safe for concurrent use.
type Progress struct {
	mu     sync.Mutex
	w      io.Writer
	total  int
	done   int
	tty    bool
	color  bool
	status bool // a status line is on screen
	// ShowNA prints N/A results with their reasons on a TTY too (-v).
	ShowNA bool
	// blocked holds the controls whose blocked rows were already shown
	// with the cause: the next ones are one short line (none on a TTY).
	blocked map[string]bool
}

// NewProgress returns a Progress writing to w for a run of total checks.
// tty selects the rewriting status line, color ANSI colours.
func NewProgress(w io.Writer, total int, tty bool, color bool) *Progress {
	return &Progress{w: w, total: total, tty: tty, color: color}
}

// Start announces that the check id is running. Only a TTY shows it.
func (p *Progress) Start(id, title string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.tty {
		return
	}
	width := len(fmt.Sprint(p.total))
	line := fmt.Sprintf("[%*d/%d] %s %s", width, p.done+1, p.total, clean(id), clean(title))
	fmt.Fprint(p.w, clearLine+truncate(line, statusWidth))
	p.status = true
}

// Done records the result of a finished check.
func (p *Progress) Done(res v1.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if p.tty && p.status {
		fmt.Fprint(p.w, clearLine)
		p.status = false
	}
	if p.tty && res.Outcome != v1.Fail && res.Outcome != v1.Error && res.Outcome != v1.Warn && !(p.ShowNA && res.Outcome == v1.NA) {
		return
	}
	if res.BlockedBy != "" {
		if p.blocked[res.BlockedBy] {
			if !p.tty {
				fmt.Fprintf(p.w, "%s %s  %s (%s)  blocked by %s\n", paint(fmt.Sprintf("%-5s", res.Outcome), outcomeColor(res), p.color),
					clean(resultKey(res)), clean(res.Title), formatDuration(res.Duration), clean(res.BlockedBy))
			}
			return
		}
		if p.blocked == nil {
			p.blocked = map[string]bool{}
		}
		p.blocked[res.BlockedBy] = true
		fmt.Fprint(p.w, resultLine(res, p.color))
		fmt.Fprintf(p.w, "      every other row blocked by %s is listed once, under its cause, in the summary\n", clean(res.BlockedBy))
		return
	}
	line := resultLine(res, p.color)
	if p.ShowNA && res.Outcome == v1.NA {
		line += "      " + clean(oneLine(res.Reason)) + "\n"
	}
	fmt.Fprint(p.w, line)
}

// resultLine is "PASS  A-CA-04  rejects ... (3ms)\n", plus an indented
// reason for FAIL, ERROR and WARN.
func resultLine(res v1.Result, color bool) string {
	var b strings.Builder
	b.WriteString(paint(fmt.Sprintf("%-5s", res.Outcome), outcomeColor(res), color))
	fmt.Fprintf(&b, " %s  %s (%s)", clean(resultKey(res)), clean(res.Title), formatDuration(res.Duration))
	if res.Expected {
		b.WriteString(paint(" expected failure: "+clean(orDash(res.ExpectedBy)), ansiDim, color))
	}
	b.WriteString("\n")
	if res.Outcome == v1.Fail || res.Outcome == v1.Error || res.Outcome == v1.Warn {
		if len(res.Cite) > 0 && res.Outcome != v1.Error {
			b.WriteString("      " + levelLine(res) + "\n")
		}
		for _, l := range strings.Split(clean(res.Reason), "\n") {
			if l != "" {
				b.WriteString("      " + l + "\n")
			}
		}
		for _, n := range res.Notes {
			b.WriteString("      note: " + clean(n) + "\n")
		}
	}
	return b.String()
}

// WriteSummary writes the closing summary of a run: the headline, a table
// of counts by outcome, a table by spec citation, the partial-run line when
// checks were skipped, and expected failures that now pass.
func WriteSummary(w io.Writer, r v1.Report, color bool) error {
	var b strings.Builder
	verdict := Judge(r)
	b.WriteString(paint(clean(Headline(r)), verdictColor(verdict), color) + "\n\n")

	exp := countExpected(r)
	for _, o := range v1.Outcomes {
		n := countOutcome(r, o)
		cell := fmt.Sprintf("%-6s %5d", o, n)
		if n > 0 {
			cell = paint(cell, outcomeColor(v1.Result{Outcome: o}), color)
		}
		b.WriteString(cell)
		if o == v1.Fail && exp > 0 {
			fmt.Fprintf(&b, "  (%d expected)", exp)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%-6s %5d\n", "total", len(r.Results))

	if rows := Matrix(r); len(rows) > 0 {
		width := len("spec citation")
		for _, row := range rows {
			width = max(width, utf8.RuneCountInString(clean(row.Cite)))
		}
		fmt.Fprintf(&b, "\n%-*s", width, "spec citation")
		for _, o := range v1.Outcomes {
			fmt.Fprintf(&b, " %5s", o)
		}
		b.WriteString("\n")
		for _, row := range rows {
			fmt.Fprintf(&b, "%s%s", clean(row.Cite), strings.Repeat(" ", width-utf8.RuneCountInString(clean(row.Cite))))
			for _, o := range v1.Outcomes {
				cell := fmt.Sprintf(" %5s", countCell(row.Count(o)))
				if row.Count(o) > 0 && o != v1.Pass {
					cell = paint(cell, outcomeColor(v1.Result{Outcome: o}), color)
				}
				b.WriteString(cell)
			}
			b.WriteString("\n")
		}
	}

	writeCauses(&b, r, color)

	if line := PartialLine(r); line != "" {
		b.WriteString("\n" + paint(line, ansiYellow, color) + "\n")
	}
	if len(r.Summary.FixedExpected) > 0 {
		b.WriteString("\nexpected failures that now pass (remove them from the expected-failures file):\n")
		for _, k := range r.Summary.FixedExpected {
			b.WriteString("  " + clean(k) + "\n")
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

// levelLine says what a FAIL or WARN broke: "MUST of RFC7523-3" for a
// FAIL, "SHOULD of ..." for a WARN. A WARN is never a broken MUST: on a
// MUST row it is a SHOULD-level problem found on the way (U5, U7), and the
// line says so.
func levelLine(res v1.Result) string {
	cites := clean(strings.Join(res.Cite, ", "))
	if res.Outcome == v1.Warn && res.Level != "SHOULD" {
		return "SHOULD-level warning on a " + clean(res.Level) + " row (" + cites + ")"
	}
	return clean(res.Level) + " of " + cites
}

// maxTerminalCauses bounds the causes the terminal summary lists; the
// Markdown and HTML reports list them all.
const maxTerminalCauses = 15

// maxCauseRows bounds the row keys shown per line of a cause.
const maxCauseRows = 8

// writeCauses writes the FAIL, WARN and ERROR results grouped by cause,
// and which FAILs stand and which ERRORs follow from them.
func writeCauses(b *strings.Builder, r v1.Report, color bool) {
	cs := Causes(r)
	if len(cs) == 0 {
		return
	}
	fmt.Fprintf(b, "\ncauses (FAIL, WARN and ERROR grouped by what the target answered): %d\n", len(cs))
	for i, c := range cs {
		if i == maxTerminalCauses {
			fmt.Fprintf(b, "  … %d more causes: summary.md and report.html list every one\n", len(cs)-i)
			break
		}
		fmt.Fprintf(b, "%3d. %s\n", i+1, truncate(clean(c.Text), statusWidth+40))
		for _, l := range causeLines(c) {
			cell := fmt.Sprintf("%-5s %4d", l.outcome, len(l.rows))
			b.WriteString("       " + paint(cell, outcomeColor(v1.Result{Outcome: l.outcome, Expected: l.expected}), color) + "  " + clean(l.label) + clean(causeRows(l.rows, maxCauseRows)) + "\n")
		}
	}
	if line := standingLine(cs); line != "" {
		b.WriteString("\n" + line + "\n")
	}
}

// causeLine is one outcome's rows within a cause.
type causeLine struct {
	outcome  v1.Outcome
	expected bool
	label    string
	rows     []v1.Result
}

func causeLines(c Cause) []causeLine {
	var out []causeLine
	add := func(o v1.Outcome, exp bool, label string, rows []v1.Result) {
		if len(rows) > 0 {
			out = append(out, causeLine{o, exp, label, rows})
		}
	}
	add(v1.Fail, false, "stands: ", c.Fails)
	add(v1.Fail, true, "expected: ", c.Expected)
	add(v1.Warn, false, "", c.Warns)
	errs, blocked := "", "blocked: "
	if c.Control != "" {
		blocked = "blocked by " + c.Control + ": "
	}
	if c.Stands() {
		errs = "follow from the FAIL above: "
		blocked = strings.TrimSuffix(blocked, ": ") + ", following from the FAIL above: "
	}
	add(v1.Error, false, errs, c.Errors)
	add(v1.Error, false, blocked, c.Blocked)
	return out
}

// standingLine says how many FAILs stand and how many ERRORs follow from
// them; "" when there is neither. The exit code does not change: any
// ERROR is still exit 3 (semantics.md §3), so the line says which FAILs
// to fix first.
func standingLine(cs []Cause) string {
	fails, follow, errs := 0, 0, 0
	for _, c := range cs {
		fails += len(c.Fails)
		follow += len(c.Follows())
		errs += len(c.Errors) + len(c.Blocked)
	}
	if fails == 0 && errs == 0 {
		return ""
	}
	s := plural(fails, "FAIL") + " stand"
	if fails == 1 {
		s += "s"
	}
	switch {
	case errs == 0:
	case follow == errs && fails == 1:
		s += fmt.Sprintf("; every ERROR (%d) follows from it: fix that FAIL and run again", errs)
	case follow == errs:
		s += fmt.Sprintf("; every ERROR (%d) follows from them: fix those FAILs and run again", errs)
	case follow > 0:
		s += fmt.Sprintf("; %d of %s follow from them, %d have causes of their own", follow, plural(errs, "ERROR"), errs-follow)
	case errs == 1:
		s += "; 1 ERROR has a cause of its own"
	default:
		s += fmt.Sprintf("; %d ERRORs have causes of their own", errs)
	}
	return s
}

func outcomeColor(res v1.Result) string {
	switch res.Outcome {
	case v1.Pass:
		return ansiGreen
	case v1.Fail:
		if res.Expected {
			return ansiYellow
		}
		return ansiRed
	case v1.Warn:
		return ansiYellow
	case v1.NA:
		return ansiCyan
	case v1.Error:
		return ansiBoldRd
	default:
		return ansiDim
	}
}

func verdictColor(v Verdict) string {
	switch v {
	case VerdictPass:
		return ansiBold + ansiGreen
	case VerdictPartial:
		return ansiBold + ansiYellow
	default:
		return ansiBoldRd
	}
}

func paint(s, code string, color bool) string {
	if !color || code == "" {
		return s
	}
	return code + s + ansiReset
}

// clean makes text that came from the target safe for a terminal: control
// characters (ANSI/OSC escape sequences, \r, backspace, BEL), C1 controls,
// bidirectional overrides and invalid UTF-8 are shown escaped (\x1b,
// \u202e, \xff), so a hostile response cannot retitle the window, clear the
// screen, move the cursor or reorder what the user reads. Newlines and tabs
// stay; callers indent continuation lines so a target cannot start a line of
// its own (a forged "PASS" line).
func clean(s string) string { return escape(s, false) }

// Clean is clean for callers outside this package (the runner's transcripts
// and the target's log tail).
func Clean(s string) string { return escape(s, false) }

// Escape is Clean for one-line fields: a newline is shown as \n too.
func Escape(s string) string { return escape(s, true) }

func escape(s string, oneLine bool) string {
	safe := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && (c != '\n' || oneLine) || c >= 0x7f {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case r == '\n' && oneLine:
			b.WriteString("\\n")
		case r == '\n', r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		case unicode.IsControl(r) || bidi(r):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// bidi reports the Unicode bidirectional formatting characters, which
// reorder how the rest of a line is displayed.
func bidi(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}

// truncate shortens s to at most n runes, marking the cut with "…".
func truncate(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
