//go:build windows

package runstore

import (
	"os"

	"golang.org/x/sys/windows"
)

// lockFile takes the run's lock: an exclusive lock on the journal's own
// handle, so it dies with the process and goes with Close. It fails at
// once if another process holds it.
func lockFile(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	if err := rc.Control(func(fd uintptr) {
		var ol windows.Overlapped
		lerr = windows.LockFileEx(windows.Handle(fd), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
	}); err != nil {
		return err
	}
	return lerr
}

// lockBusy reports whether lockFile failed because another process holds
// the lock.
func lockBusy(err error) bool {
	return err == windows.ERROR_LOCK_VIOLATION
}

// openNoFollow: Windows has no O_NOFOLLOW.
const openNoFollow = 0
