package reports

import (
	"cmp"
	"slices"

	v1 "github.com/assayhq/assay/reports/v1"
)

// naturalCompare orders strings so that runs of digits compare by numeric
// value: "B-ALG-6" sorts before "B-ALG-10" and "RFC7523-3" before
// "RFC7523-3.1". Ties fall back to plain byte order, so the order is total.
func naturalCompare(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if isDigit(a[i]) && isDigit(b[j]) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			if c := compareDigits(trimZeros(a[si:i]), trimZeros(b[sj:j])); c != 0 {
				return c
			}
			continue
		}
		if a[i] != b[j] {
			return cmp.Compare(a[i], b[j])
		}
		i++
		j++
	}
	if c := cmp.Compare(len(a)-i, len(b)-j); c != 0 {
		return c
	}
	return cmp.Compare(a, b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func trimZeros(s string) string {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}

// compareDigits compares two digit strings without leading zeros by value.
func compareDigits(a, b string) int {
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return c
	}
	return cmp.Compare(a, b)
}

// compareResults orders results by ID, then carrier.
func compareResults(a, b v1.Result) int {
	if c := naturalCompare(a.ID, b.ID); c != 0 {
		return c
	}
	return naturalCompare(a.Carrier, b.Carrier)
}

// sortResults sorts rs in place by ID, then carrier; equal keys keep their order.
func sortResults(rs []v1.Result) {
	slices.SortStableFunc(rs, compareResults)
}

// resultKey is the key that identifies a result within a report: the ID, or
// "ID/carrier" when the check runs on a carrier.
func resultKey(r v1.Result) string {
	if r.Carrier == "" {
		return r.ID
	}
	return r.ID + "/" + r.Carrier
}
