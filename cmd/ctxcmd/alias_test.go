package ctxcmd_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fogctl/fogctl/cluster"
)

// aliased is a kubeconfig whose context b is a YAML alias of a's, which
// kubectl reads (fogctl refused it: contexts[1].context has the wrong type).
const aliased = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://10.0.0.1:6443 # the depot
users:
- name: u
  user:
    token: t
contexts:
- name: a
  context: &x
    cluster: c
    user: u
- name: b
  context: *x
current-context: a
`

// TestCtxYAMLAlias: a context that is an alias of another is read as
// kubectl reads it, and an edit of either changes that context alone
// (the alias is written out expanded, as kubectl writes it); deleting the
// anchor's context leaves the other whole.
func TestCtxYAMLAlias(t *testing.T) {
	env := newCtxEnv(t)
	path := filepath.Join(env.dir, "aliased.yaml")
	write := func() {
		if err := os.WriteFile(path, []byte(aliased), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write()
	if out, _ := env.ok(t, "ctx", "list", "--kubeconfig", path); out != "*\ta\thttps://10.0.0.1:6443\tu\t\t\n\tb\thttps://10.0.0.1:6443\tu\t\t\n" {
		t.Errorf("list: %q", out)
	}
	namespaces := func() map[string]string {
		t.Helper()
		k, err := cluster.LoadKubeconfig(path)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, c := range k.Contexts() {
			if c.Cluster != "c" || c.User != "u" {
				t.Errorf("context %s: cluster %q user %q, want c and u", c.Name, c.Cluster, c.User)
			}
			m[c.Name] = c.Namespace
		}
		if kubectl, err := exec.LookPath("kubectl"); err == nil {
			if out, err := exec.Command(kubectl, "--kubeconfig", path, "config", "get-contexts").CombinedOutput(); err != nil {
				t.Errorf("kubectl reads the result: %v\n%s", err, out)
			}
		}
		return m
	}
	for _, c := range []struct {
		args []string
		want map[string]string
	}{
		{[]string{"ctx", "ns", "ns1", "--context", "b"}, map[string]string{"a": "", "b": "ns1"}},
		{[]string{"ctx", "ns", "ns2", "--context", "a"}, map[string]string{"a": "ns2", "b": ""}},
		{[]string{"ctx", "delete", "a"}, map[string]string{"b": ""}},
		{[]string{"ctx", "rename", "a", "z"}, map[string]string{"z": "", "b": ""}},
	} {
		write()
		env.ok(t, append(c.args, "--kubeconfig", path)...)
		got := namespaces()
		if len(got) != len(c.want) {
			t.Errorf("%s: contexts %v, want %v", strings.Join(c.args, " "), got, c.want)
		}
		for n, ns := range c.want {
			if g, ok := got[n]; !ok || g != ns {
				t.Errorf("%s: context %s namespace %q (present %v), want %q", strings.Join(c.args, " "), n, g, ok, ns)
			}
		}
		if data, _ := os.ReadFile(path); !strings.Contains(string(data), "# the depot") {
			t.Errorf("%s: the comment was lost:\n%s", strings.Join(c.args, " "), data)
		}
	}
}
