//go:build unix

package safefile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Lock takes the exclusive lock of path (the file RealPath(path)+LockSuffix), waiting
// at most timeout (DefaultTimeout when 0) or until ctx ends. The lock is an
// flock(2) lock, so the kernel releases it when the holder dies, even by
// SIGKILL. The holder writes its PID into the lock file so that a waiter
// that times out can name it in a *LockedError.
//
// The lock file lies in the kubeconfig's directory, which its owner may
// write: fogctl run as root must not write through whatever that user put
// there. It is opened without following a symbolic link (or blocking on a
// FIFO), created only with O_EXCL, and refused unless it is a regular file
// with one link; everything fogctl then does to it (flock, the holder
// line, truncation, chown) goes through that one descriptor, never by
// path.
func Lock(ctx context.Context, path string, timeout time.Duration) (Unlock, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	real, err := RealPath(path)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	lockPath := real + LockSuffix
	f, err := openLockFile(lockPath)
	if err != nil {
		return nil, err
	}
	fd := int(f.Fd())
	start := time.Now()
	err = FlockNB(fd)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		if ctx.Err() != nil {
			// Cancelled before it started to wait: no waiter to abandon.
			f.Close()
			return nil, ctx.Err()
		}
		if err := flockWait(ctx, f, path, start, timeout); err != nil {
			return nil, err
		}
	} else if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	writeHolder(fd)
	giveLockToOwner(fd, real)
	done := false
	return func() {
		if done {
			return
		}
		done = true
		// Clear the holder line before letting go, so the file names a
		// process only while it holds the lock.
		_ = syscall.Ftruncate(fd, 0)
		_ = syscall.Flock(fd, syscall.LOCK_UN)
		f.Close()
	}, nil
}

// openLockFile opens lockPath for reading and writing (for reading only
// if that is all this user may), creating it (mode 0600) only if it does
// not exist. It never follows a symbolic link, never
// opens a FIFO or device, and refuses a file with more than one link (a
// hard link to another file, which root could otherwise truncate or give
// away), naming the file and its owner.
func openLockFile(lockPath string) (*os.File, error) {
	const flags = syscall.O_RDWR | syscall.O_NOFOLLOW | syscall.O_NONBLOCK | syscall.O_CLOEXEC
	for tries := 0; ; tries++ {
		fd, err := syscall.Open(lockPath, flags, 0)
		if errors.Is(err, syscall.EACCES) {
			// Another user's lock file that this one may read: flock
			// needs no more (the holder line is then not written).
			fd, err = syscall.Open(lockPath, flags&^syscall.O_RDWR|syscall.O_RDONLY, 0)
		}
		if errors.Is(err, syscall.ENOENT) && tries < 5 {
			fd, err = syscall.Open(lockPath, flags|syscall.O_CREAT|syscall.O_EXCL, 0o600)
			if errors.Is(err, syscall.EEXIST) {
				continue // made by another process meanwhile
			}
		}
		if err != nil {
			return nil, lockFileError(lockPath, err)
		}
		f := os.NewFile(uintptr(fd), lockPath)
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", lockPath, err)
		}
		if err := checkLockStat(lockPath, &st); err != nil {
			f.Close()
			return nil, err
		}
		return f, nil
	}
}

// checkLockStat refuses a lock file that is not a regular file with one
// link: not one fogctl or kubectl made.
func checkLockStat(lockPath string, st *syscall.Stat_t) error {
	switch {
	case uint32(st.Mode)&syscall.S_IFMT != syscall.S_IFREG:
		return fmt.Errorf("lock %s: not a regular file, so not a lock file fogctl or kubectl makes (%s): remove it", lockPath, OwnerOf(st.Uid))
	case uint64(st.Nlink) != 1:
		return fmt.Errorf("lock %s: it has %d hard links, so not a lock file fogctl or kubectl makes (%s): remove it", lockPath, st.Nlink, OwnerOf(st.Uid))
	}
	return nil
}

// lockFileError explains why the lock file could not be opened; it wraps
// err (fs.ErrPermission for a directory fogctl may not write in).
func lockFileError(lockPath string, err error) error {
	var st syscall.Stat_t
	lerr := syscall.Lstat(lockPath, &st)
	switch {
	case lerr == nil && uint32(st.Mode)&syscall.S_IFMT == syscall.S_IFLNK:
		return fmt.Errorf("lock %s: it is a symbolic link, which fogctl does not follow (%s): remove it", lockPath, OwnerOf(st.Uid))
	case errors.Is(err, syscall.ELOOP):
		return fmt.Errorf("lock %s: it is a symbolic link, which fogctl does not follow: remove it", lockPath)
	}
	return fmt.Errorf("lock %s: %w", lockPath, err)
}

// flockWait waits for the lock as WaitFlock does; when timeout runs out
// it says who holds it, from the holder line of the file.
func flockWait(ctx context.Context, f *os.File, path string, start time.Time, timeout time.Duration) error {
	return WaitFlock(ctx, f, path, timeout, func() error {
		le := &LockedError{Path: path, Waited: time.Since(start)}
		le.PID, le.Program, le.Since = readHolder(int(f.Fd()))
		return le
	})
}

// writeHolder records who holds the lock, through the lock's descriptor.
// It is advice for error messages only, so a failure is ignored.
func writeHolder(fd int) {
	_ = syscall.Ftruncate(fd, 0)
	_, _ = syscall.Pwrite(fd, []byte(holderLine()), 0)
}

// readHolder reads the holder line of the lock file open as fd.
func readHolder(fd int) (pid int, prog string, since time.Time) {
	buf := make([]byte, 256)
	n, err := syscall.Pread(fd, buf, 0)
	if err != nil || n <= 0 {
		return 0, "", time.Time{}
	}
	return parseHolder(string(buf[:n]))
}

// giveLockToOwner makes the lock file (open as fd) of a file root edits
// the file owner's: a lock file left root's (mode 0600) could not be
// opened by the owner's own fogctl afterwards.
func giveLockToOwner(fd int, target string) {
	if !isRoot() {
		return
	}
	st, err := os.Stat(target)
	if err != nil {
		return
	}
	uid, gid, ok := owner(st)
	if !ok {
		return
	}
	var lst syscall.Stat_t
	if err := syscall.Fstat(fd, &lst); err != nil {
		return
	}
	if uint32(uid) != lst.Uid || uint32(gid) != lst.Gid {
		_ = syscall.Fchown(fd, uid, gid)
	}
}
