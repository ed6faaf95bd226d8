package defect

// Defects for the rest of catalog A (requirement rows). Add the constants
// here and list them in requirements().
const ()

func requirements() []Name {
	return []Name{}
}
