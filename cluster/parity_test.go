package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestKubectlParity runs the same change with the real kubectl and with
// fogctl's editor on identical copies of a kubeconfig layout, and checks
// that both change the same files in the same way (each file compared as
// kubectl reads it alone): KUBECONFIG lists with the first file present or
// missing, a single KUBECONFIG file, and --kubeconfig.
func TestKubectlParity(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed (scripts/test.sh installs it)")
	}
	newCtx := filepath.Join(t.TempDir(), "new.yaml")
	if err := os.WriteFile(newCtx, []byte("apiVersion: v1\nkind: Config\ncontexts:\n- name: new\n  context:\n    cluster: bus-17\n    user: bus-admin\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	type op struct {
		name    string
		kubectl []string
		fogctl  func(tx *Tx) error
	}
	ops := []op{
		{"use", []string{"use-context", "bus-18"}, func(tx *Tx) error { return tx.Use("bus-18") }},
		{"rename_current", []string{"rename-context", "bus-17", "bus-17b"}, func(tx *Tx) error { return tx.Rename("bus-17", "bus-17b") }},
		{"rename_other", []string{"rename-context", "bus-18", "bus-18b"}, func(tx *Tx) error { return tx.Rename("bus-18", "bus-18b") }},
		{"namespace_shadowed", []string{"set-context", "depot", "--namespace=fog"}, func(tx *Tx) error { return tx.SetNamespace("depot", "fog") }},
		{"delete", []string{"delete-context", "bus-18"}, func(tx *Tx) error { _, err := tx.Delete("bus-18", false); return err }},
		{"create", []string{"set-context", "new", "--cluster=bus-17", "--user=bus-admin"}, func(tx *Tx) error { _, err := tx.Merge(newCtx, MergeRefuse); return err }},
	}
	layouts := []struct {
		name     string
		files    []string // "" = listed but missing
		explicit bool
	}{
		{"three_files", []string{"multi-a.yaml", "multi-b.yaml", "multi-c.json"}, false},
		{"first_missing", []string{"", "multi-b.yaml", "multi-c.json"}, false},
		{"one_file", []string{"multi-b.yaml"}, false},
		{"explicit", []string{"multi-b.yaml"}, true},
	}
	for _, l := range layouts {
		for _, o := range ops {
			if l.name != "three_files" && o.name == "namespace_shadowed" {
				continue
			}
			t.Run(l.name+"/"+o.name, func(t *testing.T) {
				setup := func(dir string) []string {
					var paths []string
					for i, f := range l.files {
						if f == "" {
							paths = append(paths, filepath.Join(dir, "missing.yaml"))
							continue
						}
						p := fixture(t, dir, f)
						_ = i
						paths = append(paths, p)
					}
					return paths
				}
				kdir, fdir := t.TempDir(), t.TempDir()
				kpaths, fpaths := setup(kdir), setup(fdir)

				args := append([]string{"config"}, o.kubectl...)
				env := append(os.Environ(), "HOME="+kdir)
				if l.explicit {
					args = append(args, "--kubeconfig", kpaths[0])
					env = append(env, "KUBECONFIG=")
				} else {
					env = append(env, "KUBECONFIG="+strings.Join(kpaths, string(os.PathListSeparator)))
				}
				cmd := exec.Command(kubectl, args...)
				cmd.Env = env
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
				}

				explicit := ""
				if l.explicit {
					explicit = fpaths[0]
				}
				k, err := LoadKubeconfigFiles(explicit, fpaths)
				if err != nil {
					t.Fatal(err)
				}
				if err := k.Update(context.Background(), o.fogctl); err != nil {
					t.Fatal(err)
				}
				for i := range kpaths {
					kv := viewFile(t, kubectl, kpaths[i])
					fv := viewFile(t, kubectl, fpaths[i])
					if diff := cmp.Diff(kv, fv); diff != "" {
						t.Errorf("file %d (%s) differs (-kubectl +fogctl):\n%s", i, filepath.Base(kpaths[i]), diff)
					}
				}
			})
		}
	}
}

// viewFile is one kubeconfig file as kubectl reads it alone, as JSON with
// kubectl's defaults filled in; "" for a missing file.
func viewFile(t *testing.T, kubectl, path string) any {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	cmd := exec.Command(kubectl, "config", "view", "--raw", "-o", "json", "--kubeconfig", path)
	cmd.Env = append(os.Environ(), "KUBECONFIG=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl config view %s: %v", path, err)
	}
	var v any
	if err := json.NewDecoder(bytes.NewReader(out)).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
