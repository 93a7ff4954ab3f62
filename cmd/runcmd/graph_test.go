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

// TestPlainDAGWarnings: a key a plain DAG file does not know is ignored,
// as the reference engine ignores it, but validate, run and graph say so
// on stderr (FILE:LINE: warning: ...) and validate counts it; they said
// nothing, so a misspelt "dependecies" ran the nodes in parallel.
func TestPlainDAGWarnings(t *testing.T) {
	svc := startService(t)
	dag := writeWorkflow(t, t.TempDir(), "dag.json", `{"nodes": [
  {"name": "a", "action": "GET", "url": "{{URL}}/ok/a"},
  {"name": "b", "action": "POST", "url": "{{URL}}/ok/b", "dependecies": ["a"]}
]}
`, svc)
	warning := dag + `:3: warning: node "b": dependecies: unknown node key ignored`
	for _, args := range [][]string{{"validate", dag}, {"run", dag}, {"graph", dag}} {
		f, _, _, errOut := testFactory(t, false)
		if code := run(t, f, args...); code != 0 {
			t.Errorf("%s: exit %d; stderr:\n%s", args[0], code, errOut)
		}
		if !strings.Contains(errOut.String(), warning) || strings.Count(errOut.String(), "warning:") != 1 {
			t.Errorf("%s: stderr does not warn once (%s):\n%s", args[0], warning, errOut)
		}
		if args[0] == "validate" && !strings.Contains(errOut.String(), "✓ "+dag+": 2 nodes, 1 layer (1 warning)\n") {
			t.Errorf("validate does not count the warning:\n%s", errOut)
		}
	}
}
