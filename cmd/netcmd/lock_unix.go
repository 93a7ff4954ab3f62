//go:build unix

package netcmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fogctl/fogctl/internal/safefile"
	"golang.org/x/sys/unix"
)

// lockDirs are where the per-network locks live, in order: the first
// that is a sticky directory every user may write in is taken. The choice
// depends on the directories only, never on who runs fogctl, so root and
// every operator of the host pick the same one.
var lockDirs = []string{"/run/lock", "/tmp"}

// lockHost takes the host-wide lock of network nwid (see lockNetwork),
// waiting at most wait or until ctx ends.
func lockHost(ctx context.Context, _ func() (string, error), nwid string, wait time.Duration) (*heldLock, error) {
	dir, err := lockDir()
	if err != nil {
		return nil, err
	}
	anyone, err := anyoneWrites(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, lockFileName(nwid))
	start := time.Now()
	deadline := start.Add(wait)
	for {
		f, err := openLockFile(path, anyone)
		if err != nil {
			return nil, err
		}
		fd := int(f.Fd())
		err = safefile.FlockNB(fd)
		if errors.Is(err, syscall.EWOULDBLOCK) {
			err = flockWait(ctx, f, path, start, time.Until(deadline))
			if err != nil {
				return nil, err
			}
		} else if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		// The file may have been removed (by its owner or root) and made
		// anew between our open and our lock: a lock on the old one keeps
		// no one out. Take the new one. Once it is ours, only root or our
		// own user may remove it (openLockFile), not whoever made it.
		if same, err := sameFile(f, path); err != nil || !same {
			_ = syscall.Flock(fd, syscall.LOCK_UN)
			f.Close()
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("lock %s: the file keeps being replaced", path)
			}
			continue
		}
		done := false
		return &heldLock{
			release: func() {
				if done {
					return
				}
				done = true
				_ = syscall.Flock(fd, syscall.LOCK_UN)
				f.Close()
			},
			lost: func() error {
				if done {
					return nil
				}
				if same, err := sameFile(f, path); err == nil && same {
					return nil
				}
				return fmt.Errorf("the lock file %s was removed or replaced while this change held it", path)
			},
		}, nil
	}
}

// lockDir is $FOGCTL_NET_LOCK_DIR, or the first usable of lockDirs.
func lockDir() (string, error) {
	if d := os.Getenv(EnvLockDir); d != "" {
		if err := checkLockDir(d, false); err != nil {
			return "", fmt.Errorf("$%s: %w", EnvLockDir, err)
		}
		return d, nil
	}
	var why []string
	for _, d := range lockDirs {
		err := checkLockDir(d, true)
		if err == nil {
			return d, nil
		}
		why = append(why, err.Error())
	}
	return "", fmt.Errorf("no directory for the network lock: %s (set $%s to a directory every operator of this host can write in, the same for all of them)", strings.Join(why, "; "), EnvLockDir)
}

// checkLockDir accepts a directory in which another user cannot replace
// the lock file: one not writable by every user, or a sticky one (where
// only a file's owner and root may remove or rename it). shared asks for
// a directory every user can create the lock file in.
func checkLockDir(d string, shared bool) error {
	fi, err := os.Stat(d)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", d)
	}
	worldWritable := fi.Mode().Perm()&0o002 != 0
	sticky := fi.Mode()&os.ModeSticky != 0
	switch {
	case worldWritable && !sticky:
		return fmt.Errorf("%s is writable by every user but not sticky, so another user could replace the lock file", d)
	case shared && !worldWritable:
		return fmt.Errorf("%s is not writable by every user", d)
	}
	return nil
}

// anyoneWrites reports whether every user may create files in dir (so
// make the lock file first).
func anyoneWrites(dir string) (bool, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return false, err
	}
	return fi.Mode().Perm()&0o002 != 0, nil
}

// openLockFile opens the lock file for reading (flock needs no more, so
// a file root made serves every user), making it readable by everyone if
// it does not exist. It never follows a symbolic link, never opens a FIFO
// or device, and never passes O_CREAT for a file that exists (which
// Linux's protected_regular refuses, root included, in a sticky directory
// for a file of another user).
//
// In a directory anyone may write in (anyone), the file must be root's or
// the caller's: in a sticky directory its owner may remove it, even while
// another fogctl holds its lock, and the next fogctl would lock a new file
// and change the network at the same time. Root takes over a file of
// another user (makes it root's, so its maker may no longer remove it);
// another user's fogctl refuses it.
func openLockFile(path string, anyone bool) (*os.File, error) {
	const flags = syscall.O_RDONLY | syscall.O_NOFOLLOW | syscall.O_NONBLOCK | syscall.O_CLOEXEC
	for tries := 0; ; tries++ {
		fd, err := syscall.Open(path, flags, 0)
		if errors.Is(err, syscall.ENOENT) && tries < 5 {
			fd, err = syscall.Open(path, flags|syscall.O_CREAT|syscall.O_EXCL, 0o644)
			if errors.Is(err, syscall.EEXIST) {
				continue // made by another process meanwhile
			}
			if err == nil {
				_ = syscall.Fchmod(fd, 0o644) // past the umask: every user opens it
			}
		}
		if err != nil {
			return nil, lockFileError(path, err)
		}
		f := os.NewFile(uintptr(fd), path)
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		switch {
		case uint32(st.Mode)&syscall.S_IFMT != syscall.S_IFREG:
			f.Close()
			return nil, fmt.Errorf("lock %s: not a regular file, so not fogctl's lock (%s): remove it", path, ownerOf(st.Uid))
		case uint64(st.Nlink) != 1:
			f.Close()
			return nil, fmt.Errorf("lock %s: it has %d hard links, so it is not fogctl's lock (%s): remove it", path, st.Nlink, ownerOf(st.Uid))
		}
		if anyone {
			if err := ownLockFile(fd, path, st.Uid); err != nil {
				f.Close()
				return nil, err
			}
		}
		return f, nil
	}
}

