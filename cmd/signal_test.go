//go:build unix

package cmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fogctl/fogctl/internal/testbin"
)

// TestCancelOnSignal: once ready returns, the signal cancels the context
// instead of ending the process (SIGUSR1 here, whose default action would
// end the test binary).
func TestCancelOnSignal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := cancelOnSignal(cancel, syscall.SIGUSR1)
	ready()
	ready() // a second wait returns at once
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SIGUSR1 did not cancel the context")
	}
}

// TestEditsWaitForSignals: a command that edits the kubeconfig starts
// only once SIGINT and SIGTERM would cancel it (Factory.SignalsReady):
// when fogctl is told to wait, the kubeconfig is as it was and no
// kubectl lock exists yet. A command that changes nothing does not wait.
func TestEditsWaitForSignals(t *testing.T) {
	f, _, errOut := testFactory(t)
	kubeconfig := os.Getenv("KUBECONFIG")
	before := `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:6443"}
users:
- name: u
  user: {token: t}
contexts:
- name: bus-17
  context: {cluster: c, user: u}
- name: bus-18
  context: {cluster: c, user: u}
current-context: bus-17
`
	if err := os.WriteFile(kubeconfig, []byte(before), 0o600); err != nil {
		t.Fatal(err)
	}
	var waits int
	f.SignalsReady = func() {
		waits++
		if data, err := os.ReadFile(kubeconfig); err != nil || string(data) != before {
			t.Errorf("the kubeconfig changed before signals were registered: %v\n%s", err, data)
		}
		if _, err := os.Lstat(kubeconfig + ".lock"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("kubectl's lock taken before signals were registered: %v", err)
		}
	}
	if code := Run(context.Background(), f, []string{"ctx", "use", "bus-18"}); code != 0 {
		t.Fatalf("ctx use: exit %d\n%s", code, errOut)
	}
	if waits != 1 {
		t.Errorf("ctx use waited for signals %d times, want 1", waits)
	}
	if data, _ := os.ReadFile(kubeconfig); !strings.Contains(string(data), "current-context: bus-18") {
		t.Errorf("ctx use did not switch:\n%s", data)
	}
	waits = 0
	for _, args := range [][]string{{"version"}, {"runs", "list"}} {
		if code := Run(context.Background(), f, args); code != 0 {
			t.Fatalf("%s: exit %d\n%s", args, code, errOut)
		}
	}
	if waits != 0 {
		t.Errorf("read-only commands waited for signals %d times", waits)
	}
}

// hupWorkflow is a workflow whose exec node records its process group
// (the shell's PID: fogctl starts each node in a group of its own) and
// the PID of a child it starts in the background, then waits.
func hupWorkflow(t *testing.T, dir, sleep string) (wf, pgFile, bgFile string) {
	t.Helper()
	pgFile, bgFile = filepath.Join(dir, "pg"), filepath.Join(dir, "bg")
	wf = filepath.Join(dir, "hup.yaml")
	text := fmt.Sprintf(`apiVersion: fogctl.io/v1alpha1
kind: Workflow
spec:
  nodes:
  - name: apply
    kind: exec
    timeout: 120s
    argv: [sh, -c, 'echo $$ > %s; sleep %s & echo $! > %s; wait; echo {}']
`, pgFile, sleep, bgFile)
	if err := os.WriteFile(wf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return wf, pgFile, bgFile
}

// readPID waits, at most 20 seconds, for a PID in file.
func readPID(t *testing.T, file string) int {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		data, _ := os.ReadFile(file)
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && strings.HasSuffix(string(data), "\n") {
			return pid
		}
	}
	t.Fatalf("no PID in %s within 20s", file)
	return 0
}

// alive reports whether pid is a live process (not a zombie).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc: kill(2) said it exists
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

