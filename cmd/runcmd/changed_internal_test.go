package runcmd

import (
	"slices"
	"testing"

	"github.com/fogctl/fogctl/workflow"
)

// TestNodeDiffDirAsWritten: nodeDiff compares dir: as the file gives it.
// The same file at another path changes nothing (it flagged "dir" for
// every exec node without one); another dir: is a change.
func TestNodeDiffDirAsWritten(t *testing.T) {
	parse := func(file, node string) *workflow.Node {
		t.Helper()
		w, err := workflow.Parse(file, []byte("apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n    - "+node+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		return w.Nodes[0]
	}
	for _, tc := range []struct {
		a, b string
		want []string
	}{
		{`{name: a, kind: exec, argv: ["true"]}`, `{name: a, kind: exec, argv: ["true"]}`, nil},
		{`{name: a, kind: exec, argv: ["true"], dir: s}`, `{name: a, kind: exec, argv: ["true"], dir: s}`, nil},
		{`{name: a, kind: exec, argv: ["true"], dir: s}`, `{name: a, kind: exec, argv: ["true"], dir: t}`, []string{"dir"}},
		{`{name: a, kind: exec, argv: ["true"]}`, `{name: a, kind: exec, argv: ["true"], dir: .}`, []string{"dir"}},
	} {
		got := nodeDiff(parse("/old/wf.yaml", tc.a), parse("/new/place/wf.yaml", tc.b))
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s -> %s (file moved): %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
