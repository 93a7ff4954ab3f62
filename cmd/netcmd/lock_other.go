//go:build !unix

package netcmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fogctl/fogctl/internal/safefile"
)

// lockHost falls back, where flock(2) and a shared sticky directory are
// not to be had, to a lock in the user's state directory: it serialises
// that user's fogctl processes only.
func lockHost(ctx context.Context, stateDir func() (string, error), nwid string, wait time.Duration) (*heldLock, error) {
	dir := os.Getenv(EnvLockDir)
	if dir == "" {
		d, err := stateDir()
		if err != nil {
			return nil, err
		}
		dir = filepath.Join(d, "net")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
	}
	unlock, err := safefile.Lock(ctx, filepath.Join(dir, lockFileName(nwid)), wait)
	var le *safefile.LockedError
	if errors.As(err, &le) {
		return nil, &heldError{Path: le.Path + safefile.LockSuffix, Waited: le.Waited, PID: le.PID, Prog: le.Program}
	}
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	return &heldLock{release: unlockFunc(unlock)}, nil
}
