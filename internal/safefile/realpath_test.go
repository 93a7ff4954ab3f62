package safefile

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// symlinked makes dir/real/config (when content is not nil) and
// dir/link/config -> ../real/config, and returns both paths.
func symlinked(t *testing.T, content []byte) (real, link string) {
	t.Helper()
	dir := t.TempDir()
	real = filepath.Join(dir, "real", "config")
	link = filepath.Join(dir, "link", "config")
	for _, d := range []string{filepath.Dir(real), filepath.Dir(link)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if content != nil {
		if err := os.WriteFile(real, content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../real/config", link); err != nil {
		t.Fatal(err)
	}
	return real, link
}

func TestRealPath(t *testing.T) {
	real, link := symlinked(t, nil)
	// A link to a file not yet there: a write through it lands there.
	for _, p := range []string{link, real, filepath.Join(filepath.Dir(link), "..", "link", "config")} {
		if got, err := RealPath(p); err != nil || got != real {
			t.Errorf("RealPath(%s) = %s, %v; want %s", p, got, err, real)
		}
	}
	loop := filepath.Join(filepath.Dir(link), "loop")
	if err := os.Symlink("loop", loop); err != nil {
		t.Fatal(err)
	}
	if _, err := RealPath(loop); err == nil {
		t.Errorf("RealPath of a symlink loop: no error")
	}
}

// TestLockThroughSymlinkIsTheRealFilesLock: the lock taken through a link
// keeps out a taker through the real path; its lock file is the real
// file's, and nothing is created beside the link.
func TestLockThroughSymlinkIsTheRealFilesLock(t *testing.T) {
	real, link := symlinked(t, []byte("a: 1\n"))
	unlock, err := Lock(context.Background(), link, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Lock(context.Background(), real, 50*time.Millisecond)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("Lock(real) while held through the link = %v, want a *LockedError", err)
	}
	unlock()
	if _, err := os.Stat(real + LockSuffix); err != nil {
		t.Errorf("lock file beside the real file: %v", err)
	}
	if _, err := os.Lstat(link + LockSuffix); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("lock file beside the link: %v, want none", err)
	}

	// kubectl's lock: the real file's and the link's, both removed after.
	unlockK, err := LockKubectl(context.Background(), link, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, lp := range []string{real + KubectlLockSuffix, link + KubectlLockSuffix} {
		if _, err := os.Lstat(lp); err != nil {
			t.Errorf("while held through the link: %v", err)
		}
	}
	unlockK()
	for _, lp := range []string{real + KubectlLockSuffix, link + KubectlLockSuffix} {
		if _, err := os.Lstat(lp); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("after unlock: %v, want %s gone", err, lp)
		}
	}
	// A kubectl holding the link's lock holds fogctl up, and fogctl then
	// leaves the real file's lock file behind neither.
	lp := kubectlLock(t, link)
	if _, err := LockKubectl(context.Background(), link, 30*time.Millisecond); err == nil {
		t.Fatalf("LockKubectl while kubectl held %s: no error", lp)
	}
	if _, err := os.Lstat(real + KubectlLockSuffix); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("real file's lock after a failed LockKubectl: %v, want it gone", err)
	}
}

// TestWriteFileThroughDanglingSymlink: a link to a file not there yet
// stays a link; the file is created where it points.
func TestWriteFileThroughDanglingSymlink(t *testing.T) {
	real, link := symlinked(t, nil)
	if err := WriteFile(link, []byte("a: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced: %v", err)
	}
	if data, err := os.ReadFile(real); err != nil || string(data) != "a: 1\n" {
		t.Errorf("real file: %q %v", data, err)
	}
}
