package reports

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	v1 "github.com/assayhq/assay/reports/v1"
)

// parsedJUnit is an independent reading of the JUnit schema, so the test
// does not trust the writer's own types.
type parsedJUnit struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Props     []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func parseJUnit(t *testing.T, data []byte) parsedJUnit {
	t.Helper()
	var doc parsedJUnit
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("JUnit output is not XML: %v", err)
	}
	return doc
}

func TestWriteJUnit(t *testing.T) {
	r := sampleReport()
	var b bytes.Buffer
	if err := WriteJUnit(&b, r); err != nil {
		t.Fatalf("WriteJUnit: %v", err)
	}
	doc := parseJUnit(t, b.Bytes())

	// Counts agree with each other and with the report.
	var tests, failures, errs, skipped int
	cases := map[string]int{}
	for _, s := range doc.Suites {
		var f, e, sk int
		for _, c := range s.Cases {
			cases[c.Name]++
			if c.Classname != "assay."+s.Name {
				t.Errorf("%s: classname %q, want assay.%s", c.Name, c.Classname, s.Name)
			}
			switch {
			case c.Failure != nil:
				f++
			case c.Error != nil:
				e++
			case c.Skipped != nil:
				sk++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != e || s.Skipped != sk {
			t.Errorf("suite %s: attributes tests=%d failures=%d errors=%d skipped=%d, cases say %d/%d/%d/%d",
				s.Name, s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases), f, e, sk)
		}
		tests, failures, errs, skipped = tests+s.Tests, failures+s.Failures, errs+s.Errors, skipped+s.Skipped
	}
	if doc.Tests != tests || doc.Failures != failures || doc.Errors != errs || doc.Skipped != skipped {
		t.Errorf("testsuites: %d/%d/%d/%d, suites sum to %d/%d/%d/%d",
			doc.Tests, doc.Failures, doc.Errors, doc.Skipped, tests, failures, errs, skipped)
	}
	c := r.Summary.Counts
	if tests != len(r.Results) || failures != c[v1.Fail]-r.Summary.ExpectedFailures || errs != c[v1.Error] || skipped != c[v1.NA]+c[v1.Skip] {
		t.Errorf("counts %d/%d/%d/%d do not match the report summary %+v", tests, failures, errs, skipped, r.Summary)
	}
	for name, n := range cases {
		if n > 1 {
			t.Errorf("testcase name %q appears %d times; CI systems would merge them", name, n)
		}
	}

	// Every result maps to the element semantics §7 asks for.
	for _, s := range doc.Suites {
		for _, tc := range s.Cases {
			props := map[string]string{}
			for _, p := range tc.Props {
				props[p.Name] = p.Value
			}
			for _, need := range []string{"assay.id", "assay.level", "assay.cite", "assay.outcome"} {
				if _, ok := props[need]; !ok {
					t.Errorf("%s: property %s missing", tc.Name, need)
				}
			}
			switch {
			case tc.Name == "A-CA-04 rejects an aud that names another server [client]":
				if tc.Failure == nil || !strings.Contains(tc.Failure.Body, "HTTP 200 OK") || !strings.Contains(tc.Failure.Body, "curl -sS") {
					t.Errorf("%s: want <failure> with transcript and repro, got %+v", tc.Name, tc.Failure)
				}
			case props["assay.id"] == "A-CA-09":
				if tc.Failure != nil || props["assay.expected"] != "true" || !strings.Contains(tc.SystemOut, "expected failure") {
					t.Errorf("%s: expected failure must pass with a property and a note", tc.Name)
				}
			case props["assay.outcome"] == "WARN":
				if tc.Failure != nil || tc.Skipped != nil || !strings.HasPrefix(tc.SystemOut, "WARN") {
					t.Errorf("%s: WARN must pass with a system-out note", tc.Name)
				}
			case props["assay.outcome"] == "ERROR":
				if tc.Error == nil || tc.Error.Message == "" {
					t.Errorf("%s: want <error> with a message", tc.Name)
				}
			case props["assay.outcome"] == "N/A", props["assay.outcome"] == "SKIP":
				if tc.Skipped == nil || !strings.Contains(tc.Skipped.Message, ": ") {
					t.Errorf("%s: want <skipped> with the reason", tc.Name)
				}
			}
		}
	}
}

func TestXMLText(t *testing.T) {
	in := "a<b>&c]]>\r\n\t\x00\x1b\uFFFE😀"
	want := "a&lt;b&gt;&amp;c]]&gt;&#xD;\n\t\uFFFD\uFFFD\uFFFD😀"
	if got := xmlText(in); got != want {
		t.Errorf("xmlText(%q) = %q, want %q", in, got, want)
	}
	// And a parser reads it back, CR included.
	var v struct {
		S string `xml:",chardata"`
	}
	if err := xml.Unmarshal([]byte("<x>"+xmlText("a\r\nb<")+"</x>"), &v); err != nil || v.S != "a\r\nb<" {
		t.Errorf("parse back: %q, %v", v.S, err)
	}
}
