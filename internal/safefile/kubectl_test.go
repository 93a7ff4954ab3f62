package safefile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// kubectlLock creates path's kubectl lock file as kubectl's lockFile does
// (O_CREATE|O_EXCL, empty) and returns its name.
func kubectlLock(t *testing.T, path string) string {
	t.Helper()
	lp := path + KubectlLockSuffix
	f, err := os.OpenFile(lp, os.O_CREATE|os.O_EXCL, 0)
	if err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	return lp
}

func TestLockKubectlCreatesAndRemovesItsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	lp := path + ".lock"
	unlock, err := LockKubectl(context.Background(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(lp)
	if err != nil {
		t.Fatalf("while held: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("lock file mode %o, want 600", st.Mode().Perm())
	}
	data, _ := os.ReadFile(lp)
	if !strings.HasPrefix(string(data), fmt.Sprintf("%s%d ", kubectlLockMark, os.Getpid())) {
		t.Errorf("lock file says %q, want fogctl's mark and this process's pid", data)
	}
	// A second holder (kubectl's O_EXCL create) is refused meanwhile.
	if f, err := os.OpenFile(lp, os.O_CREATE|os.O_EXCL, 0); err == nil {
		_ = f.Close()
		t.Fatal("O_EXCL create of the lock file succeeded while fogctl held it")
	}
	unlock()
	unlock()
	if _, err := os.Lstat(lp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("after unlock: %v, want the lock file gone", err)
	}
	if left, _ := os.ReadDir(filepath.Dir(path)); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	unlock, err = LockKubectl(context.Background(), path, time.Second)
	if err != nil {
		t.Fatalf("lock again: %v", err)
	}
	unlock()
}

func TestLockKubectlWaitsUntilTheLockFileGoes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	lp := kubectlLock(t, path)
	waiting := make(chan struct{})
	type result struct {
		unlock Unlock
		err    error
	}
	got := make(chan result, 1)
	go func() {
		u, err := lockKubectl(context.Background(), path, 30*time.Second, func() { close(waiting) })
		got <- result{u, err}
	}()
	select {
	case <-waiting:
	case r := <-got:
		t.Fatalf("LockKubectl returned (%v) while %s existed", r.err, lp)
	}
	if err := os.Remove(lp); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.err != nil {
		t.Fatalf("after the lock file went: %v", r.err)
	}
	if _, err := os.Stat(lp); err != nil {
		t.Errorf("while held: %v", err)
	}
	r.unlock()
	if _, err := os.Lstat(lp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after unlock: %v, want the lock file gone", err)
	}
}

func TestLockKubectlStaleLockTimesOutAndStays(t *testing.T) {
	cases := []struct {
		name    string
		content string
	}{
		{name: "left_by_kubectl"},
		// A holder line without fogctl's mark is not fogctl's.
		{name: "unknown_content", content: "4242 2026-11-23T04:00:00Z fogctl\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config")
			unlock, err := Lock(context.Background(), path, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer unlock()
			lp := path + ".lock"
			if c.content == "" {
				kubectlLock(t, path)
			} else if err := os.WriteFile(lp, []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Stat(lp)
			_, err = LockKubectl(context.Background(), path, 30*time.Millisecond)
			var le *KubectlLockedError
			if !errors.As(err, &le) {
				t.Fatalf("LockKubectl = %v, want a *KubectlLockedError", err)
			}
			if le.Waited < 30*time.Millisecond {
				t.Errorf("waited %s, want at least the timeout", le.Waited)
			}
			le.Waited = 5 * time.Second
			want := strings.ReplaceAll("$P is locked by kubectl: waited 5s for $P.lock to go (kubectl leaves it behind when killed: if no kubectl is running, remove $P.lock)", "$P", path)
			if got := le.Error(); got != want {
				t.Errorf("error:\n got %s\nwant %s", got, want)
			}
			after, err := os.Stat(lp)
			if err != nil || !os.SameFile(before, after) || after.ModTime() != before.ModTime() {
				t.Errorf("the stale lock file was touched: %v", err)
			}
			if data, _ := os.ReadFile(lp); string(data) != c.content {
				t.Errorf("stale lock file now says %q, want %q", data, c.content)
			}
		})
	}
}

func TestLockKubectlCancelLeavesTheLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	lp := kubectlLock(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan error, 1)
	go func() {
		_, err := lockKubectl(ctx, path, 30*time.Second, cancel)
		got <- err
	}()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Fatalf("LockKubectl = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(lp); err != nil {
		t.Errorf("the lock file fogctl waited on: %v, want it left in place", err)
	}
}

