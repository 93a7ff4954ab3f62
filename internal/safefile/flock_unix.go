//go:build unix

package safefile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
	"time"
)

// FlockNB takes an exclusive flock(2) of fd without waiting; EWOULDBLOCK
// when another holds it.
func FlockNB(fd int) error {
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// WaitFlock waits in a blocking flock(2) of f, so the kernel hands the
// lock over when it is released instead of whoever polls first winning
// (with many writers, polling starves some of them), at most wait or
// until ctx ends. When wait runs out it returns what timedOut makes (the
// caller names the holder from f, still open then); on any failure f is
// closed, once the blocked call returns. path names the lock in errors.
func WaitFlock(ctx context.Context, f *os.File, path string, wait time.Duration, timedOut func() error) error {
	fd := int(f.Fd())
	got := make(chan error, 1)
	go func() {
		for {
			err := syscall.Flock(fd, syscall.LOCK_EX)
			if !errors.Is(err, syscall.EINTR) {
				got <- err
				return
			}
		}
	}()
	abandon := func() {
		go func() {
			if err := <-got; err == nil {
				_ = syscall.Flock(fd, syscall.LOCK_UN)
			}
			f.Close()
		}()
	}
	timer := time.NewTimer(max(wait, 0))
	defer timer.Stop()
	select {
	case err := <-got:
		if err != nil {
			f.Close()
			return fmt.Errorf("lock %s: %w", path, err)
		}
		return nil
	case <-timer.C:
		err := timedOut()
		abandon()
		return err
	case <-ctx.Done():
		abandon()
		return ctx.Err()
	}
}

// OwnerOf says whose a file is: "owned by alice (uid 1000)".
func OwnerOf(uid uint32) string {
	return "owned by " + UserName(uid)
}

// UserName is a user's name with its uid, or the uid alone:
// "alice (uid 1000)".
func UserName(uid uint32) string {
	id := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(id); err == nil && u.Username != "" {
		return u.Username + " (uid " + id + ")"
	}
	return "uid " + id
}
