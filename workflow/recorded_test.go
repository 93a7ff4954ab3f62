package workflow

import (
	"strings"
	"testing"
)

// TestParseRecorded: the copy of a workflow recorded by an earlier fogctl
// parses with ParseOptions.Recorded although Parse, as a file given
// today, rejects it: a comma in a node name, labels and annotations that
// are not strings, a description that is not one, bytes not UTF-8.
func TestParseRecorded(t *testing.T) {
	old := "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: old\n  description: 7\n" +
		"  labels: {tier: 1}\n  annotations: {owner: [ops]}\nspec:\n  nodes:\n" +
		"    - name: \"fetch,raw\"\n      kind: noop\n    - name: b\n      kind: noop\n      dependencies: [\"fetch,raw\"]\n" +
		"    - name: c\n      kind: noop\n      description: \"caf\xe9\"\n"
	if _, err := Parse("/w/old.yaml", []byte(old)); err == nil {
		t.Fatal("Parse accepted the old file: the test needs one it rejects")
	}
	w, err := ParseWith("/w/old.yaml", []byte(old), ParseOptions{Recorded: true})
	if err != nil {
		t.Fatalf("ParseWith Recorded: %v", err)
	}
	if w.Node("fetch,raw") == nil || len(w.Node("b").Dependencies) != 1 || len(w.Nodes) != 3 {
		t.Errorf("nodes: %+v", w.Nodes)
	}
	// fogctl once read the first of several YAML documents.
	if w, err := ParseWith("/w/two.yaml", []byte("nodes:\n  - {name: a, action: GET, url: \"http://127.0.0.1:1/\"}\n---\nnodes: 3\n"), ParseOptions{Recorded: true}); err != nil || len(w.Nodes) != 1 {
		t.Errorf("ParseWith Recorded of two documents: %v, want the first's node", err)
	}
	// What the recorded parse still rejects: a file no fogctl ran.
	for _, bad := range []string{"nodes: 3\n", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n    - name: a\n      kind: nope\n"} {
		if _, err := ParseWith("/w/bad.yaml", []byte(bad), ParseOptions{Recorded: true}); err == nil || !strings.Contains(err.Error(), "/w/bad.yaml") {
			t.Errorf("ParseWith Recorded %q: %v, want rejected", bad, err)
		}
	}
}
