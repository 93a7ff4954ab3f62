//go:build unix

package runstore

import (
	"os"
	"syscall"
)

// lockFile takes the run's lock: an exclusive flock on the journal's own
// descriptor, so it dies with the process and goes with Close. It fails
// at once if another process holds it.
func lockFile(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	if err := rc.Control(func(fd uintptr) {
		lerr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
	}); err != nil {
		return err
	}
	return lerr
}

// lockBusy reports whether lockFile failed because another process holds
// the lock.
func lockBusy(err error) bool {
	return err == syscall.EWOULDBLOCK || err == syscall.EAGAIN
}

// openNoFollow makes OpenFile fail on a symbolic link rather than follow it.
const openNoFollow = syscall.O_NOFOLLOW
