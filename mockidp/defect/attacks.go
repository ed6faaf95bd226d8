package defect

// Defects for catalog B (attack rows). Add the constants here and list them
// in attacks().
const ()

func attacks() []Name {
	return []Name{}
}
