//go:build unix

package runcmd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestResumeMovedFileReusesNodes: `fogctl run --resume ID FILE` with the
// workflow file moved to another directory reuses what the run made: an
// exec node without dir: is not "changed (dir)", a field the file never
// gave (its default, the file's directory, moved with the file); it ran
// again. The node that runs now runs in the new directory.
func TestResumeMovedFileReusesNodes(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	oldDir, newDir := filepath.Join(root, "old"), filepath.Join(root, "new")
	for _, d := range []string{oldDir, newDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(oldDir, "wf.yaml"), []byte(pwdWorkflow), 0o644); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	okFile := filepath.Join(root, "ok")
	out, stderr, code := shFogctl(t, "sh", state, root, okFile, `"$FOGCTL" run old/wf.yaml -o json`)
	if code != 1 {
		t.Fatalf("run: exit %d, want 1 (b fails); stderr:\n%s", code, stderr)
	}
	id := nodePwds(t, out)["id"]
	if err := os.Rename(filepath.Join(oldDir, "wf.yaml"), filepath.Join(newDir, "wf.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(okFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = shFogctl(t, "sh", state, root, okFile, `"$FOGCTL" run --resume `+id+` new/wf.yaml -o json`)
	if code != 0 {
		t.Fatalf("resume: exit %d; stderr:\n%s", code, stderr)
	}
	if strings.Contains(stderr, "(dir)") || strings.Contains(stderr, `"a"`) {
		t.Errorf("resume with the file moved says a node changed:\n%s", stderr)
	}
	if got := nodePwds(t, out); got["a"] != oldDir || got["b"] != newDir {
		t.Errorf("a in %q (want reused from the run: %s), b in %q (want %s)", got["a"], oldDir, got["b"], newDir)
	}
}
