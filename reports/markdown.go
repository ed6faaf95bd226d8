package reports

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"io"
	"strings"

	v1 "github.com/assayhq/assay/reports/v1"
)

// WriteMarkdown writes r as a CI job summary (GitHub-flavoured Markdown):
// headline with target, profile and verdict; counts by outcome; the
// requirement matrix (citation x outcome); one section per FAIL, ERROR and
// WARN with its reason, repro commands and first exchange in a collapsible
// <details>; N/A results listed with their reasons. Text from the report is
// escaped, so a reason cannot inject markup or break a table.
//
// The summary stays under MaxMarkdown (GitHub's job-summary limit): long
// reasons and transcripts are cut with a pointer to report.html, and a
// report still too large is written again without transcripts.
func WriteMarkdown(w io.Writer, r v1.Report) error {
	var buf bytes.Buffer
	for _, lim := range []mdLimits{{exchange: 8 << 10, reason: 4 << 10}, {exchange: -1, reason: 300}} {
		buf.Reset()
		writeMarkdown(&buf, r, lim)
		if buf.Len() <= MaxMarkdown {
			break
		}
	}
	out := buf.Bytes()
	if len(out) > MaxMarkdown {
		const note = "\n\n**The summary was cut here: it would exceed 1 MiB (GitHub's job-summary limit). report.html and report.json hold every result.**\n"
		cut := bytes.LastIndexByte(out[:MaxMarkdown-len(note)], '\n')
		out = append(out[:cut:cut], note...)
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("write markdown report: %w", err)
	}
	return nil
}

// MaxMarkdown is the most summary.md may hold: GitHub refuses a job summary
// over 1 MiB.
const MaxMarkdown = 1 << 20

// mdLimits bound one result's text in the summary; exchange -1 leaves the
// transcripts out.
type mdLimits struct{ exchange, reason int }

// cutText keeps the first n bytes of s (on a UTF-8 boundary) and says where
// the rest is.
func cutText(s string, n int) string {
	if n < 0 || len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + fmt.Sprintf("\n… %d more bytes in report.html", len(s)-n)
}

func writeMarkdown(w io.Writer, r v1.Report, lim mdLimits) {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	p("## assay: %s\n\n", mdText(Headline(r)))
	var meta []string
	add := func(k, v string) {
		if v != "" {
			meta = append(meta, "**"+k+"** "+mdText(v))
		}
	}
	add("Target", targetName(r.Target))
	add("Profile", r.Target.Profile)
	add("Verdict", string(Judge(r)))
	add("Issuer", r.Target.Issuer)
	add("Token endpoint", r.Target.TokenEndpoint)
	add("Tool", strings.TrimSpace(r.Tool.Name+" "+r.Tool.Version))
	if !r.Started.IsZero() {
		add("Started", r.Started.UTC().Format("2006-01-02 15:04:05Z"))
		add("Duration", formatDuration(r.Finished.Sub(r.Started)))
	}
	p("%s\n\n", strings.Join(meta, " · "))
	if r.Command != "" {
		p("%s\n", fence(r.Command, "sh"))
	}
	if line := PartialLine(r); line != "" {
		p("> **%s**\n\n", mdText(line))
	}

	p("| Outcome | Count |\n|---|--:|\n")
	for _, o := range v1.Outcomes {
		n := countOutcome(r, o)
		extra := ""
		if exp := countExpected(r); o == v1.Fail && exp > 0 {
			extra = fmt.Sprintf(" (%d expected)", exp)
		}
		p("| %s | %d%s |\n", o, n, extra)
	}
	p("| **Total** | **%d** |\n\n", len(r.Results))

	if rows := Matrix(r); len(rows) > 0 {
		p("### Requirement matrix\n\n| Spec section |")
		for _, o := range v1.Outcomes {
			p(" %s |", o)
		}
		p(" Total |\n|---|%s--:|\n", strings.Repeat("--:|", len(v1.Outcomes)))
		for _, row := range rows {
			p("| %s |", mdText(row.Cite))
			for _, o := range v1.Outcomes {
				p(" %s |", countCell(row.Count(o)))
			}
			p(" %d |\n", row.Total)
		}
		p("\n")
	}

	if cs := Causes(r); len(cs) > 0 {
		p("### Causes\n\nFAIL, WARN and ERROR results grouped by what the target answered (status, error code and description); a row blocked by a failed positive control sent nothing.\n\n")
		for i, c := range cs {
			p("%d. %s\n", i+1, mdText(cutText(c.Text, lim.reason)))
			for _, l := range causeLines(c) {
				p("   - %s %d %s%s\n", l.outcome, len(l.rows), mdText(l.label), mdText(causeRows(l.rows, len(l.rows))))
			}
		}
		if line := standingLine(cs); line != "" {
			p("\n**%s**\n", mdText(line))
		}
		p("\n")
	}

	// Worst first, in exit-code order: ERROR, FAIL, expected FAIL, WARN.
	var attention []v1.Result
	for _, pick := range []func(v1.Result) bool{
		func(res v1.Result) bool { return res.Outcome == v1.Error },
		func(res v1.Result) bool { return res.Outcome == v1.Fail && !res.Expected },
		func(res v1.Result) bool { return res.Outcome == v1.Fail && res.Expected },
		func(res v1.Result) bool { return res.Outcome == v1.Warn },
	} {
		for _, res := range r.Results {
			if pick(res) {
				attention = append(attention, res)
			}
		}
	}
	if len(attention) > 0 {
		p("### Failures, errors and warnings\n\n")
		for _, res := range attention {
			writeMarkdownResult(bw, res, lim)
		}
	}

	var na []v1.Result
	for _, res := range r.Results {
		if res.Outcome == v1.NA {
			na = append(na, res)
		}
	}
	if len(na) > 0 {
		p("### Not applicable\n\n")
		for _, res := range na {
			p("- %s %s: %s\n", codeSpan(resultKey(res)), mdText(res.Title), mdText(cutText(res.Reason, lim.reason)))
		}
		p("\n")
	}

	if len(r.Summary.FixedExpected) > 0 {
		p("### Expected failures that now pass\n\nRemove these from the expected-failures file:\n\n")
		for _, k := range r.Summary.FixedExpected {
			p("- %s\n", codeSpan(k))
		}
		p("\n")
	}

	if len(r.Observations) > 0 {
		p("### Observations\n\nInformational (MAY); they never change the exit code.\n\n")
		for _, o := range r.Observations {
			p("- %s %s\n", codeSpan(o.ID), mdText(o.Text))
		}
		p("\n")
	}

	if len(r.TargetLog) > 0 {
		p("### Target output\n\n<details><summary>last %d lines</summary>\n\n%s\n</details>\n\n", len(r.TargetLog), fence(strings.Join(r.TargetLog, "\n"), "text"))
	}

	p("<sub>%s</sub>\n", mdText(strings.TrimSpace(fmt.Sprintf("%s · %s %s", r.Schema, r.Tool.Name, r.Tool.Version))))
	_ = bw.Flush() // w is a bytes.Buffer
}

