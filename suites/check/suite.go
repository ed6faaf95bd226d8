package check

import "slices"

// Suite is what the checks of one package share. A package's Checks is one
// call of Rows (for rows), Checks (for checks declared with Run), or both:
// they fill in what a declaration leaves out and build the rows.
type Suite struct {
	// Name is the suite: the "suite:" label and the group in reports.
	Name string
	// Carrier is the carrier of rows and checks that name none.
	Carrier Carrier
	// KillIn is the KillIn of checks that name none.
	KillIn []Profile
	// Wrap, when set, rewrites each row once its carrier is set, before it
	// is built: where a package adds what all its rows share (the negative
	// suite's U6 and U7 bookkeeping).
	Wrap func(Row) Row
	// Serial is the Serial of checks that name none: a suite whose checks
	// all change or time shared state (key rotation scenarios) says so
	// once.
	Serial string
	// Spare is the Spare of checks that name none: each can run on a
	// spare client of its own standing in for that client.
	Spare string
}

// Rows builds the rows of each table into checks, two for a row with
// AlsoGrant (the client carrier's and the grant's).
func (s Suite) Rows(tables ...[]Row) []Check {
	var out []Check
	for _, r := range slices.Concat(tables...) {
		r.Check = s.complete(r.Check)
		carriers := []Carrier{r.Carrier}
		if r.AlsoGrant && r.Carrier != Grant {
			carriers = append(carriers, Grant)
		}
		for _, c := range carriers {
			one := r
			one.Carrier = c
			if s.Wrap != nil {
				one = s.Wrap(one)
			}
			out = append(out, one.build())
		}
	}
	return out
}

// Checks completes the checks of each list, declared with Run.
func (s Suite) Checks(lists ...[]Check) []Check {
	var out []Check
	for _, c := range slices.Concat(lists...) {
		out = append(out, s.complete(c))
	}
	return out
}

// complete fills in the suite's name, carrier, KillIn and Serial where the
// check names none, and level MUST where it names no level.
func (s Suite) complete(c Check) Check {
	if c.Suite == "" {
		c.Suite = s.Name
	}
	if c.Carrier == None {
		c.Carrier = s.Carrier
	}
	if c.Level == "" {
		c.Level = MUST
	}
	if c.KillIn == nil {
		c.KillIn = s.KillIn
	}
	if c.Serial == "" {
		c.Serial = s.Serial
	}
	if c.Spare == "" {
		c.Spare = s.Spare
	}
	return c
}
