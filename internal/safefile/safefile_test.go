package safefile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as a lock holder in a child process.
func TestMain(m *testing.M) {
	if p := os.Getenv("SAFEFILE_TEST_HOLD"); p != "" {
		unlock, err := Lock(context.Background(), p, time.Second)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("locked")
		// Hold until stdin closes or the process is killed.
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		unlock()
		os.Exit(0)
	}
	if p := os.Getenv("SAFEFILE_TEST_HOLD_KUBECTL"); p != "" {
		// Both locks of a kubeconfig, as cluster.Update takes them.
		unlock, err := Lock(context.Background(), p, time.Second)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		unlockK, err := LockKubectl(context.Background(), p, time.Second)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("locked")
		// Hold until stdin closes or the process is killed.
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		unlockK()
		unlock()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// holder starts a child process that takes the lock of path and holds it.
func holder(t *testing.T, path string) *exec.Cmd {
	t.Helper()
	return holderCmd(t, path, "SAFEFILE_TEST_HOLD")
}

// holderCmd starts a child process that takes the locks of path that env
// (see TestMain) names and holds them.
func holderCmd(t *testing.T, path, env string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("holder did not take the lock: %q %v", line, err)
	}
	return cmd
}

func TestLockTimeoutNamesHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	h := holder(t, path)
	start := time.Now()
	_, err := Lock(context.Background(), path, 200*time.Millisecond)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("Lock = %v, want a *LockedError", err)
	}
	if le.PID != h.Process.Pid {
		t.Errorf("holder pid %d, want %d", le.PID, h.Process.Pid)
	}
	want := fmt.Sprintf("%s is locked by ", path)
	if msg := err.Error(); !strings.HasPrefix(msg, want) || !strings.Contains(msg, fmt.Sprintf("pid %d (started ", h.Process.Pid)) || !strings.HasSuffix(msg, "waited 200ms") {
		t.Errorf("error %q does not name the file, the holder's pid and the wait", msg)
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Errorf("Lock waited %s for a 200ms timeout", waited)
	}
}

// TestKilledHolderDoesNotBlock: a holder killed by SIGKILL while holding
// the lock releases it; the next Lock gets it at once.
func TestKilledHolderDoesNotBlock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	h := holder(t, path)
	if err := h.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = h.Wait()
	start := time.Now()
	unlock, err := Lock(context.Background(), path, 2*time.Second)
	if err != nil {
		t.Fatalf("Lock after the holder died: %v", err)
	}
	unlock()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Lock took %s after the holder died", d)
	}
}

func TestLockCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	holder(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Lock(ctx, path, time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock with a cancelled context = %v", err)
	}
}

func TestWriteFileKeepsModeAndBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte("old\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("new\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	check := func(p, content string, mode os.FileMode) {
		t.Helper()
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != content {
			t.Errorf("%s = %q, want %q", filepath.Base(p), data, content)
		}
		st, _ := os.Stat(p)
		if st.Mode().Perm() != mode {
			t.Errorf("%s mode %v, want %v", filepath.Base(p), st.Mode().Perm(), mode)
		}
	}
	check(path, "new\n", 0o640)
	check(path+BackupSuffix, "old\n", 0o640)
	if err := WriteFile(path, []byte("newer\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	check(path, "newer\n", 0o640)
	check(path+BackupSuffix, "new\n", 0o640)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only the file and one backup", names)
	}
}

func TestWriteFileNewIs0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	if err := WriteFile(path, []byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("new file mode %v, want 0600", st.Mode().Perm())
	}
	if _, err := os.Stat(path + BackupSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a new file has a backup: %v", err)
	}
}

func TestWriteFileFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real-config")
	link := filepath.Join(dir, "config")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced by a file: %v", err)
	}
	if data, _ := os.ReadFile(target); string(data) != "new" {
		t.Errorf("target = %q, want new", data)
	}
}

// TestWriteFileKeepsOwner: root replacing another user's file leaves it,
// and its backup, that user's, with its mode.
func TestWriteFileKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file to uid 65534")
	}
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte("a: 1\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("a: 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + BackupSuffix} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		uid, gid, _ := owner(fi)
		if uid != 65534 || gid != 65534 || fi.Mode().Perm() != 0o640 {
			t.Errorf("%s: %d:%d mode %04o, want 65534:65534 0640", filepath.Base(p), uid, gid, fi.Mode().Perm())
		}
	}
}
