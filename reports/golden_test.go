package reports

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/assayhq/assay/reports/v1"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("update golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./reports/ -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (%s); run go test ./reports/ -update and review the diff", path, firstDiff(got, want))
	}
}

// firstDiff describes the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl || i >= len(g) || i >= len(w) {
			return fmt.Sprintf("line %d:\n got: %q\nwant: %q", i+1, gl, wl)
		}
	}
	return "identical lines, different bytes"
}

func TestGolden(t *testing.T) {
	writers := []struct {
		file  string
		write func(io.Writer, v1.Report) error
	}{
		{"sample.json", WriteJSON},
		{"sample.junit.xml", WriteJUnit},
		{"sample.md", WriteMarkdown},
		{"sample.html", WriteHTML},
		{"sample.summary.txt", func(w io.Writer, r v1.Report) error { return WriteSummary(w, r, false) }},
		{"sample.summary.ansi", func(w io.Writer, r v1.Report) error { return WriteSummary(w, r, true) }},
	}
	for _, tc := range writers {
		t.Run(tc.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b, sampleReport()); err != nil {
				t.Fatalf("write: %v", err)
			}
			golden(t, tc.file, b.Bytes())
		})
	}
}

// TestSampleCoversEverything keeps the sample honest: the golden files are
// only worth having if the sample exercises every branch of the writers.
func TestSampleCoversEverything(t *testing.T) {
	r := sampleReport()
	if err := r.Validate(); err != nil {
		t.Fatalf("sample report does not validate: %v", err)
	}
	var expected, notes, exchanges, repro, transportErr bool
	for _, res := range r.Results {
		expected = expected || res.Expected
		notes = notes || len(res.Notes) > 0
		exchanges = exchanges || len(res.Exchanges) > 0
		repro = repro || res.Repro != nil
		for _, ex := range res.Exchanges {
			transportErr = transportErr || ex.Response == nil
		}
	}
	for _, o := range v1.Outcomes {
		if r.Summary.Counts[o] == 0 {
			t.Errorf("sample has no %s result", o)
		}
	}
	for name, ok := range map[string]bool{"expected failure": expected, "notes": notes, "exchanges": exchanges,
		"repro": repro, "transport error": transportErr, "observation": len(r.Observations) > 0,
		"fixed expected failure": len(r.Summary.FixedExpected) > 0} {
		if !ok {
			t.Errorf("sample has no %s", name)
		}
	}
}
