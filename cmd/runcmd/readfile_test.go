//go:build unix

package runcmd_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fogctl/fogctl/internal/testbin"
)

// fogctlLimited runs the binary with its address space capped at 4 GiB
// (ulimit -v) and for at most 30 seconds, so that a fogctl reading
// /dev/zero whole dies quickly instead of taking the machine's memory.
func fogctlLimited(t *testing.T, state, stdin string, args ...string) (string, int) {
	t.Helper()
	c := exec.Command("sh", append([]string{"-c", `ulimit -v 4194304; exec "$@"`, "sh", testbin.Fogctl(t)}, args...)...)
	c.Env = append(os.Environ(), "XDG_STATE_HOME="+state, "NO_COLOR=1")
	c.Stdin = strings.NewReader(stdin)
	var stderr strings.Builder
	c.Stderr = &stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { c.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		c.Process.Kill()
		<-done
		t.Errorf("fogctl %s still running after 30s", strings.Join(args, " "))
	}
	return stderr.String(), c.ProcessState.ExitCode()
}

// TestUnreadableFilesRefused: a workflow or --input that is a device,
// a directory or larger than the limit is refused at once with one line
// naming the file (exit 2); before, /dev/zero was read until memory ran
// out. Pipes are still read.
func TestUnreadableFilesRefused(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 17<<20); err != nil {
		t.Fatal(err)
	}
	bigInput := filepath.Join(dir, "big.json")
	if err := os.WriteFile(bigInput, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(bigInput, 17<<20); err != nil {
		t.Fatal(err)
	}
	ok := writeWorkflow(t, dir, "ok.yaml", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n  - {name: a, kind: noop}\n", nil)
	for _, tc := range []struct {
		name string
		args []string
		say  string
	}{
		{"validate /dev/zero", []string{"validate", "/dev/zero"}, "/dev/zero: not a regular file (a character device): give a workflow file"},
		{"run /dev/zero", []string{"run", "/dev/zero"}, "/dev/zero: not a regular file (a character device)"},
		{"graph /dev/zero", []string{"graph", "/dev/zero"}, "/dev/zero: not a regular file (a character device)"},
		{"validate a directory", []string{"validate", dir}, dir + ": not a regular file (a directory)"},
		{"validate 17 MiB", []string{"validate", big}, big + ": larger than 16 MiB, the most a workflow file may be"},
		{"input /dev/zero", []string{"run", ok, "--input", "/dev/zero"}, "error: input /dev/zero: not a regular file (a character device): give a JSON file, or - for stdin"},
		{"input 17 MiB", []string{"run", ok, "--input", bigInput}, "error: input " + bigInput + ": larger than 16 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state := t.TempDir()
			stderr, code := fogctlLimited(t, state, "", tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.say) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, want 2 with one line saying %q; stderr:\n%s", code, tc.say, stderr)
			}
			if entries, _ := os.ReadDir(filepath.Join(state, "fogctl", "runs")); len(entries) > 0 {
				t.Errorf("a refused run left %d files in the run store", len(entries))
			}
		})
	}
	t.Run("named pipe", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "wf.yaml")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skip(err)
		}
		go func() {
			data, _ := os.ReadFile(ok)
			os.WriteFile(fifo, data, 0o600) // blocks until fogctl opens it
		}()
		if stderr, code := fogctlLimited(t, t.TempDir(), "", "validate", fifo); code != 0 {
			t.Errorf("validate FIFO: exit %d; stderr:\n%s", code, stderr)
		}
	})
}
