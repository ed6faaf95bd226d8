package reports

import (
	"reflect"
	"testing"

	v1 "github.com/assayhq/assay/reports/v1"
)

func TestMatrix(t *testing.T) {
	r := v1.Report{Results: []v1.Result{
		{ID: "1", Cite: []string{"RFC7523-3", "RFC7521-5.2"}, Outcome: v1.Fail},
		{ID: "2", Cite: []string{"RFC7523-3"}, Outcome: v1.Pass},
		{ID: "3", Cite: []string{"RFC7523-10", "RFC7523-10"}, Outcome: v1.Warn}, // a duplicate counts once
		{ID: "4", Outcome: v1.NA},
		{ID: "5", Cite: []string{"RFC7523-3"}, Outcome: v1.Error},
	}}
	type row struct {
		cite  string
		total int
		n     map[v1.Outcome]int
	}
	want := []row{
		{"RFC7521-5.2", 1, map[v1.Outcome]int{v1.Fail: 1}},
		{"RFC7523-3", 3, map[v1.Outcome]int{v1.Fail: 1, v1.Pass: 1, v1.Error: 1}},
		{"RFC7523-10", 1, map[v1.Outcome]int{v1.Warn: 1}},
		{NoCite, 1, map[v1.Outcome]int{v1.NA: 1}},
	}
	got := Matrix(r)
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Cite != w.cite || g.Total != w.total {
			t.Errorf("row %d: got %s/%d, want %s/%d", i, g.Cite, g.Total, w.cite, w.total)
		}
		for _, o := range v1.Outcomes {
			if g.Count(o) != w.n[o] {
				t.Errorf("row %s, %s: got %d, want %d", g.Cite, o, g.Count(o), w.n[o])
			}
			if _, ok := g.Counts[o]; !ok {
				t.Errorf("row %s: outcome %s missing from Counts", g.Cite, o)
			}
		}
	}
	if len(Matrix(v1.Report{})) != 0 {
		t.Error("empty report: want no rows")
	}
}

func TestNaturalCompare(t *testing.T) {
	sorted := []string{"", "A-CA-04", "A-CA-04.2", "A-CA-05", "A-CA-10", "B-ALG-6", "B-ALG-06x", "B-ALG-10", "RFC7523-2.2", "RFC7523-3", "RFC7523-3.1", "RFC7523-10", "b"}
	for i := range sorted {
		for j := range sorted {
			got := naturalCompare(sorted[i], sorted[j])
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if got != want {
				t.Errorf("naturalCompare(%q, %q) = %d, want %d", sorted[i], sorted[j], got, want)
			}
		}
	}
	// Numerically equal digit runs fall back to byte order, so the order is total.
	if naturalCompare("A-05", "A-5") == 0 {
		t.Error(`naturalCompare("A-05", "A-5") = 0, want a strict order`)
	}
}

func TestSortResults(t *testing.T) {
	rs := []v1.Result{{ID: "B-1"}, {ID: "A-10", Carrier: "grant"}, {ID: "A-10", Carrier: "client"}, {ID: "A-9"}}
	sortResults(rs)
	var keys []string
	for _, r := range rs {
		keys = append(keys, resultKey(r))
	}
	if want := []string{"A-9", "A-10/client", "A-10/grant", "B-1"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("got %v, want %v", keys, want)
	}
}
