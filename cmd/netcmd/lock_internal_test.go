//go:build unix

package netcmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestLockDirChoice: the lock directory is the first of /run/lock and
// /tmp that every user may write in and that is sticky, whoever runs
// fogctl; $FOGCTL_NET_LOCK_DIR overrides them, but not with a directory
// anyone may write in that is not sticky.
func TestLockDirChoice(t *testing.T) {
	base := t.TempDir()
	mk := func(name string, mode os.FileMode) string {
		d := filepath.Join(base, name)
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, mode); err != nil {
			t.Fatal(err)
		}
		return d
	}
	shared := mk("shared", 0o777|os.ModeSticky)
	private := mk("private", 0o755)
	open := mk("open", 0o777)
	saved := lockDirs
	t.Cleanup(func() { lockDirs = saved })
	t.Setenv(EnvLockDir, "")
	for _, tc := range []struct {
		dirs    []string
		env     string
		want    string
		wantErr string
	}{
		{dirs: []string{shared, private}, want: shared},
		{dirs: []string{private, shared}, want: shared},
		{dirs: []string{open, shared}, want: shared},
		{dirs: []string{filepath.Join(base, "none"), shared}, want: shared},
		{dirs: []string{private, open}, wantErr: "no directory for the network lock: " + private + " is not writable by every user; " + open + " is writable by every user but not sticky, so another user could replace the lock file (set $FOGCTL_NET_LOCK_DIR"},
		{dirs: []string{shared}, env: private, want: private},
		{dirs: []string{shared}, env: open, wantErr: "$FOGCTL_NET_LOCK_DIR: " + open + " is writable by every user but not sticky"},
	} {
		lockDirs = tc.dirs
		t.Setenv(EnvLockDir, tc.env)
		got, err := lockDir()
		if tc.wantErr != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
				t.Errorf("dirs %v env %q: got %q, %v; want error %q...", tc.dirs, tc.env, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("dirs %v env %q: got %q, %v; want %q", tc.dirs, tc.env, got, err, tc.want)
		}
	}
}

// TestFlockHolderComparesTheDevice: /proc/locks names a file by
// MAJ:MIN:INODE, hex major and minor; two filesystems' files with the
// same inode number are different files, and only the holder of ours is
// named (with an inode match alone, the first line's pid 111, the holder
// of inode 2 of device 00:27, was named and 'kill 111' advised).
func TestFlockHolderComparesTheDevice(t *testing.T) {
	const locks = `1: FLOCK  ADVISORY  WRITE 111 00:27:2 0 EOF
2: POSIX  ADVISORY  WRITE 333 fe:00:2 0 EOF
3: FLOCK  ADVISORY  WRITE 222 fe:00:2 0 EOF
3: -> FLOCK  ADVISORY  WRITE 444 fe:00:2 0 EOF
4: FLOCK  ADVISORY  WRITE 555 103:1a:2 0 EOF
`
	for _, tc := range []struct {
		dev  uint64
		ino  uint64
		want int
	}{
		{dev: unix.Mkdev(0xfe, 0), ino: 2, want: 222},
		{dev: unix.Mkdev(0, 0x27), ino: 2, want: 111},
		{dev: unix.Mkdev(0x103, 0x1a), ino: 2, want: 555},
		{dev: unix.Mkdev(0xfe, 1), ino: 2, want: 0},
		{dev: unix.Mkdev(0xfe, 0), ino: 22, want: 0},
	} {
		if got := flockHolder(locks, tc.dev, tc.ino); got != tc.want {
			t.Errorf("dev %x:%x ino %d: holder %d, want %d", unix.Major(tc.dev), unix.Minor(tc.dev), tc.ino, got, tc.want)
		}
	}
}

