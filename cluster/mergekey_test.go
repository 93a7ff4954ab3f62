package cluster

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// mergeKubeconfig has contexts that share their body through YAML merge
// keys (one mapping, a list of them) and a current-context given by an
// alias of a context's name.
const mergeKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster:
    server: https://127.0.0.1:6443
- name: c2
  cluster:
    server: https://127.0.0.1:6444
users:
- name: u1
  user:
    token: t1
contexts:
- name: &an a
  context: &base
    cluster: c1
    user: u1
- name: b
  context: {<<: *base, namespace: prod}
- name: c
  context:
    <<: [{cluster: c2, namespace: first}, *base]
    namespace: own
current-context: *an
`

func loadMerge(t *testing.T) (*Kubeconfig, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(p, []byte(mergeKubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := LoadKubeconfig(p)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return k, p
}

func wantContext(t *testing.T, k *Kubeconfig, name, cluster, user, ns string) {
	t.Helper()
	c, ok := k.Context(name)
	if !ok || c.Cluster != cluster || c.User != user || c.Namespace != ns {
		t.Errorf("context %s = %+v (found %v), want cluster %q user %q namespace %q", name, c, ok, cluster, user, ns)
	}
}

// TestMergeKeysReadAsKubectlReadsThem: a context body with <<: *base has
// base's cluster and user; its own keys win, then the merged mappings' in
// list order; current-context: *an is the name an names. Before, b and c
// had no cluster or user ('ctx use b': contexts[1].context.cluster is
// empty) and the file did not load ('current-context must be a string').
func TestMergeKeysReadAsKubectlReadsThem(t *testing.T) {
	k, p := loadMerge(t)
	if k.Current() != "a" {
		t.Errorf("current = %q, want a", k.Current())
	}
	wantContext(t, k, "a", "c1", "u1", "")
	wantContext(t, k, "b", "c1", "u1", "prod")
	wantContext(t, k, "c", "c2", "u1", "own")
	if kubectl, err := exec.LookPath("kubectl"); err == nil {
		out, err := exec.Command(kubectl, "--kubeconfig", p, "config", "view", "-o",
			"jsonpath={range .contexts[*]}{.name}={.context.cluster}/{.context.user}/{.context.namespace} {end}").CombinedOutput()
		if want := "a=c1/u1/ b=c1/u1/prod c=c2/u1/own "; err != nil || string(out) != want {
			t.Errorf("kubectl config view: %q %v, want %q (the test assumes kubectl reads them so)", out, err, want)
		}
	}
}

// TestMergeKeysEditedAlone: switching to a context whose body merges
// another works and leaves the bodies as they were; setting the namespace
// of b (merged) or a (whose body b merges) changes that context alone.
func TestMergeKeysEditedAlone(t *testing.T) {
	k, p := loadMerge(t)
	ctx := context.Background()
	if err := k.Update(ctx, func(tx *Tx) error { return tx.Use("b") }); err != nil {
		t.Fatalf("use b: %v", err)
	}
	if err := k.Update(ctx, func(tx *Tx) error { return tx.SetNamespace("b", "dev") }); err != nil {
		t.Fatalf("ns b: %v", err)
	}
	if err := k.Update(ctx, func(tx *Tx) error { return tx.SetNamespace("a", "x") }); err != nil {
		t.Fatalf("ns a: %v", err)
	}
	if err := k.Update(ctx, func(tx *Tx) error { return tx.SetNamespace("c", "") }); err != nil {
		t.Fatalf("ns c: %v", err)
	}
	k2, err := LoadKubeconfig(p)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	data, _ := os.ReadFile(p)
	if k2.Current() != "b" {
		t.Errorf("current = %q, want b\n%s", k2.Current(), data)
	}
	wantContext(t, k2, "a", "c1", "u1", "x")
	wantContext(t, k2, "b", "c1", "u1", "dev")
	// c's own namespace goes, and with it the merged ones (the body is
	// expanded first): no namespace, not a merged one showing through.
	wantContext(t, k2, "c", "c2", "u1", "")
	if t.Failed() {
		t.Logf("file:\n%s", data)
	}
}

// TestCurrentContextAliasSwitched: with current-context: *an (an anchors
// context a's name), switching to b sets current-context and leaves a's
// name alone. Before, the file did not load.
func TestCurrentContextAliasSwitched(t *testing.T) {
	k, p := loadMerge(t)
	if err := k.Update(context.Background(), func(tx *Tx) error { return tx.Use("b") }); err != nil {
		t.Fatalf("use b: %v", err)
	}
	k2, err := LoadKubeconfig(p)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	data, _ := os.ReadFile(p)
	if _, ok := k2.Context("a"); !ok || k2.Current() != "b" || !strings.Contains(string(data), "current-context: b") {
		t.Errorf("after use b: context a there %v, current %q:\n%s", ok, k2.Current(), data)
	}
}

// TestMergeKeysDeleteTheMergedContext: deleting a, whose body b and c
// merge, leaves them their cluster and user.
func TestMergeKeysDeleteTheMergedContext(t *testing.T) {
	k, p := loadMerge(t)
	if err := k.Update(context.Background(), func(tx *Tx) error { _, err := tx.Delete("a", false); return err }); err != nil {
		t.Fatalf("delete a: %v", err)
	}
	k2, err := LoadKubeconfig(p)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if _, ok := k2.Context("a"); ok {
		t.Error("a is still there")
	}
	wantContext(t, k2, "b", "c1", "u1", "prod")
	wantContext(t, k2, "c", "c2", "u1", "own")
}
