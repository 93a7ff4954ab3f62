package cluster

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixture copies testdata/kubeconfig/name into dir with an old mtime, so a
// rewrite shows in the mtime.
func fixture(t *testing.T, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "kubeconfig", name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	return p
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./cluster -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", p, diff)
	}
}

// TestRoundTrip edits kubeconfigs with exec plugins, auth providers,
// extensions, comments, flow style and JSON, alone and as a KUBECONFIG of
// three files, and compares every whole file afterwards with a golden
// file: only the intended bytes change, and a file with nothing to change
// is not rewritten (same bytes, same mtime).
func TestRoundTrip(t *testing.T) {
	k3s := filepath.Join("..", "testdata", "kubeconfig", "k3s.yaml")
	multi := []string{"multi-a.yaml", "multi-b.yaml", "multi-c.json"}
	cases := []struct {
		name  string
		files []string
		op    func(tx *Tx) error
	}{
		{"full_use", []string{"full.yaml"}, func(tx *Tx) error { return tx.Use("bus-18") }},
		{"full_use_same", []string{"full.yaml"}, func(tx *Tx) error { return tx.Use("depot") }},
		{"full_rename", []string{"full.yaml"}, func(tx *Tx) error { return tx.Rename("bus-17", "bus-17-old") }},
		{"full_rename_current", []string{"full.yaml"}, func(tx *Tx) error { return tx.Rename("depot", "fog") }},
		{"full_ns_add", []string{"full.yaml"}, func(tx *Tx) error { return tx.SetNamespace("bus-17", "edge") }},
		{"full_ns_change", []string{"full.yaml"}, func(tx *Tx) error { return tx.SetNamespace("depot", "kube-system") }},
		{"full_ns_remove", []string{"full.yaml"}, func(tx *Tx) error { return tx.SetNamespace("depot", "") }},
		{"full_delete", []string{"full.yaml"}, func(tx *Tx) error { _, err := tx.Delete("bus-18", false); return err }},
		{"full_delete_with_cluster_and_user", []string{"full.yaml"}, func(tx *Tx) error { _, err := tx.Delete("bus-18", true); return err }},
		{"full_import", []string{"full.yaml"}, func(tx *Tx) error {
			return tx.Import(k3s, ImportOptions{Name: "bus-20", Server: "https://10.147.17.30:6443"})
		}},
		{"full_merge_rename_conflicts", []string{"full.yaml"}, func(tx *Tx) error {
			_, err := tx.Merge(filepath.Join("..", "testdata", "kubeconfig", "multi-b.yaml"), MergeRenameConflicts)
			return err
		}},
		{"kubectl_style_import_delete", []string{"kubectl-style.yaml"}, func(tx *Tx) error {
			if err := tx.Import(k3s, ImportOptions{Name: "bus-20"}); err != nil {
				return err
			}
			_, err := tx.Delete("default", true)
			return err
		}},
		{"multi_use", multi, func(tx *Tx) error { return tx.Use("bus-18") }},
		{"multi_rename_in_second", multi, func(tx *Tx) error { return tx.Rename("bus-18", "bus-18b") }},
		{"multi_rename_current", multi, func(tx *Tx) error { return tx.Rename("bus-17", "bus-17b") }},
		{"multi_rename_in_json", multi, func(tx *Tx) error { return tx.Rename("lab", "lab-2") }},
		{"multi_ns_shadowed", multi, func(tx *Tx) error { return tx.SetNamespace("depot", "fog") }},
		{"multi_ns_flow", multi, func(tx *Tx) error { return tx.SetNamespace("bus-17", "edge") }},
		{"multi_import", multi, func(tx *Tx) error { return tx.Import(k3s, ImportOptions{Name: "bus-20"}) }},
		{"multi_delete_flow", multi, func(tx *Tx) error { _, err := tx.Delete("bus-17", false); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var paths []string
			orig := map[string][]byte{}
			for _, f := range tc.files {
				p := fixture(t, dir, f)
				paths = append(paths, p)
				orig[p], _ = os.ReadFile(p)
			}
			explicit := ""
			if len(paths) == 1 {
				explicit = paths[0]
			}
			k, err := LoadKubeconfigFiles(explicit, paths)
			if err != nil {
				t.Fatal(err)
			}
			if err := k.Update(context.Background(), tc.op); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			for _, p := range paths {
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				st, _ := os.Stat(p)
				out.WriteString("=== " + filepath.Base(p))
				if bytes.Equal(data, orig[p]) {
					out.WriteString(" (unchanged)\n")
					if st.ModTime().Year() != 2020 {
						t.Errorf("%s has the same bytes but was rewritten (mtime %s)", filepath.Base(p), st.ModTime())
					}
					continue
				}
				out.WriteString("\n")
				out.Write(data)
				if st.Mode().Perm() != 0o600 {
					t.Errorf("%s mode %v, want 0600 kept", filepath.Base(p), st.Mode().Perm())
				}
			}
			golden(t, "roundtrip/"+tc.name, out.Bytes())
			// What fogctl wrote loads again, and kubectl reads the same contexts.
			again, err := LoadKubeconfigFiles(explicit, paths)
			if err != nil {
				t.Fatalf("edited kubeconfig does not load: %v", err)
			}
			if kubectl, err := exec.LookPath("kubectl"); err == nil {
				cmd := exec.Command(kubectl, "config", "get-contexts", "-o", "name")
				cmd.Env = append(os.Environ(), "KUBECONFIG="+strings.Join(paths, string(os.PathListSeparator)), "HOME="+dir)
				got, err := cmd.Output()
				if err != nil {
					t.Fatalf("kubectl cannot read what fogctl wrote: %v", err)
				}
				var names []string
				for _, c := range again.Contexts() {
					names = append(names, c.Name)
				}
				kn := strings.Fields(string(got))
				sort.Strings(kn)
				if diff := cmp.Diff(kn, names); diff != "" {
					t.Errorf("contexts differ from kubectl's reading (-kubectl +fogctl):\n%s", diff)
				}
			}
		})
	}
}