// ownLockFile accepts the lock file of uid, open as fd, in a directory
// anyone may write in: one of root or of the caller, or as root any,
// which it makes root's.
func ownLockFile(fd int, path string, uid uint32) error {
	euid := os.Geteuid()
	switch {
	case uid == 0 || int64(uid) == int64(euid):
		return nil
	case euid == 0:
		if err := syscall.Fchown(fd, 0, 0); err != nil {
			return fmt.Errorf("lock %s: %s, who could remove it while held; making it root's: %w", path, ownerOf(uid), err)
		}
		if err := syscall.Fchmod(fd, 0o644); err != nil {
			return fmt.Errorf("lock %s: %w", path, err)
		}
		return nil
	}
	return fmt.Errorf("lock %s: %s, who could remove it while held and let two fogctl change the network at once; fogctl takes a lock file in a directory every user can write in only from root or its own user: have root run the change once (fogctl as root makes the file root's), or remove it as its owner or root once no fogctl net is running; where several non-root operators change networks, give all of them, and root under sudo, $%s naming one directory only they can write in (e.g. /run/fogctl, owner root, their group, mode 2770)", path, ownerOf(uid), EnvLockDir)
}

// lockFileError explains why the lock file could not be opened.
func lockFileError(path string, err error) error {
	var st syscall.Stat_t
	lerr := syscall.Lstat(path, &st)
	switch {
	case lerr == nil && uint32(st.Mode)&syscall.S_IFMT == syscall.S_IFLNK:
		return fmt.Errorf("lock %s: it is a symbolic link, which fogctl does not follow (%s): remove it", path, ownerOf(st.Uid))
	case errors.Is(err, syscall.ELOOP):
		return fmt.Errorf("lock %s: it is a symbolic link, which fogctl does not follow: remove it", path)
	case errors.Is(err, syscall.EACCES) && lerr == nil:
		return fmt.Errorf("lock %s: not readable by you (mode %04o, %s); fogctl makes it readable by every user: remove it as its owner or root", path, st.Mode&0o7777, ownerOf(st.Uid))
	case errors.Is(err, syscall.EACCES):
		return fmt.Errorf("lock %s: %w (fogctl must be able to create it there)", path, err)
	}
	return fmt.Errorf("lock %s: %w", path, err)
}

// ownerOf and userName say whose a file is, as safefile says it.
func ownerOf(uid uint32) string  { return safefile.OwnerOf(uid) }
func userName(uid uint32) string { return safefile.UserName(uid) }

// flockWait waits for the lock as safefile.WaitFlock does; when wait runs
// out it names the holder from /proc/locks.
func flockWait(ctx context.Context, f *os.File, path string, start time.Time, wait time.Duration) error {
	return safefile.WaitFlock(ctx, f, path, wait, func() error {
		he := &heldError{Path: path, Waited: time.Since(start)}
		he.PID, he.Prog, he.User = lockHolder(f)
		return he
	})
}

// sameFile reports whether path still names the file f has open.
func sameFile(f *os.File, path string) (bool, error) {
	var a, b syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &a); err != nil {
		return false, err
	}
	if err := syscall.Lstat(path, &b); err != nil {
		return false, err
	}
	return a.Dev == b.Dev && a.Ino == b.Ino, nil
}

// lockHolder names the process holding the flock of f, from /proc/locks
// (Linux): its pid, program and user. It trusts nothing written in the
// file, which anyone who made it could have written. All zero when
// unknown.
func lockHolder(f *os.File) (pid int, prog, who string) {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		return 0, "", ""
	}
	data, err := os.ReadFile("/proc/locks")
	if err != nil {
		return 0, "", ""
	}
	pid = flockHolder(string(data), uint64(st.Dev), uint64(st.Ino))
	if pid == 0 {
		return 0, "", ""
	}
	proc := "/proc/" + strconv.Itoa(pid)
	if comm, err := os.ReadFile(proc + "/comm"); err == nil {
		prog = strings.TrimSpace(string(comm))
	}
	var pst syscall.Stat_t
	if err := syscall.Stat(proc, &pst); err == nil {
		who = userOf(pst.Uid)
	}
	return pid, prog, who
}

// userOf is a user's name, or "uid N".
func userOf(uid uint32) string {
	id := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(id); err == nil && u.Username != "" {
		return u.Username
	}
	return "uid " + id
}

// flockHolder is the pid of the holder of an flock of the file with
// device dev and inode ino in locks, the text of /proc/locks; 0 when none.
// A line names its file by MAJ:MIN:INODE, the device's major and minor
// numbers in hex ("1: FLOCK  ADVISORY  WRITE 1234 fe:00:5678 0 EOF"): an
// inode number alone is shared by files of other filesystems. A waiter's
// line has "->" after the number.
func flockHolder(locks string, dev, ino uint64) int {
	file := fmt.Sprintf("%02x:%02x:%d", unix.Major(dev), unix.Minor(dev), ino)
	for _, line := range strings.Split(locks, "\n") {
		fl := strings.Fields(line)
		if len(fl) < 6 || fl[1] != "FLOCK" || fl[5] != file {
			continue
		}
		if p, err := strconv.Atoi(fl[4]); err == nil && p > 0 {
			return p
		}
	}
	return 0
}
