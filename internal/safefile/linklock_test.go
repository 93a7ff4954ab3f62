//go:build unix

package safefile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLocksNeverWriteThroughPlantedLinks plants a symbolic link and a hard
// link to another file at each lock file fogctl uses (config.fogctl.lock,
// kubectl's config.lock and the config.lock.fogctl-new it writes first):
// the file linked to keeps its content, mode, owner and times, and the
// lock is refused naming the link (or, for the file fogctl replaces, taken
// with a file of its own). Before, Lock opened config.fogctl.lock with
// O_CREATE through a symlink and truncated the target; root's fogctl thus
// emptied any file a user linked there.
func TestLocksNeverWriteThroughPlantedLinks(t *testing.T) {
	for _, tc := range []struct {
		name, suffix string
		symlink      bool
		refused      string // "" when the lock is taken anyway
	}{
		{"fogctl lock symlink", LockSuffix, true, "it is a symbolic link"},
		{"fogctl lock hard link", LockSuffix, false, "it has 2 hard links"},
		{"kubectl lock symlink", KubectlLockSuffix, true, "it is a symbolic link"},
		{"kubectl lock hard link", KubectlLockSuffix, false, "it has 2 hard links"},
		{"kubectl new symlink", KubectlLockSuffix + kubectlLockNew, true, ""},
		{"kubectl new hard link", KubectlLockSuffix + kubectlLockNew, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			victim := filepath.Join(t.TempDir(), "victim")
			const content = "precious data\n"
			if err := os.WriteFile(victim, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "config")
			if err := os.WriteFile(path, []byte("apiVersion: v1\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			link := path + tc.suffix
			link2 := func() error {
				if tc.symlink {
					return os.Symlink(victim, link)
				}
				return os.Link(victim, link)
			}
			if err := link2(); err != nil {
				t.Fatal(err)
			}
			var before syscall.Stat_t
			if err := syscall.Stat(victim, &before); err != nil {
				t.Fatal(err)
			}
			beforeFi, _ := os.Stat(victim)
			time.Sleep(10 * time.Millisecond) // a write would change mtime
			var err error
			if tc.suffix == LockSuffix {
				var unlock Unlock
				unlock, err = Lock(context.Background(), path, time.Second)
				if err == nil {
					unlock()
				}
			} else {
				unlock, lerr := Lock(context.Background(), path, time.Second)
				if lerr != nil {
					t.Fatal(lerr)
				}
				var unlockK Unlock
				unlockK, err = LockKubectl(context.Background(), path, 100*time.Millisecond)
				if err == nil {
					unlockK()
				}
				unlock()
			}
			switch {
			case tc.refused != "" && (err == nil || !strings.Contains(err.Error(), link+": "+tc.refused)):
				t.Errorf("lock = %v, want an error naming %s: %s", err, link, tc.refused)
			case tc.refused == "" && err != nil:
				t.Errorf("lock = %v, want it taken", err)
			}
			data, rerr := os.ReadFile(victim)
			var after syscall.Stat_t
			if err := syscall.Stat(victim, &after); err != nil || rerr != nil {
				t.Fatal(err, rerr)
			}
			afterFi, _ := os.Stat(victim)
			if string(data) != content || after.Mode != before.Mode || after.Uid != before.Uid || after.Gid != before.Gid || !afterFi.ModTime().Equal(beforeFi.ModTime()) {
				t.Errorf("the linked file changed: %q mode %o %d:%d mtime %v, was %q mode %o %d:%d mtime %v",
					data, after.Mode, after.Uid, after.Gid, afterFi.ModTime(), content, before.Mode, before.Uid, before.Gid, beforeFi.ModTime())
			}
		})
	}
}

// TestLockDanglingSymlinkCreatesNothing: a symlink to a file that does
// not exist at config.fogctl.lock is refused and its target not created
// (flock's O_CREATE created it, as root in any directory).
func TestLockDanglingSymlinkCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	target := filepath.Join(dir, "created")
	if err := os.Symlink(target, path+LockSuffix); err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(context.Background(), path, time.Second); err == nil || !strings.Contains(err.Error(), path+LockSuffix+": it is a symbolic link") {
		t.Errorf("Lock = %v, want it refused naming the symlink", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the symlink's target: %v, want it not created", err)
	}
}

// TestLockKubectlReclaimsAfterAKillBetweenLinkAndUnlink: a fogctl killed
// after linking config.lock.fogctl-new to config.lock and before removing
// the former leaves a lock file with two links, both its own: it is still
// reclaimed at once, not refused as a planted hard link.
func TestLockKubectlReclaimsAfterAKillBetweenLinkAndUnlink(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	lp := path + KubectlLockSuffix
	if err := os.WriteFile(lp+kubectlLockNew, []byte(kubectlLockMark+"999999 2026-01-01T00:00:00Z fogctl\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(lp+kubectlLockNew, lp); err != nil {
		t.Fatal(err)
	}
	unlock, err := Lock(context.Background(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	waited := false
	unlockK, err := lockKubectl(context.Background(), path, 30*time.Second, func() { waited = true })
	if err != nil || waited {
		t.Fatalf("LockKubectl = %v (waited %v), want the killed fogctl's lock file reclaimed at once", err, waited)
	}
	unlockK()
	for _, p := range []string{lp, lp + kubectlLockNew} {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s after unlock: %v, want it gone", filepath.Base(p), err)
		}
	}
}
