package defect

import (
	"regexp"
	"testing"
)

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// TestDeclarations: each defect is declared once, as a kebab-case name
// with a comment saying what it breaks.
func TestDeclarations(t *testing.T) {
	ds, err := declarations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) == 0 {
		t.Fatal("no defects read from the declarations")
	}
	seen := map[Name]bool{}
	for _, d := range ds {
		if seen[d.Name] {
			t.Errorf("defect %s is declared twice", d.Name)
		}
		seen[d.Name] = true
		if !kebab.MatchString(string(d.Name)) {
			t.Errorf("defect %q is not kebab-case", d.Name)
		}
		if d.Breaks == "" {
			t.Errorf("defect %s has no comment saying what it breaks", d.Name)
		}
	}
	if !Known(AcceptAlgNone) || Known("no-such-defect") {
		t.Error("Known does not follow the declarations")
	}
}

func BenchmarkAll(b *testing.B) {
	for b.Loop() {
		All()
	}
}
