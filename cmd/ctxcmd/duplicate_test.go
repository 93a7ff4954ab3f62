package ctxcmd_test

import (
	"os"
	"strings"
	"testing"
)

// TestCtxDuplicateContextRefused: a kubeconfig that defines bus-18 twice
// (kubectl refuses it: duplicate name "bus-18" in list) is refused by every
// command that would act on bus-18, and by list, naming the file and both
// lines; the file is left as it was. Commands on other contexts work.
func TestCtxDuplicateContextRefused(t *testing.T) {
	env := newCtxEnv(t)
	data, err := os.ReadFile(env.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	dup := strings.Replace(string(data), "    name: bus-18\n", "    name: bus-18\n  - name: bus-18\n    context:\n      cluster: bus-17\n      user: bus-17-admin\n", 1)
	if err := os.WriteFile(env.kubeconfig, []byte(dup), 0o600); err != nil {
		t.Fatal(err)
	}
	merge := env.dir + "/m.yaml"
	if err := os.WriteFile(merge, []byte("contexts:\n- name: bus-18\n  context:\n    cluster: depot\n    user: oidc-admin\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const why = `$DIR/.kube/config: context "bus-18" is defined twice, at line 65 and line 69 (kubectl refuses the whole file: duplicate name "bus-18" in list): delete or rename one of them in the file`
	for _, args := range [][]string{
		{"ctx", "list"},
		{"ctx", "use", "bus-18"},
		{"ctx", "rename", "bus-18", "bus-x"},
		{"ctx", "delete", "bus-18"},
		{"ctx", "ns", "sensors", "--context", "bus-18"},
		{"ctx", "label", "bus-18", "role=edge"},
		{"ctx", "merge", merge, "--overwrite"},
	} {
		code, stdout, stderr := env.run(t, false, args...)
		if code != 1 || stdout != "" || !strings.Contains(stderr, why) {
			t.Errorf("fogctl %s: exit %d, stdout %q, stderr:\n%s\nwant exit 1 and %s", strings.Join(args, " "), code, stdout, stderr, why)
		}
		if now, _ := os.ReadFile(env.kubeconfig); string(now) != dup {
			t.Fatalf("fogctl %s changed the kubeconfig", strings.Join(args, " "))
		}
	}
	if _, stderr := env.ok(t, "ctx", "use", "bus-17"); stderr != "✓ Switched to context bus-17\n" {
		t.Errorf("use bus-17: %q", stderr)
	}

	// A file to merge that defines a name twice is refused too.
	if err := os.WriteFile(merge, []byte("contexts:\n- name: bus-40\n  context:\n    cluster: depot\n    user: oidc-admin\n- name: bus-40\n  context:\n    cluster: bus-17\n    user: oidc-admin\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := env.run(t, false, "ctx", "merge", merge)
	if want := `$DIR/m.yaml: context "bus-40" is defined twice, at line 2 and line 6`; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("merge of a file with a duplicate: exit %d %q, want %q", code, stderr, want)
	}
}
