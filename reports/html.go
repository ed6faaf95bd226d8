package reports

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"

	v1 "github.com/assayhq/assay/reports/v1"
)

//go:embed html.tmpl
var htmlTemplate string

// htmlScript is the page's behaviour (filters, self-test); htmlGuard records
// script errors into the page so a headless browser can report them. Both
// are inlined verbatim and allowed by hash in the page's CSP.
var (
	//go:embed html.js
	htmlScript string
	//go:embed html_guard.js
	htmlGuard string
)

// htmlView is what html.tmpl renders.
type htmlView struct {
	R        v1.Report
	Headline string
	Verdict  Verdict
	Target   string
	Started  string
	Duration string
	Partial  string
	Expected int
	Cards    []htmlCard
	Outcomes []v1.Outcome
	Matrix   []MatrixRow
	Profiles []string
	Results  []htmlResult
	Causes   []htmlCause
	Standing string
	CSP      string
	Guard    template.JS
	Script   template.JS
}

type htmlCard struct {
	Outcome v1.Outcome
	Count   int
}

type htmlResult struct {
	v1.Result
	Key        string
	Sections   string // JSON array of indices into Matrix, read by the filters
	ProfileIdx string // JSON array of indices into Profiles, read by the filters
	AnyProfile bool   // applies under every profile: none listed, or ALL
	Dur        string
	Exchanges  []htmlExchange
	// LevelText is the level as the row's outcome means it: a WARN on a
	// MUST row is a SHOULD-level warning.
	LevelText string
}

// htmlCause is one cause with its rows by outcome (Causes).
type htmlCause struct {
	Text  string
	Lines []htmlCauseLine
}

type htmlCauseLine struct {
	Outcome v1.Outcome
	Label   string
	Rows    []string // check keys
}

type htmlExchange struct {
	Line     string
	Request  string
	Response string
}

// WriteHTML writes r as one self-contained HTML page: inline CSS and
// script, no external assets, a Content-Security-Policy that allows only
// the page's own script. It shows summary cards by outcome, filters by
// outcome, profile and spec section that work in the browser, a summary per
// spec section, and one expandable row per result with reason, notes, repro
// and exchanges. All report text goes through html/template's escaping.
func WriteHTML(w io.Writer, r v1.Report) error {
	tmpl, err := template.New("html.tmpl").Funcs(template.FuncMap{
		"slug":        outcomeSlug,
		"verdictSlug": func(v Verdict) string { return strings.ToLower(string(v)) },
		"join":        strings.Join,
		"inc":         func(i int) int { return i + 1 },
	}).Parse(htmlTemplate)
	if err != nil {
		return fmt.Errorf("parse html template: %w", err)
	}
	view, err := newHTMLView(r)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, view); err != nil {
		return fmt.Errorf("render html report: %w", err)
	}
	if _, err := w.Write(replaceControls(b.Bytes())); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return nil
}

// replaceControls replaces C0 control characters other than tab, line feed
// and carriage return, and DEL, with U+FFFD: html/template leaves them
// alone, but they are parse errors in HTML and can carry terminal escapes.
// Working on bytes is safe because UTF-8 never uses these bytes inside a
// multi-byte sequence.
func replaceControls(p []byte) []byte {
	out := make([]byte, 0, len(p))
	for _, c := range p {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
			out = append(out, "\uFFFD"...)
			continue
		}
		out = append(out, c)
	}
	return out
}

