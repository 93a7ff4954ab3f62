package ctxcmd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCtxMergeRenameConflictsTwice: merging a file with --rename-conflicts
// a second time finds its stanzas already present under the names the
// first merge gave them and adds nothing (it added plane-a-3, a copy of
// plane-a-2), saying so.
func TestCtxMergeRenameConflictsTwice(t *testing.T) {
	env := newCtxEnv(t)
	m2 := filepath.Join(env.dir, "m2.yaml")
	if err := os.WriteFile(m2, []byte("apiVersion: v1\nclusters:\n- name: bus-17\n  cluster:\n    server: https://10.147.17.99:6443\nusers:\n- name: bus-17-admin\n  user:\n    token: other\ncontexts:\n- name: bus-17\n  context:\n    cluster: bus-17\n    user: bus-17-admin\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr := env.ok(t, "ctx", "merge", m2, "--rename-conflicts")
	if want := "✓ Merged $DIR/m2.yaml: renamed cluster/bus-17 -> bus-17-2, user/bus-17-admin -> bus-17-admin-2, context/bus-17 -> bus-17-2\n"; stderr != want {
		t.Errorf("first merge:\n got %q\nwant %q", stderr, want)
	}
	after1, _ := os.ReadFile(env.kubeconfig)
	_, stderr = env.ok(t, "ctx", "merge", m2, "--rename-conflicts")
	if want := "✓ Merged $DIR/m2.yaml: 3 already present (cluster/bus-17 as bus-17-2, user/bus-17-admin as bus-17-admin-2, context/bus-17 as bus-17-2)\n"; stderr != want {
		t.Errorf("second merge:\n got %q\nwant %q", stderr, want)
	}
	if after2, _ := os.ReadFile(env.kubeconfig); string(after2) != string(after1) {
		t.Errorf("the second merge changed the kubeconfig:\n%s", after2)
	}
	// A file that differs from both gets the next free name.
	if err := os.WriteFile(m2, []byte("apiVersion: v1\nclusters:\n- name: bus-17\n  cluster:\n    server: https://10.147.17.98:6443\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr := env.ok(t, "ctx", "merge", m2, "--rename-conflicts"); !strings.Contains(stderr, "renamed cluster/bus-17 -> bus-17-3") {
		t.Errorf("third merge: %q", stderr)
	}
}
