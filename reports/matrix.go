package reports

import (
	"fmt"
	"slices"

	v1 "github.com/assayhq/assay/reports/v1"
)

// NoCite is the matrix row for results that carry no citation.
const NoCite = "(no citation)"

// MatrixRow counts the results that cite one spec section, by outcome.
type MatrixRow struct {
	Cite   string             // label form, e.g. "RFC7523-3"
	Counts map[v1.Outcome]int // every outcome present, zero or not
	Total  int
}

// Count returns the number of results with outcome o (usable from templates).
func (m MatrixRow) Count(o v1.Outcome) int { return m.Counts[o] }

// Matrix returns one row per citation in r, in natural order (RFC7523-3
// before RFC7523-10), counting each result once under each citation it
// carries. Results without a citation are counted under NoCite, last.
func Matrix(r v1.Report) []MatrixRow {
	rows := map[string]*MatrixRow{}
	for _, res := range r.Results {
		cites := res.Cite
		if len(cites) == 0 {
			cites = []string{NoCite}
		}
		seen := map[string]bool{}
		for _, c := range cites {
			if seen[c] {
				continue
			}
			seen[c] = true
			row := rows[c]
			if row == nil {
				row = &MatrixRow{Cite: c, Counts: map[v1.Outcome]int{}}
				for _, o := range v1.Outcomes {
					row.Counts[o] = 0
				}
				rows[c] = row
			}
			row.Counts[res.Outcome]++
			row.Total++
		}
	}
	out := make([]MatrixRow, 0, len(rows))
	for _, row := range rows {
		out = append(out, *row)
	}
	slices.SortFunc(out, func(a, b MatrixRow) int {
		if (a.Cite == NoCite) != (b.Cite == NoCite) {
			if a.Cite == NoCite {
				return 1
			}
			return -1
		}
		return naturalCompare(a.Cite, b.Cite)
	})
	return out
}

// countCell formats a matrix count for text tables: a dot for zero, so the
// non-zero cells stand out.
func countCell(n int) string {
	if n == 0 {
		return "·"
	}
	return fmt.Sprint(n)
}
