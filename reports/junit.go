package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	v1 "github.com/assayhq/assay/reports/v1"
)

// The JUnit XML shape read by Jenkins, GitLab and GitHub test reporters.
type (
	junitSuites struct {
		XMLName   xml.Name     `xml:"testsuites"`
		Name      string       `xml:"name,attr"`
		Tests     int          `xml:"tests,attr"`
		Failures  int          `xml:"failures,attr"`
		Errors    int          `xml:"errors,attr"`
		Skipped   int          `xml:"skipped,attr"`
		Time      string       `xml:"time,attr"`
		Timestamp string       `xml:"timestamp,attr,omitempty"`
		Suites    []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		ID         int             `xml:"id,attr"`
		Package    string          `xml:"package,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Timestamp  string          `xml:"timestamp,attr,omitempty"`
		Properties junitProperties `xml:"properties"`
		Cases      []junitCase     `xml:"testcase"`
		SystemOut  *junitOutput    `xml:"system-out,omitempty"`
	}
	junitProperties struct {
		Props []junitProperty `xml:"property"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name       string          `xml:"name,attr"`
		Classname  string          `xml:"classname,attr"`
		Time       string          `xml:"time,attr"`
		Properties junitProperties `xml:"properties"`
		Failure    *junitMessage   `xml:"failure,omitempty"`
		Error      *junitMessage   `xml:"error,omitempty"`
		Skipped    *junitMessage   `xml:"skipped,omitempty"`
		SystemOut  *junitOutput    `xml:"system-out,omitempty"`
	}
	junitOutput struct {
		Text string `xml:",innerxml"` // escaped by xmlText
	}
	junitMessage struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr,omitempty"`
		Body    string `xml:",innerxml"` // escaped by xmlText
	}
)

// defaultSuite names the testsuite of results that have no suite.
const defaultSuite = "assay"

// WriteJUnit writes r as JUnit XML: one <testsuite> per suite name, one
// <testcase name="ID title" classname="assay.<suite>"> per result (the
// carrier is appended as " [carrier]" so that both carriers of a row stay
// distinct test cases). FAIL becomes <failure> whose body holds the reason,
// the exchange transcripts and the repro; ERROR becomes <error>; N/A and
// SKIP become <skipped> with the reason; WARN and expected failures pass,
// with a <system-out> note. Every testcase carries the properties assay.id,
// assay.level, assay.cite (comma-joined) and assay.outcome.
func WriteJUnit(w io.Writer, r v1.Report) error {
	doc := junitSuites{Name: "assay", Timestamp: junitTimestamp(r.Started)}
	groups := map[string][]v1.Result{}
	for _, res := range r.Results {
		name := res.Suite
		if name == "" {
			name = defaultSuite
		}
		groups[name] = append(groups[name], res)
	}
	names := sortedKeys(groups)
	slices.SortFunc(names, naturalCompare)
	var total time.Duration
	for i, name := range names {
		s := junitSuite{
			Name: name, ID: i, Package: "assay",
			Timestamp:  doc.Timestamp,
			Properties: suiteProperties(r),
		}
		var d time.Duration
		for _, res := range groups[name] {
			c := junitTestcase(res, name)
			s.Cases = append(s.Cases, c)
			s.Tests++
			switch {
			case c.Failure != nil:
				s.Failures++
			case c.Error != nil:
				s.Errors++
			case c.Skipped != nil:
				s.Skipped++
			}
			d += res.Duration
		}
		s.Time = seconds(d)
		if len(r.TargetLog) > 0 && s.Failures+s.Errors > 0 {
			// The target's output, in each suite a CI system would open.
			s.SystemOut = &junitOutput{xmlText("target output (last lines):\n" + strings.Join(r.TargetLog, "\n"))}
		}
		total += d
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
		doc.Suites = append(doc.Suites, s)
	}
	if wall := r.Finished.Sub(r.Started); !r.Started.IsZero() && wall > 0 {
		total = wall
	}
	doc.Time = seconds(total)

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit report: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write junit report: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write junit report: %w", err)
	}
	return nil
}

func suiteProperties(r v1.Report) junitProperties {
	var p junitProperties
	add := func(name, value string) {
		if value != "" {
			p.Props = append(p.Props, junitProperty{name, value})
		}
	}
	add("assay.schema", r.Schema)
	add("assay.tool", strings.TrimSpace(r.Tool.Name+" "+r.Tool.Version))
	add("assay.target", targetName(r.Target))
	add("assay.issuer", r.Target.Issuer)
	add("assay.tokenEndpoint", r.Target.TokenEndpoint)
	add("assay.profile", r.Target.Profile)
	add("assay.verdict", string(Judge(r)))
	return p
}

