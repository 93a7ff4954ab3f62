package ctxcmd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCtxKubeconfigListsOneFileTwice: KUBECONFIG naming one file twice
// (as /abs/config and a relative path, or a symlink and its target) is one
// file: fogctl does not wait for its own lock (it waited 5 s and failed:
// "locked by fogctl pid <its own pid>"), and reads and writes it once.
func TestCtxKubeconfigListsOneFileTwice(t *testing.T) {
	env := newCtxEnv(t)
	link := filepath.Join(env.dir, "link-config")
	if err := os.Symlink(env.kubeconfig, link); err != nil {
		t.Fatal(err)
	}
	t.Chdir(env.dir)
	single, _ := env.ok(t, "ctx", "list", "-o", "wide")
	for _, list := range []string{
		env.kubeconfig + string(filepath.ListSeparator) + filepath.Join(".kube", "config"),
		link + string(filepath.ListSeparator) + env.kubeconfig,
	} {
		t.Setenv("KUBECONFIG", list)
		start := time.Now()
		if _, stderr := env.ok(t, "ctx", "use", "bus-18"); stderr != "✓ Switched to context bus-18\n" {
			t.Errorf("KUBECONFIG=%s: use: %q", list, stderr)
		}
		if _, stderr := env.ok(t, "ctx", "use", "depot"); stderr != "✓ Switched to context depot\n" {
			t.Errorf("KUBECONFIG=%s: use: %q", list, stderr)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("KUBECONFIG=%s: two switches took %s", list, took)
		}
		got, _ := env.ok(t, "ctx", "list", "-o", "wide")
		first := strings.SplitN(list, string(filepath.ListSeparator), 2)[0]
		if want := strings.ReplaceAll(single, "$DIR/.kube/config", strings.ReplaceAll(first, env.dir, "$DIR")); got != want {
			t.Errorf("KUBECONFIG=%s: list\n%s\nwant the single file's, as the first path:\n%s", list, got, want)
		}
	}
	// Read once: a missing file listed twice is named once.
	t.Setenv("KUBECONFIG", filepath.Join(env.dir, "typo")+string(filepath.ListSeparator)+"typo")
	if code, _, stderr := env.run(t, false, "ctx", "status"); code != 1 || stderr != "error: no contexts to probe: kubeconfig $DIR/typo does not exist\n" {
		t.Errorf("status with KUBECONFIG=typo twice: exit %d %q", code, stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v", err)
	}
}