// TestHangupCancelsRun: SIGHUP (the terminal closed, the ssh session
// dropped) cancels a run as SIGTERM does: exit 130, the run recorded
// cancelled, and the exec node's process group killed, its background
// child included. It used to kill fogctl (exit 129) and leave the node's
// processes running, adopted by init. Under nohup (SIGHUP ignored when
// fogctl starts) a hangup is still ignored and the run succeeds.
func TestHangupCancelsRun(t *testing.T) {
	bin := testbin.Fogctl(t)
	t.Run("hangup", func(t *testing.T) {
		dir := t.TempDir()
		wf, pgFile, bgFile := hupWorkflow(t, dir, "300")
		c := exec.Command(bin, "run", wf)
		c.Env = append(os.Environ(), "XDG_STATE_HOME="+dir, "NO_COLOR=1")
		var stderr strings.Builder
		c.Stderr = &stderr
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		pg, bg := readPID(t, pgFile), readPID(t, bgFile)
		t.Cleanup(func() { syscall.Kill(-pg, syscall.SIGKILL) })
		if err := c.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		c.Wait()
		if code := c.ProcessState.ExitCode(); code != 130 {
			t.Errorf("exit %d after SIGHUP, want 130 (%v); stderr:\n%s", code, c.ProcessState, stderr.String())
		}
		if !strings.Contains(stderr.String(), "cancelled (continue it with 'fogctl run --resume") {
			t.Errorf("stderr does not report the run cancelled:\n%s", stderr.String())
		}
		deadline := time.Now().Add(5 * time.Second)
		for alive(bg) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if alive(bg) {
			t.Errorf("the node's background process %d (group %d) outlived fogctl", bg, pg)
		}
	})
	t.Run("nohup", func(t *testing.T) {
		dir := t.TempDir()
		wf, pgFile, _ := hupWorkflow(t, dir, "1")
		// trap '' HUP: SIGHUP ignored across exec, as nohup leaves it.
		c := exec.Command("sh", "-c", `trap '' HUP; exec "$0" run "$1"`, bin, wf)
		c.Env = append(os.Environ(), "XDG_STATE_HOME="+dir, "NO_COLOR=1")
		var stderr strings.Builder
		c.Stderr = &stderr
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		pg := readPID(t, pgFile)
		t.Cleanup(func() { syscall.Kill(-pg, syscall.SIGKILL) })
		if err := c.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		c.Wait()
		if code := c.ProcessState.ExitCode(); code != 0 {
			t.Errorf("nohup'd run: exit %d after SIGHUP, want 0 (%v); stderr:\n%s", code, c.ProcessState, stderr.String())
		}
	})
}

// TestInterruptCancelsBackgroundRun: a script's `fogctl run ... &` starts
// with SIGINT ignored (a non-interactive shell's background job), and
// `kill -INT` still cancels the run: exit 130. With SIGINT kept ignored
// the run went on to the end, rc=0. The shell line is the reviewer's, but
// for `sleep 1`, which waits instead until the node has started (fogctl
// registers its signals before nodes start).
func TestInterruptCancelsBackgroundRun(t *testing.T) {
	bin := testbin.Fogctl(t)
	dir := t.TempDir()
	wf, pgFile, _ := hupWorkflow(t, dir, "5")
	script := `"$0" run "$1" --no-tui & P=$!; while [ ! -s "$2" ]; do sleep 0.05; done; kill -INT $P; wait $P; echo rc=$?`
	c := exec.Command("sh", "-c", script, bin, wf, pgFile)
	c.Env = append(os.Environ(), "XDG_STATE_HOME="+dir, "NO_COLOR=1")
	var stderr strings.Builder
	c.Stderr = &stderr
	done := make(chan struct{})
	var out []byte
	go func() { out, _ = c.Output(); close(done) }()
	pg := readPID(t, pgFile)
	t.Cleanup(func() { syscall.Kill(-pg, syscall.SIGKILL) })
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		c.Process.Kill()
		<-done
		t.Fatalf("SIGINT did not cancel the background run within 30s; stderr:\n%s", stderr.String())
	}
	if !strings.Contains(string(out), "rc=130") {
		t.Errorf("%s: %s, want rc=130; stderr:\n%s", script, out, stderr.String())
	}
}
