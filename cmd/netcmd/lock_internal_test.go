//go:build unix

package netcmd

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

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
