package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	v1 "github.com/assayhq/assay/reports/v1"
)

// hostile is text a malicious or broken target could put into a report: it
// tries to close script and CDATA sections, break attributes and tables,
// open code spans, inject markup and rewrite the terminal.
const hostile = "</script><script>document.body.setAttribute('data-pwned','1')</script>" +
	"\"'><img src=x onerror=\"document.body.setAttribute('data-pwned','2')\"> ]]> | a|b ` ``` ~~~ *x* _y_ [l](javascript:alert(3)) &amp; \x1b[2J\x1b]0;title\x07 \r\n# heading"

// hostileReport has hostile text in every free-text field; levels and
// outcomes stay valid because they are enumerations.
func hostileReport() v1.Report {
	h := func(s string) string { return s + " " + hostile }
	ex := v1.Exchange{
		Request: v1.Request{
			Method: "POST", URL: "https://as.test/token?q=" + hostile,
			Header: map[string][]string{"X-" + hostile: {hostile}},
			Body:   hostile,
		},
		Response: &v1.Response{Status: 400, Header: map[string][]string{"Content-Type": {hostile}}, Body: hostile},
		Error:    hostile,
	}
	r := v1.Report{
		Schema:       v1.Schema,
		Tool:         v1.Tool{Name: h("assay"), Version: hostile},
		Target:       v1.Target{Name: h("t"), Product: hostile, Version: hostile, Issuer: hostile, TokenEndpoint: hostile, Profile: h("BASE")},
		Command:      h("assay run"),
		Started:      sampleStart,
		Finished:     sampleStart.Add(time.Second),
		Observations: []v1.Observation{{ID: h("O-1"), Text: hostile}},
	}
	for i, o := range v1.Outcomes {
		res := v1.Result{
			ID: h("X-" + string(rune('A'+i))), Title: hostile, Level: "MUST",
			Cite: []string{h("RFC"), hostile}, Profiles: []string{hostile, "ALL"}, Carrier: h("c"), Suite: h("s"),
			Outcome: o, Reason: hostile, Notes: []string{hostile},
			Exchanges: []v1.Exchange{ex}, Repro: &v1.Repro{Curl: Curl(ex), Assay: Assay(hostile, hostile), Note: hostile},
		}
		r.Results = append(r.Results, res)
	}
	r.Results = append(r.Results, v1.Result{ID: h("X-expected"), Level: "SHOULD", Cite: []string{hostile}, Outcome: v1.Fail, Expected: true, ExpectedBy: hostile, Reason: hostile})
	r.Summarize()
	r.Summary.FixedExpected = []string{hostile}
	return r
}

func TestHostileJSON(t *testing.T) {
	want := hostileReport()
	var b bytes.Buffer
	if err := WriteJSON(&b, want); err != nil {
		t.Fatal(err)
	}
	var got v1.Report
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("hostile strings did not survive a JSON round trip")
	}
}

func TestHostileJUnit(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJUnit(&b, hostileReport()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script", "<img", "]]>", "\x1b", "\x07"} {
		if strings.Contains(out, bad) {
			t.Errorf("JUnit output contains raw %q", bad)
		}
	}
	doc := parseJUnit(t, b.Bytes())
	// XML cannot carry ESC or BEL; everything else must come back intact.
	readable := strings.NewReplacer("\x1b", "\uFFFD", "\x07", "\uFFFD").Replace(hostile)
	var n int
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			n++
			for _, p := range c.Props {
				if p.Name == "assay.outcome" || p.Name == "assay.level" || p.Name == "assay.expected" {
					continue
				}
				if !strings.Contains(p.Value, readable) {
					t.Errorf("%s: property %s lost the hostile text: %q", c.Name, p.Name, p.Value)
				}
			}
			if c.Failure != nil && !strings.Contains(c.Failure.Body, readable) {
				t.Errorf("%s: failure body lost the hostile text", c.Name)
			}
		}
	}
	if n != len(hostileReport().Results) {
		t.Errorf("got %d testcases, want %d", n, len(hostileReport().Results))
	}
}

func TestHostileHTML(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, hostileReport()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	// Only the page's own two scripts; no injected element or handler.
	if n := strings.Count(out, "<script"); n != 2 {
		t.Errorf("found %d <script tags, want the page's own 2", n)
	}
	if n := strings.Count(out, "</script>"); n != 2 {
		t.Errorf("found %d </script> tags, want 2", n)
	}
	for _, bad := range []string{"<img", "onerror=\"", "\x1b", "\x07"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML output contains raw %q", bad)
		}
	}
	// Outside the page's own script and style, every tag has only known,
	// double-quoted attributes: no event handler or URL was injected.
	body := regexp.MustCompile(`(?s)<(script|style)>.*?</(script|style)>`).ReplaceAllString(out, "")
	attrOK := regexp.MustCompile(`^(class|id|type|lang|charset|name|content|http-equiv|rel|href|value|placeholder|open|data-[a-z-]+|aria-[a-z-]+)$`)
	attr := regexp.MustCompile(`\s([^\s=>]+)(?:=("[^"]*"|[^\s>]*))?`)
	for _, tag := range regexp.MustCompile(`<[a-zA-Z][^>]*>`).FindAllString(body, -1) {
		for _, a := range attr.FindAllStringSubmatch(tag, -1) {
			if !attrOK.MatchString(a[1]) || (a[2] != "" && !strings.HasPrefix(a[2], `"`)) {
				t.Errorf("unexpected attribute %q in %s", a[0], tag)
			}
			if a[1] == "href" && a[2] != `"data:,"` {
				t.Errorf("unexpected link %s", tag)
			}
		}
	}
}

