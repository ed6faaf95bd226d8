package reports

import (
	"encoding/json"
	"fmt"
	"io"

	v1 "github.com/assayhq/assay/reports/v1"
)

// WriteJSON writes r as indented JSON followed by a newline. The output is
// stable: struct fields keep schema order, map keys (counts, headers) are
// sorted, and results keep the report's order. HTML characters are not
// escaped, so form bodies read as sent ("a=1&b=2").
func WriteJSON(w io.Writer, r v1.Report) error {
	if r.Results == nil {
		r.Results = []v1.Result{} // "results": [] rather than null
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}
