package check_test

import (
	"context"
	"testing"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/suites/check"
)

// TestSpares: spares are handed out once each and come back; an Env on a
// spare has it as client A, and its gates run as the run's client A.
func TestSpares(t *testing.T) {
	a := mockidp.Party{Name: "A", ID: "client-a"}
	cast := mockidp.Cast{A: a}.WithSpares(2)
	s := check.NewSpares(cast.Spares...)
	p1, ok1 := s.Take()
	p2, ok2 := s.Take()
	if _, ok := s.Take(); ok || !ok1 || !ok2 || p1.ID == p2.ID || p1.ID == a.ID || p2.ID == a.ID {
		t.Fatalf("Take handed out %+v, %+v and another: want the two distinct spares only", p1, p2)
	}
	s.Put(p1)
	if s.Len() != 1 {
		t.Errorf("%d free after Put, want 1", s.Len())
	}
	if (*check.Spares)(nil).Len() != 0 {
		t.Error("no spares should have none free")
	}

	e := &check.Env{Cast: mockidp.Cast{A: a}, Gates: &check.Gates{}}
	on := e.OnSpare(p2, "A")
	if on.Cast.A.ID != p2.ID || e.Cast.A.ID != a.ID {
		t.Errorf("OnSpare: client A %s (base %s), want %s (base %s)", on.Cast.A.ID, e.Cast.A.ID, p2.ID, a.ID)
	}
	var ranAs string
	ctl := check.Control{ID: "C-CTL", Run: func(_ context.Context, e *check.Env) check.Result {
		ranAs = e.Cast.A.ID
		return check.Pass()
	}}
	if b := on.Gate(context.Background(), ctl); b != nil || ranAs != a.ID {
		t.Errorf("a gate on the spare's Env ran its control as %q (blocked %v), want client A %q", ranAs, b, a.ID)
	}
}