func junitTestcase(res v1.Result, suite string) junitCase {
	name := strings.TrimSpace(res.ID + " " + res.Title)
	if res.Carrier != "" {
		name += " [" + res.Carrier + "]"
	}
	c := junitCase{Name: name, Classname: "assay." + suite, Time: seconds(res.Duration)}
	add := func(name, value string) {
		c.Properties.Props = append(c.Properties.Props, junitProperty{name, value})
	}
	add("assay.id", res.ID)
	add("assay.level", res.Level)
	add("assay.cite", strings.Join(res.Cite, ","))
	add("assay.outcome", string(res.Outcome))
	if res.Carrier != "" {
		add("assay.carrier", res.Carrier)
	}
	if len(res.Profiles) > 0 {
		add("assay.profiles", strings.Join(res.Profiles, ","))
	}
	var out []string
	switch res.Outcome {
	case v1.Fail:
		if res.Expected {
			add("assay.expected", "true")
			add("assay.expectedBy", res.ExpectedBy)
			out = append(out, "expected failure ("+orDash(res.ExpectedBy)+"): "+res.Reason, detailText(res, false))
			break
		}
		c.Failure = &junitMessage{Message: res.Reason, Type: string(res.Outcome), Body: xmlText(detailText(res, true))}
	case v1.Error:
		if res.BlockedBy != "" {
			add("assay.blockedBy", res.BlockedBy)
		}
		c.Error = &junitMessage{Message: res.Reason, Type: string(res.Outcome), Body: xmlText(detailText(res, true))}
	case v1.NA, v1.Skip:
		c.Skipped = &junitMessage{Message: string(res.Outcome) + ": " + res.Reason}
	case v1.Warn:
		out = append(out, "WARN (SHOULD not met; does not fail the run): "+res.Reason, detailText(res, false))
	default:
		if len(res.Notes) > 0 {
			out = append(out, notesText(res.Notes))
		}
	}
	if text := strings.TrimSpace(strings.Join(out, "\n\n")); text != "" {
		c.SystemOut = &junitOutput{xmlText(text)}
	}
	return c
}

// detailText is the full account of a result as plain text: reason (if
// withReason), notes, every exchange, and how to reproduce it.
func detailText(res v1.Result, withReason bool) string {
	var parts []string
	if withReason && res.Reason != "" {
		parts = append(parts, res.Reason)
	}
	if len(res.Notes) > 0 {
		parts = append(parts, notesText(res.Notes))
	}
	for i, ex := range res.Exchanges {
		parts = append(parts, fmt.Sprintf("--- exchange %d: %s\n%s", i+1, exchangeLine(ex), Transcript(ex)))
	}
	if rp := res.Repro; rp != nil {
		lines := reproCommands(rp)
		if rp.Note != "" {
			lines = append(lines, "# "+strings.ReplaceAll(rp.Note, "\n", "\n# "))
		}
		if len(lines) > 0 {
			parts = append(parts, "--- reproduce\n"+strings.Join(lines, "\n"))
		}
	}
	return strings.Join(parts, "\n\n")
}

func notesText(notes []string) string {
	return "notes:\n- " + strings.Join(notes, "\n- ")
}

// seconds formats d as JUnit's decimal seconds.
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", d.Seconds())
}

// junitTimestamp formats t as the XSD's ISO 8601 local time without zone,
// in UTC; empty for the zero time.
func junitTimestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05")
}

// xmlText escapes s as XML character data for an innerxml field. Unlike
// encoding/xml's chardata it keeps line breaks as they are, so transcripts
// stay readable in the raw file: &, < and > become entities, \r becomes
// &#xD; (a parser would fold a raw CR into LF), and characters XML 1.0
// cannot carry become U+FFFD.
func xmlText(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '&':
			b.WriteString("&amp;")
		case c == '<':
			b.WriteString("&lt;")
		case c == '>':
			b.WriteString("&gt;")
		case c == '\r':
			b.WriteString("&#xD;")
		case c == '\n' || c == '\t' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF):
			b.WriteRune(c)
		default:
			b.WriteRune('\uFFFD')
		}
	}
	return b.String()
}
