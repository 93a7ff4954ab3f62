package cluster

// patch replaces data[start:end] of a file with text.
type patch struct {
	start, end int
	text       string
}