// dropCodeSpans removes Markdown code spans (literal text) from a line.
func dropCodeSpans(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); {
		if line[i] != '`' {
			b.WriteByte(line[i])
			i++
			continue
		}
		n := 0
		for i+n < len(line) && line[i+n] == '`' {
			n++
		}
		closeAt := -1
		for j := i + n; j < len(line); {
			if line[j] != '`' {
				j++
				continue
			}
			m := 0
			for j+m < len(line) && line[j+m] == '`' {
				m++
			}
			if m == n {
				closeAt = j + m
				break
			}
			j += m
		}
		if closeAt < 0 {
			b.WriteString(line[i : i+n]) // an unmatched run is literal backticks
			i += n
			continue
		}
		i = closeAt
	}
	return b.String()
}

func TestHostileMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, hostileReport()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07\r") {
		t.Error("Markdown output carries control characters")
	}
	var (
		fenceLen  int // length of the open fence, 0 outside code blocks
		fenceLine = regexp.MustCompile("^ *(`{3,})")
		escaped   = regexp.MustCompile(`\\[[:punct:]]`)
		ownTags   = regexp.MustCompile(`</?(details|summary|sub)>`)
	)
	for i, line := range strings.Split(out, "\n") {
		if fenceLen > 0 {
			if t := strings.TrimSpace(line); strings.Trim(t, "`") == "" && len(t) >= fenceLen {
				fenceLen = 0
			}
			continue
		}
		if m := fenceLine.FindStringSubmatch(line); m != nil {
			fenceLen = len(m[1])
			continue
		}
		// What a renderer would treat as markup: drop backslash escapes,
		// code spans (literal text) and the writer's own tags.
		live := ownTags.ReplaceAllString(dropCodeSpans(escaped.ReplaceAllString(line, "")), "")
		bad := []string{"<", "](", "*x*", "_y_"}
		if strings.HasPrefix(line, "<details>") {
			bad = []string{"<"} // an HTML block: Markdown is not parsed inside
		}
		for _, bad := range bad {
			if strings.Contains(live, bad) {
				t.Errorf("line %d: live markup %q: %s", i+1, bad, line)
			}
		}
		if strings.HasPrefix(line, "|") {
			if n := strings.Count(live, "|"); n != 3 && n != 9 {
				t.Errorf("line %d: table row with %d cell delimiters: %s", i+1, n, line)
			}
		}
		if strings.HasPrefix(line, "#") && !regexp.MustCompile(`^#{2,4} `).MatchString(line) {
			t.Errorf("line %d: hostile text started a heading: %s", i+1, line)
		}
	}
	if fenceLen != 0 {
		t.Error("a code fence was left open: hostile backticks closed or broke it")
	}
}

func TestCodeSpanAndFence(t *testing.T) {
	if got, want := codeSpan("a`b"), "``a`b``"; got != want {
		t.Errorf("codeSpan: got %s, want %s", got, want)
	}
	if got, want := codeSpan("`x`"), "`` `x` ``"; got != want {
		t.Errorf("codeSpan: got %s, want %s", got, want)
	}
	if got, want := fence("a\n````\nb", "sh"), "`````sh\na\n````\nb\n`````\n"; got != want {
		t.Errorf("fence: got %q, want %q", got, want)
	}
	if got, want := mdText("a|b `c` <d> *e* [f]\n# g"), `a\|b \`+"`"+`c\`+"`"+` \<d\> \*e\* \[f\] \# g`; got != want {
		t.Errorf("mdText: got %s, want %s", got, want)
	}
}

func TestHostileTerminal(t *testing.T) {
	r := hostileReport()
	var b bytes.Buffer
	if err := WriteSummary(&b, r, false); err != nil {
		t.Fatal(err)
	}
	p := NewProgress(&b, len(r.Results), false, false)
	for _, res := range r.Results {
		p.Done(res)
	}
	tty := NewProgress(&b, len(r.Results), true, false)
	tty.Start(hostile, hostile)
	tty.Done(r.Results[1])
	// The only escape sequence allowed is our own clear-line on the TTY.
	out := strings.ReplaceAll(b.String(), clearLine, "")
	if strings.ContainsAny(out, "\x1b\x07\r") {
		t.Errorf("terminal output carries control characters from the report: %q", out)
	}
}

// TestHostileXMLRoundTrip checks that an XML reader sees the same text in
// attributes as the report holds.
func TestHostileXMLRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJUnit(&b, hostileReport()); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(&b)
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("token: %v", err)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "script" {
			t.Fatal("a <script> element appeared in the JUnit document")
		}
	}
}
