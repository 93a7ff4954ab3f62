package workflow

import "testing"

// TestDirWritten: DirWritten is dir: as the file gives it, the same for
// the file at two paths, while Dir is resolved against each.
func TestDirWritten(t *testing.T) {
	data := []byte("apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n" +
		"    - {name: a, kind: exec, argv: [\"true\"]}\n" +
		"    - {name: b, kind: exec, argv: [\"true\"], dir: scripts}\n" +
		"    - {name: c, kind: exec, argv: [\"true\"], dir: /srv}\n")
	want := map[string]string{"a": "", "b": "scripts", "c": "/srv"}
	for _, file := range []string{"/x/wf.yaml", "/y/z/wf.yaml"} {
		w, err := Parse(file, data)
		if err != nil {
			t.Fatal(err)
		}
		for name, dir := range want {
			if got := w.Node(name).Exec.DirWritten(); got != dir {
				t.Errorf("%s: node %s: DirWritten %q, want %q", file, name, got, dir)
			}
		}
	}
	w, _ := New("n", []*Node{{Name: "a", Kind: KindExec, Exec: &ExecAction{Argv: []string{"true"}, Dir: "/srv"}}})
	if got := w.Node("a").Exec.DirWritten(); got != "/srv" {
		t.Errorf("New: DirWritten %q, want /srv", got)
	}
}