// TestLockHolderOfARealFile: the holder of an flock of a real file, this
// process, is named from the real /proc/locks.
func TestLockHolderOfARealFile(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/locks")
	}
	path := filepath.Join(t.TempDir(), "lock")
	held, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := syscall.Flock(int(held.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if pid, prog, _ := lockHolder(f); pid != os.Getpid() || prog == "" {
		t.Errorf("holder pid %d (%q), want this process, %d", pid, prog, os.Getpid())
	}
}

// TestLockFileMadeByAnotherUser is the lost update of a lock file another
// user made first in the shared sticky directory (the name is
// predictable): fogctl A locked it, its maker removed it, and fogctl B
// made and locked a new one while A still held the old, so both changed
// the network at once. Root's fogctl now makes such a file root's: its
// maker can no longer remove it, and B waits for A.
func TestLockFileMadeByAnotherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("runs commands as user nobody")
	}
	dir, err := os.MkdirTemp("", "fogctl-locks")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvLockDir, dir)
	const nwid = "8056c2e21c000001"
	path := filepath.Join(dir, lockFileName(nwid))
	asNobody := func(script string) error {
		c := exec.Command("/bin/sh", "-c", script, "sh", path)
		c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := c.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	}
	if err := asNobody(`touch "$1" && chmod 644 "$1"`); err != nil {
		t.Skipf("cannot make a file as nobody: %v", err)
	}
	ctx := context.Background()
	unlockA, err := lockHost(ctx, nil, nwid, time.Second)
	if err != nil {
		t.Fatalf("A: %v", err)
	}
	defer unlockA.unlock()
	rmErr := asNobody(`rm -f "$1"`)
	unlockB, err := lockHost(ctx, nil, nwid, 200*time.Millisecond)
	if err == nil {
		unlockB.unlock()
		t.Fatalf("B took the lock while A held it (nobody's rm: %v)", rmErr)
	}
	var he *heldError
	if !errors.As(err, &he) {
		t.Errorf("B: %v, want it to wait for A and give up", err)
	}
	if rmErr == nil {
		t.Errorf("nobody removed the lock file A holds")
	}
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil || st.Uid != 0 || st.Mode&0o7777 != 0o644 {
		t.Errorf("lock file: uid %d mode %04o (%v), want root's, 0644", st.Uid, st.Mode&0o7777, err)
	}
}

// TestOwnLockFile: in a directory every user can write in, a lock file is
// taken from root or the caller; root makes another user's file root's,
// another user's fogctl refuses it, naming its owner and what to do.
func TestOwnLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fogctl-net-8056c2e21c000001.lock")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd := int(f.Fd())
	me := uint32(os.Geteuid())
	if err := ownLockFile(fd, path, 0); err != nil {
		t.Errorf("root's file: %v", err)
	}
	if err := ownLockFile(fd, path, me); err != nil {
		t.Errorf("the caller's file: %v", err)
	}
	other := uint32(65533)
	err = ownLockFile(fd, path, other)
	if me == 0 {
		if err != nil {
			t.Errorf("root, another user's file: %v", err)
		}
		return
	}
	want := "lock " + path + ": owned by " + userName(other) + ", who could remove it while held and let two fogctl change the network at once;"
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "$FOGCTL_NET_LOCK_DIR") {
		t.Errorf("another user's file: %v, want %q... naming $FOGCTL_NET_LOCK_DIR", err, want)
	}
}

// TestLockHostTakesTheFileThePathNames: a fogctl waiting on the lock file
// that is removed (by root or its owner) and made anew before it gets the
// lock takes the new file's lock, not the removed one's, which would keep
// no one out: the next fogctl then waits for it.
func TestLockHostTakesTheFileThePathNames(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvLockDir, dir)
	const nwid = "8056c2e21c000002"
	path := filepath.Join(dir, lockFileName(nwid))
	ctx := context.Background()
	unlockH, err := lockHost(ctx, nil, nwid, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		lock *heldLock
		err  error
	}
	got := make(chan result, 1)
	go func() {
		u, err := lockHost(ctx, nil, nwid, 10*time.Second)
		got <- result{u, err}
	}()
	// A waits on the file H holds (bounded: 5s).
	for i := 0; i < 500 && !flockWaited(t, path); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	unlockH.unlock()
	a := <-got
	if a.err != nil {
		t.Fatalf("A: %v", a.err)
	}
	defer a.lock.unlock()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("A holds no lock file at %s: %v", path, err)
	}
	u, err := lockHost(ctx, nil, nwid, 200*time.Millisecond)
	if err == nil {
		u.unlock()
		t.Fatal("B took the lock while A held it: A locked the removed file")
	}
	var he *heldError
	if !errors.As(err, &he) {
		t.Errorf("B: %v, want it to wait for A and give up", err)
	}
}

// flockWaited reports whether /proc/locks shows a process blocked on an
// flock of path; where there is no /proc/locks, it waits a moment and
// says yes.
func flockWaited(t *testing.T, path string) bool {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return false
	}
	data, err := os.ReadFile("/proc/locks")
	if err != nil {
		time.Sleep(200 * time.Millisecond)
		return true
	}
	file := fmt.Sprintf("%02x:%02x:%d", unix.Major(uint64(st.Dev)), unix.Minor(uint64(st.Dev)), st.Ino)
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 7 && f[1] == "->" && f[2] == "FLOCK" && f[6] == file {
			return true
		}
	}
	return false
}
