//go:build linux

package runcmd_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fogctl/fogctl/internal/testbin"
)

// TestExecNodesCostNoStats counts, with strace, the stat calls of
// `fogctl validate sub/wf.yaml` and `fogctl run sub/wf.yaml` on 300 exec
// nodes without dir: (each runs in sub/, the file's directory). Resolving
// the relative path once per node called os.Getwd (stat "." and $PWD)
// 300 times (605 newfstatat for validate, 5 before dirs defaulted to the
// file's directory), and every exec attempt stat'ed its dir first (300
// stats of sub/). The directory is worked out once per parse, and looked
// at only when an exec fails to start.
func TestExecNodesCostNoStats(t *testing.T) {
	if _, err := exec.LookPath("strace"); err != nil {
		t.Skip(err)
	}
	root := t.TempDir()
	sub := filepath.Join(root, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nmetadata: {name: many}\nspec:\n  nodes:\n")
	for i := range 300 {
		fmt.Fprintf(&b, "    - name: n%d\n      kind: exec\n      argv: [\"true\"]\n", i)
	}
	if err := os.WriteFile(filepath.Join(sub, "wf.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	trace := func(args ...string) string {
		t.Helper()
		log := filepath.Join(t.TempDir(), "strace")
		c := exec.Command("strace", append([]string{"-f", "-qq", "-e", "trace=newfstatat,stat,lstat,statx", "-o", log, testbin.Fogctl(t)}, args...)...)
		c.Dir = root
		c.Env = append(os.Environ(), "XDG_STATE_HOME="+state, "NO_COLOR=1")
		if out, err := c.CombinedOutput(); err != nil {
			if strings.Contains(string(out), "ptrace") {
				t.Skipf("strace cannot trace here: %s", out)
			}
			t.Fatalf("strace fogctl %v: %v\n%s", args, err, out)
		}
		data, err := os.ReadFile(log)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	if n := strings.Count(trace("validate", "sub/wf.yaml"), "\n"); n > 30 {
		t.Errorf("validate of 300 exec nodes made %d stat calls, want a few (not one or two a node)", n)
	}
	ran := trace("run", "sub/wf.yaml", "--no-tui", "--parallel", "4") // strace slows 300 at once past WaitDelay
	if n := strings.Count(ran, `"`+sub+`"`); n > 5 {
		t.Errorf("run of 300 exec nodes stat'ed their dir %s %d times, want none a node", sub, n)
	}
}
