package workflow

import (
	"fmt"
	"strings"
	"testing"
)

// execFile is a fogctl-format file of n exec nodes without dir:, each
// after the one before.
func execFile(n int) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nmetadata: {name: many}\nspec:\n  nodes:\n")
	for i := range n {
		fmt.Fprintf(&b, "    - name: n%d\n      kind: exec\n      argv: [\"true\"]\n", i)
		if i > 0 {
			fmt.Fprintf(&b, "      dependencies: [n%d]\n", i-1)
		}
	}
	return []byte(b.String())
}

// BenchmarkParseExec times Parse of 300 exec nodes named by a relative
// path, as `fogctl validate sub/wf.yaml` reads them: each node's default
// dir is the file's absolute directory.
func BenchmarkParseExec(b *testing.B) {
	data := execFile(300)
	for b.Loop() {
		w, err := Parse("sub/wf.yaml", data)
		if err != nil || len(w.Nodes) != 300 {
			b.Fatalf("Parse: %v", err)
		}
	}
}
