package safefile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// KubectlLockSuffix is appended to a kubeconfig's path to name the lock
// file that kubectl (client-go's clientcmd.ModifyConfig, its lockFile)
// creates with O_EXCL before it writes the file and removes afterwards:
// ~/.kube/config.lock. The path is the kubeconfig's path as listed
// (--kubeconfig, KUBECONFIG or ~/.kube/config), symlinks not followed.
const KubectlLockSuffix = ".lock"

// Polling bounds of LockKubectl: an O_EXCL file cannot be waited on, so
// the waiter tries again, first after kubectlPollMin, doubling up to
// kubectlPollMax (kubectl holds its lock for milliseconds).
const (
	kubectlPollMin = 2 * time.Millisecond
	kubectlPollMax = 50 * time.Millisecond
)

// KubectlLockedError says that kubectl's lock file of a kubeconfig was
// still there when LockKubectl stopped waiting for it.
type KubectlLockedError struct {
	// Path is the kubeconfig the lock protects.
	Path string
	// Lock is the lock file, Path+KubectlLockSuffix.
	Lock string
	// Waited is how long LockKubectl waited.
	Waited time.Duration
	// PID, Program and Since name the holder when the lock file says who
	// made it (fogctl does; kubectl leaves it empty): 0, "" and zero if not.
	PID     int
	Program string
	Since   time.Time
}

func (e *KubectlLockedError) Error() string {
	waited := e.Waited.Round(100 * time.Millisecond)
	if e.PID > 0 {
		prog := e.Program
		if prog == "" {
			prog = "process"
		}
		holder := fmt.Sprintf("%s pid %d", prog, e.PID)
		if !e.Since.IsZero() {
			holder += fmt.Sprintf(" (started %s)", e.Since.Local().Format("15:04:05"))
		}
		return fmt.Sprintf("%s is locked by %s: waited %s for %s to go (if that process is not running, remove %s)", e.Path, holder, waited, e.Lock, e.Lock)
	}
	return fmt.Sprintf("%s is locked by kubectl: waited %s for %s to go (kubectl leaves it behind when killed: if no kubectl is running, remove %s)", e.Path, waited, e.Lock, e.Lock)
}

// LockKubectl takes kubectl's lock of the kubeconfig path: it creates
// path+KubectlLockSuffix with O_EXCL and mode 0600, as kubectl does, so a
// kubectl that wants to write the file meanwhile fails ("file exists")
// instead of overwriting fogctl's change or having its own overwritten.
//
// While the lock file exists, LockKubectl tries again at short intervals
// for at most timeout (DefaultTimeout when 0) or until ctx ends, then
// returns a *KubectlLockedError. It never removes a lock file it did not
// create: one that a killed kubectl left behind stays until the user
// removes it. Hold Lock first, so that fogctl processes queue fairly on
// their flock and only one of them polls here.
//
// The returned Unlock removes the lock file, unless it is no longer the
// one LockKubectl created.
func LockKubectl(ctx context.Context, path string, timeout time.Duration) (Unlock, error) {
	return lockKubectl(ctx, path, timeout, nil)
}

// lockKubectl is LockKubectl; waiting, if not nil, is called once when
// the first attempt finds the lock file (tests wait on it).
func lockKubectl(ctx context.Context, path string, timeout time.Duration, waiting func()) (Unlock, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	lockPath := path + KubectlLockSuffix
	start := time.Now()
	deadline := start.Add(timeout)
	interval := kubectlPollMin
	for {
		f, err := os.OpenFile(lockPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			return kubectlHeld(f, lockPath)
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if waiting != nil {
			waiting()
			waiting = nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			le := &KubectlLockedError{Path: path, Lock: lockPath, Waited: time.Since(start)}
			le.PID, le.Program, le.Since = readHolder(lockPath)
			return nil, le
		}
		timer := time.NewTimer(min(interval, left))
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		}
		interval = min(2*interval, kubectlPollMax)
	}
}

// kubectlHeld records the holder in the lock file just created (kubectl
// ignores its content) and returns the Unlock that removes it.
func kubectlHeld(f *os.File, lockPath string) (Unlock, error) {
	line := holderLine()
	st, err := f.Stat()
	if err == nil {
		_, err = f.WriteString(line)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(lockPath)
		return nil, fmt.Errorf("lock %s: %w", lockPath, err)
	}
	done := false
	return func() {
		if done {
			return
		}
		done = true
		// Someone may have removed the lock file by hand and a kubectl
		// created its own since (perhaps on the same inode): that one is
		// not fogctl's to remove. kubectl's is empty; fogctl's names it.
		now, err := os.Lstat(lockPath)
		if err != nil || !os.SameFile(st, now) {
			return
		}
		if data, err := os.ReadFile(lockPath); err == nil && string(data) == line {
			_ = os.Remove(lockPath)
		}
	}, nil
}
