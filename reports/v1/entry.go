package v1

// The names of the Ginkgo report entries that carry a run's findings into
// its report: every executed check records its Result as ResultEntry, and
// every observation its Observation as ObservationEntry.
const (
	ResultEntry      = "assay.result"
	ObservationEntry = "assay.observation"
)
