package cluster

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/fogctl/fogctl/cluster/kubeconfigtest"
)

func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, name := range []string{"full.yaml", "kubectl-style.yaml", "multi-a.yaml", "multi-b.yaml", "multi-c.json"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "kubeconfig", name))
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	seeds = append(seeds, kubeconfigtest.Fleet(3), []byte(""), []byte("contexts: []\n"), []byte("contexts:\n- name: a\n  context: {cluster: a, user: a}\nclusters: [{name: a, cluster: {server: 'https://x'}}]\nusers: [{name: a, user: {}}]\n"))
	return seeds
}

// FuzzLoadKubeconfig: loading any bytes never panics, and what loads can
// be listed and resolved without panicking.
func FuzzLoadKubeconfig(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "config")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		k, err := LoadKubeconfig(p)
		if err != nil {
			return
		}
		for _, c := range k.Contexts() {
			_, _ = k.Endpoint(c.Name)
			_ = k.Check(c.Name)
			_ = k.AuthKind(c.Name)
		}
		_ = k.Current()
	})
}

// FuzzEdit: an edit of any kubeconfig that loads either fails and leaves
// the file as it was, or writes a file that loads again and means what
// the edit intended.
func FuzzEdit(f *testing.F) {
	k3s, err := filepath.Abs(filepath.Join("..", "testdata", "kubeconfig", "k3s.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range fuzzSeeds(f) {
		for op := byte(0); op < 6; op++ {
			f.Add(s, op, "bus-17", "edge")
			f.Add(s, op, "depot", "x: y")
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, op byte, name, value string) {
		dir := t.TempDir()
		p := filepath.Join(dir, "config")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		k, err := LoadKubeconfig(p)
		if err != nil {
			return
		}
		// Edit an existing context when there is one, so most runs change something.
		if cs := k.Contexts(); len(cs) > 0 && name == "" {
			name = cs[int(op)%len(cs)].Name
		}
		var check func(k *Kubeconfig) string
		err = k.Update(context.Background(), func(tx *Tx) error {
			switch op % 6 {
			case 0:
				check = func(k *Kubeconfig) string { return ifNot(k.Current() == name, "current-context not set") }
				return tx.Use(name)
			case 1:
				check = func(k *Kubeconfig) string {
					_, oldOK := k.Context(name)
					_, newOK := k.Context(value)
					return ifNot(newOK && (!oldOK || name == value), "rename did not take")
				}
				return tx.Rename(name, value)
			case 2:
				check = func(k *Kubeconfig) string {
					c, _ := k.Context(name)
					return ifNot(c.Namespace == value, "namespace not set")
				}
				return tx.SetNamespace(name, value)
			case 3:
				check = func(k *Kubeconfig) string { _, ok := k.Context(name); return ifNot(!ok, "context not deleted") }
				_, err := tx.Delete(name, op&8 != 0)
				return err
			case 4:
				check = func(k *Kubeconfig) string {
					c, ok := k.Context(value)
					return ifNot(ok && c.Cluster == value && c.User == value, "import did not take")
				}
				return tx.Import(k3s, ImportOptions{Name: value, Server: "https://10.0.0.1:6443", Overwrite: op&8 != 0})
			default:
				check = func(k *Kubeconfig) string { _, ok := k.Context("default"); return ifNot(ok, "merge did not add") }
				_, err := tx.Merge(k3s, MergePolicy(int(op/6)%3))
				return err
			}
		})
		after, rerr := os.ReadFile(p)
		if rerr != nil && err == nil {
			t.Fatalf("file gone after a successful edit: %v", rerr)
		}
		if err != nil {
			if string(after) != string(data) {
				t.Fatalf("a failed edit (%v) changed the file:\n%s", err, after)
			}
			return
		}
		again, lerr := LoadKubeconfig(p)
		if lerr != nil {
			t.Fatalf("the edit wrote a file that does not load: %v\nbefore:\n%s\nafter:\n%s", lerr, data, after)
		}
		if msg := check(again); msg != "" {
			t.Fatalf("op %d (%q, %q): %s\nbefore:\n%s\nafter:\n%s", op%6, name, value, msg, data, after)
		}
	})
}

func ifNot(ok bool, msg string) string {
	if ok {
		return ""
	}
	return msg
}