func newHTMLView(r v1.Report) (htmlView, error) {
	v := htmlView{
		R:        r,
		Headline: Headline(r),
		Verdict:  Judge(r),
		Target:   targetName(r.Target),
		Partial:  PartialLine(r),
		Expected: countExpected(r),
		Outcomes: slices.Clone(v1.Outcomes),
		Matrix:   Matrix(r),
		Guard:    template.JS(htmlGuard),
		Script:   template.JS(htmlScript),
		CSP: "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src " +
			scriptHash(htmlGuard) + " " + scriptHash(htmlScript),
	}
	if !r.Started.IsZero() {
		v.Started = r.Started.UTC().Format("2006-01-02 15:04:05Z")
		v.Duration = formatDuration(r.Finished.Sub(r.Started))
	}
	for _, o := range v1.Outcomes {
		v.Cards = append(v.Cards, htmlCard{o, countOutcome(r, o)})
	}
	// Filters refer to spec sections and profiles by index: the strings
	// themselves may hold characters (CR, newlines) that HTML attribute and
	// form-value normalization would change, and then never match.
	section := map[string]int{}
	for i, row := range v.Matrix {
		section[row.Cite] = i
	}
	profileSet := map[string]bool{}
	for _, res := range r.Results {
		for _, p := range res.Profiles {
			if p != "ALL" {
				profileSet[p] = true
			}
		}
	}
	v.Profiles = sortedKeys(profileSet)
	slices.SortFunc(v.Profiles, naturalCompare)
	profile := map[string]int{}
	for i, p := range v.Profiles {
		profile[p] = i
	}
	keysOf := func(rs []v1.Result) []string {
		out := make([]string, len(rs))
		for i, res := range rs {
			out[i] = checkKey(res)
		}
		return out
	}
	cs := Causes(r)
	for _, c := range cs {
		hc := htmlCause{Text: c.Text}
		for _, l := range causeLines(c) {
			o := l.outcome
			label := strings.TrimSuffix(l.label, ": ")
			if l.expected {
				label = "expected failure"
			}
			hc.Lines = append(hc.Lines, htmlCauseLine{Outcome: o, Label: label, Rows: keysOf(l.rows)})
		}
		v.Causes = append(v.Causes, hc)
	}
	v.Standing = standingLine(cs)
	for _, res := range r.Results {
		hr := htmlResult{Result: res, Key: resultKey(res), Dur: formatDuration(res.Duration), AnyProfile: len(res.Profiles) == 0,
			LevelText: res.Level}
		if res.Outcome == v1.Warn && res.Level != "SHOULD" {
			hr.LevelText = "SHOULD-level warning on a " + res.Level + " row"
		}
		var sections, profiles []int
		cites := res.Cite
		if len(cites) == 0 {
			cites = []string{NoCite} // as in the spec-section table
		}
		for _, c := range cites {
			sections = append(sections, section[c])
		}
		for _, p := range res.Profiles {
			if p == "ALL" {
				hr.AnyProfile = true
				continue
			}
			profiles = append(profiles, profile[p])
		}
		var err error
		if hr.Sections, err = jsonInts(sections); err != nil {
			return htmlView{}, err
		}
		if hr.ProfileIdx, err = jsonInts(profiles); err != nil {
			return htmlView{}, err
		}
		for _, ex := range res.Exchanges {
			hr.Exchanges = append(hr.Exchanges, htmlExchange{
				Line: exchangeLine(ex), Request: requestText(ex.Request), Response: responseText(ex),
			})
		}
		v.Results = append(v.Results, hr)
	}
	// Problems first: a reader opens the page to see what broke.
	slices.SortStableFunc(v.Results, func(a, b htmlResult) int { return attention(a.Outcome) - attention(b.Outcome) })
	return v, nil
}

// attention orders outcomes for reading: ERROR, FAIL, WARN, then the rest.
func attention(o v1.Outcome) int {
	switch o {
	case v1.Error:
		return 0
	case v1.Fail:
		return 1
	case v1.Warn:
		return 2
	}
	return 3
}

func jsonInts(xs []int) (string, error) {
	if xs == nil {
		xs = []int{}
	}
	b, err := json.Marshal(xs)
	if err != nil {
		return "", fmt.Errorf("encode list: %w", err)
	}
	return string(b), nil
}

// scriptHash is the CSP source expression that allows exactly the inline
// script s.
func scriptHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// outcomeSlug is a CSS-safe name for an outcome ("N/A" becomes "na").
func outcomeSlug(o v1.Outcome) string {
	switch o {
	case v1.NA:
		return "na"
	case v1.Pass, v1.Fail, v1.Warn, v1.Skip, v1.Error:
		return strings.ToLower(string(o))
	default:
		return "unknown"
	}
}
