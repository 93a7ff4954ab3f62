//go:build !unix

package safefile

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gofrs/flock"
)

// Lock takes the exclusive lock of path (the file RealPath(path)+LockSuffix), waiting
// at most timeout (DefaultTimeout when 0) or until ctx ends. The lock is an
// flock(2) lock, so the kernel releases it when the holder dies, even by
// SIGKILL. The holder writes its PID into the lock file so that a waiter
// that times out can name it in a *LockedError.
func Lock(ctx context.Context, path string, timeout time.Duration) (Unlock, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	real, err := RealPath(path)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	lockPath := real + LockSuffix
	fl := flock.New(lockPath, flock.SetPermissions(0o600))
	start := time.Now()
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok && ctx.Err() != nil {
		// Cancelled before it started to wait: no waiter to abandon (one
		// would open, and so create, the lock file again whenever it ran).
		return nil, ctx.Err()
	}
	if !ok {
		// Wait in a blocking flock(2), so the kernel hands the lock over
		// when it is released instead of whoever polls first winning: with
		// many writers, polling starves some of them.
		got := make(chan error, 1)
		go func() { got <- fl.Lock() }()
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		select {
		case err := <-got:
			if err != nil {
				return nil, fmt.Errorf("lock %s: %w", path, err)
			}
		case <-timer.C:
			abandon(fl, got)
			le := &LockedError{Path: path, Waited: time.Since(start)}
			le.PID, le.Program, le.Since = readHolder(lockPath)
			return nil, le
		case <-ctx.Done():
			abandon(fl, got)
			return nil, ctx.Err()
		}
	}
	writeHolder(lockPath)
	done := false
	return func() {
		if done {
			return
		}
		done = true
		// Clear the holder line before letting go, so the file names a
		// process only while it holds the lock.
		_ = os.Truncate(lockPath, 0)
		_ = fl.Unlock()
	}, nil
}

// abandon lets go of a lock that a waiter gave up on, once its blocked
// flock(2) returns (at the latest when the holder lets go or dies).
func abandon(fl *flock.Flock, got <-chan error) {
	go func() {
		if err := <-got; err == nil {
			_ = fl.Unlock()
		}
		_ = fl.Close()
	}()
}

// writeHolder records who holds the lock. It is advice for error messages
// only, so a failure to write it is ignored.
func writeHolder(lockPath string) {
	f, err := os.OpenFile(lockPath, os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return
	}
	_, _ = f.WriteString(holderLine())
	_ = f.Close()
}

func readHolder(lockPath string) (pid int, prog string, since time.Time) {
	data, err := os.ReadFile(lockPath)
	if err != nil {
		return 0, "", time.Time{}
	}
	return parseHolder(string(data))
}
