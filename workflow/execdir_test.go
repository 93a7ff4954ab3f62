package workflow

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExecRunsInTheFilesDirectory: an exec node without dir: runs in the
// workflow file's directory, not fogctl's: `cd /; fogctl run
// /x/wf/scripts/rel.yaml` with argv: [python3, clean.py] ran //clean.py.
// A workflow parsed from a recorded copy whose directory is gone runs
// such a node in fogctl's own directory; an explicit dir: that is gone
// still fails.
func TestExecRunsInTheFilesDirectory(t *testing.T) {
	scripts := filepath.Join(t.TempDir(), "wf", "scripts")
	if err := os.MkdirAll(scripts, 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(scripts, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("clean.sh", `printf '{"cleaned": "%s"}' "$(pwd -P)"`+"\n")
	wfData := "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n    - {name: clean, kind: exec, argv: [sh, clean.sh]}\n"
	write("rel.yaml", wfData)
	real, err := filepath.EvalSymlinks(scripts)
	if err != nil {
		t.Fatal(err)
	}

	t.Chdir("/")
	wf, err := Load(filepath.Join(scripts, "rel.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := wf.Node("clean").Exec.Dir; got != scripts {
		t.Errorf("Exec.Dir %q, want the file's directory %q", got, scripts)
	}
	_, rec := collect(t, context.Background(), wf, Options{})
	if n := rec.Node("clean"); n.State != StateSucceeded || string(n.Output) != `{"cleaned": "`+real+`"}` {
		t.Fatalf("from /: state %s, output %s, error %q", n.State, n.Output, n.Error)
	}

	// Loaded by a relative path from the parent: the same directory.
	t.Chdir(filepath.Dir(scripts))
	wf, err = Load(filepath.Join("scripts", "rel.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir("/")
	_, rec = collect(t, context.Background(), wf, Options{})
	if n := rec.Node("clean"); n.State != StateSucceeded || string(n.Output) != `{"cleaned": "`+real+`"}` {
		t.Fatalf("relative path: state %s, output %s, error %q", n.State, n.Output, n.Error)
	}

	// A recorded copy whose file and directory are gone: fogctl's own
	// working directory, as before.
	gone := filepath.Join(t.TempDir(), "removed", "rel.yaml")
	here := t.TempDir()
	t.Chdir(here)
	wf, err = Parse(gone, []byte(strings.Replace(wfData, "[sh, clean.sh]", `[sh, -c, 'printf "{\"pwd\": \"%s\"}" "$(pwd -P)"']`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	hereReal, _ := filepath.EvalSymlinks(here)
	_, rec = collect(t, context.Background(), wf, Options{})
	if n := rec.Node("clean"); n.State != StateSucceeded || string(n.Output) != `{"pwd": "`+hereReal+`"}` {
		t.Fatalf("directory gone: state %s, output %s, error %q", n.State, n.Output, n.Error)
	}

	// An explicit dir: that does not exist is an error, not a fallback.
	wf, err = Parse(gone, []byte(strings.Replace(wfData, "argv: [sh, clean.sh]", "argv: [sh, clean.sh], dir: nowhere", 1)))
	if err != nil {
		t.Fatal(err)
	}
	_, rec = collect(t, context.Background(), wf, Options{})
	if n := rec.Node("clean"); n.State != StateFailed || !strings.Contains(n.Error, "dir: stat "+filepath.Join(filepath.Dir(gone), "nowhere")+": no such file or directory") {
		t.Errorf("missing dir: state %s, error %q", n.State, n.Error)
	}
}