// A lock file removed by hand while fogctl held it, and created again by
// kubectl, is kubectl's: fogctl's unlock leaves it alone.
func TestLockKubectlUnlockKeepsALockFileItDidNotCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	unlock, err := LockKubectl(context.Background(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path + ".lock"); err != nil {
		t.Fatal(err)
	}
	lp := kubectlLock(t, path)
	unlock()
	if _, err := os.Stat(lp); err != nil {
		t.Errorf("kubectl's lock file after fogctl's unlock: %v, want it in place", err)
	}
}

func TestLockKubectlOtherErrorsNameTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "config")
	_, err := LockKubectl(context.Background(), path, time.Second)
	if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("LockKubectl in a missing directory = %v, want an error naming %s", err, path)
	}
}

// TestLockKubectlReclaimsTheLockFileOfAKilledFogctl SIGKILLs a process
// that holds both locks of a file: the kernel lets go of its flock, its
// kubectl lock file stays, and the next fogctl, once it holds the flock,
// knows from the file's content that it is a dead fogctl's and takes over
// at once.
func TestLockKubectlReclaimsTheLockFileOfAKilledFogctl(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	h := holderCmd(t, path, "SAFEFILE_TEST_HOLD_KUBECTL")
	lp := path + ".lock"
	data, err := os.ReadFile(lp)
	if want := fmt.Sprintf("%s%d ", kubectlLockMark, h.Process.Pid); err != nil || !strings.HasPrefix(string(data), want) {
		t.Fatalf("lock file of the holder: %q %v, want it to start with %q", data, err, want)
	}
	if err := h.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = h.Wait()
	if _, err := os.Stat(lp); err != nil {
		t.Fatalf("after the holder was killed: %v, want its lock file left behind", err)
	}
	unlock, err := Lock(context.Background(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	waited := false
	unlockK, err := lockKubectl(context.Background(), path, 30*time.Second, func() { waited = true })
	if err != nil {
		t.Fatalf("LockKubectl after a killed fogctl: %v", err)
	}
	if waited {
		t.Error("LockKubectl waited for a lock file whose fogctl was dead")
	}
	data, _ = os.ReadFile(lp)
	if want := fmt.Sprintf("%s%d ", kubectlLockMark, os.Getpid()); !strings.HasPrefix(string(data), want) {
		t.Errorf("lock file now says %q, want it to start with %q", data, want)
	}
	unlockK()
	if _, err := os.Lstat(lp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after unlock: %v, want the lock file gone", err)
	}
}

// TestLockKubectlDanglingSymlinkRefused: a config.lock that is a symlink
// to nothing is a lock file that exists (kubectl's O_EXCL fails on it
// too), but neither kubectl nor fogctl makes one: LockKubectl refuses at
// once, naming it, rather than waiting for it to go or taking it for one
// that just went, and leaves it alone.
func TestLockKubectlDanglingSymlinkRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	unlock, err := Lock(context.Background(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	lp := path + ".lock"
	if err := os.Symlink(filepath.Join(filepath.Dir(path), "nowhere"), lp); err != nil {
		t.Fatal(err)
	}
	waited := false
	_, err = lockKubectl(context.Background(), path, 30*time.Second, func() { waited = true })
	if err == nil || waited || !strings.Contains(err.Error(), lp+": it is a symbolic link") {
		t.Errorf("LockKubectl = %v, waited %v; want an error naming the symlink %s at once", err, waited, lp)
	}
	if fi, err := os.Lstat(lp); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink lock file was touched: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(filepath.Dir(path), "nowhere")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the symlink's target was created: %v", err)
	}
}

// TestLockKubectlSymlinkedDirectoryTakesOneLockFile: with ~/.kube a
// symlink to a directory, the lock file beside the link is the real
// file's: LockKubectl takes it once. Before, the link-side attempt found
// the file just made, took it for a killed fogctl's, removed it and made
// it again (a moment without a lock, in which a kubectl could start).
func TestLockKubectlSymlinkedDirectoryTakesOneLockFile(t *testing.T) {
	base := t.TempDir()
	realDir := filepath.Join(base, "data")
	if err := os.Mkdir(realDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(realDir, filepath.Join(base, ".kube")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(base, ".kube", "config")
	if err := os.WriteFile(path, []byte("apiVersion: v1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var removed []string
	reclaimed = func(p string) { removed = append(removed, p) }
	defer func() { reclaimed = nil }()
	unlock, err := Lock(context.Background(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	unlockK, err := LockKubectl(context.Background(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 0 {
		t.Errorf("LockKubectl removed %v, its own lock file, as a killed fogctl's", removed)
	}
	lp := filepath.Join(realDir, "config.lock")
	if data, err := os.ReadFile(lp); err != nil || !strings.HasPrefix(string(data), kubectlLockMark) {
		t.Errorf("lock file while held: %q %v", data, err)
	}
	unlockK()
	if _, err := os.Lstat(lp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after unlock: %v, want the lock file gone", err)
	}
}
