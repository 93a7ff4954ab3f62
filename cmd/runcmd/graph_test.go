package runcmd_test

import (
	"strings"
	"testing"
)

// TestGraphDOTEscapesLabels: a node named a"b\ gets a label Graphviz
// reads back as its name: the backslash is doubled (it was left alone, so
// \ and the line break's \n read as \\n, a literal "\n").
func TestGraphDOTEscapesLabels(t *testing.T) {
	wf := writeWorkflow(t, t.TempDir(), "odd.yaml", `apiVersion: fogctl.io/v1alpha1
kind: Workflow
spec:
  nodes:
  - {name: 'a"b\', kind: noop}
  - {name: 'c\n', kind: exec, argv: ['C:\bin\x'], dependencies: ['a"b\']}
`, nil)
	f, _, out, errOut := testFactory(t, false)
	if code := run(t, f, "graph", wf); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	for _, want := range []string{
		`  "a\"b\\" [label="a\"b\\\nnoop"];`,
		`  "c\\n" [label="c\\n\nexec C:\\bin\\x"];`,
		`  "a\"b\\" -> "c\\n";`,
	} {
		if !strings.Contains(out.String(), want+"\n") {
			t.Errorf("no line %s in:\n%s", want, out)
		}
	}
}