func writeMarkdownResult(w io.Writer, res v1.Result, lim mdLimits) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	label := string(res.Outcome)
	if res.Expected {
		label += " (expected)"
	}
	p("#### %s %s %s\n\n", label, codeSpan(resultKey(res)), mdText(res.Title))
	level := orDash(res.Level)
	if res.Outcome == v1.Warn && res.Level != "SHOULD" {
		level = "SHOULD-level warning on a " + level + " row"
	}
	p("- **Level:** %s\n", mdText(level))
	if res.BlockedBy != "" {
		p("- **Blocked by:** %s (its cause: %s)\n", codeSpan(res.BlockedBy), mdText(cutText(res.Cause, lim.reason)))
	}
	p("- **Cites:** %s\n", mdText(orDash(strings.Join(res.Cite, ", "))))
	if len(res.Profiles) > 0 {
		p("- **Profiles:** %s\n", mdText(strings.Join(res.Profiles, ", ")))
	}
	if res.Carrier != "" {
		p("- **Carrier:** %s\n", mdText(res.Carrier))
	}
	if res.Expected {
		p("- **Expected failure:** %s\n", mdText(orDash(res.ExpectedBy)))
	}
	if reason := cutText(res.Reason, lim.reason); strings.Contains(reason, "\n") {
		p("- **Reason:**\n\n%s", indent(fence(reason, "text"), "  "))
	} else {
		p("- **Reason:** %s\n", mdText(orDash(reason)))
	}
	for _, n := range res.Notes {
		p("- **Note:** %s\n", mdText(n))
	}
	p("\n")
	if rp := res.Repro; rp != nil {
		if cmds := reproCommands(rp); len(cmds) > 0 {
			p("Reproduce:\n\n%s\n", fence(strings.Join(cmds, "\n\n"), "sh"))
		}
		if rp.Note != "" {
			p("%s\n\n", mdText(rp.Note))
		}
	}
	if len(res.Exchanges) > 0 && lim.exchange >= 0 {
		ex := res.Exchanges[0]
		more := ""
		if n := len(res.Exchanges) - 1; n > 0 {
			more = fmt.Sprintf(" (%d more in the JSON or HTML report)", n)
		}
		// An HTML block: Markdown escapes do not apply inside, HTML ones do.
		p("<details><summary>First exchange: %s%s</summary>\n\n%s\n</details>\n\n",
			html.EscapeString(oneLine(mdClean(exchangeLine(ex)))), more, fence(cutText(Transcript(ex), lim.exchange), "http"))
	}
}

// mdText escapes s for inline Markdown, in table cells too: punctuation that
// could start markup is backslash-escaped, and line breaks become spaces.
func mdText(s string) string {
	var b strings.Builder
	for _, c := range mdClean(s) {
		switch c {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '&', '#', '!':
			b.WriteByte('\\')
			b.WriteRune(c)
		case '\r', '\n':
			b.WriteByte(' ')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// codeSpan puts s in a code span whose backtick fence is longer than any run
// of backticks in s. Not for table cells: GFM splits cells on | even inside
// code spans, and outside tables a \| would show its backslash.
func codeSpan(s string) string {
	s = oneLine(mdClean(s))
	ticks := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return ticks + s + ticks
}

// fence puts s in a fenced code block whose fence is longer than any run of
// backticks in s, so the content cannot close it. The result ends in "\n".
func fence(s, info string) string {
	s = mdClean(s)
	ticks := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return ticks + info + "\n" + strings.TrimRight(s, "\n") + "\n" + ticks + "\n"
}

func longestRun(s string, c byte) int {
	best, cur := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}

func indent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "")
}

// mdClean normalizes line ends and replaces control characters, which
// Markdown cannot show and which would act on a terminal that prints the
// file.
func mdClean(s string) string {
	return clean(strings.ReplaceAll(s, "\r\n", "\n"))
}

// oneLine joins the lines of s with spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
