package netcmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fogctl/fogctl/internal/safefile"
	"github.com/fogctl/fogctl/netoverlay"
)

// lockWaitRequests is how many requests' time limits (--zt-timeout) a
// command waits for another fogctl changing the same network: a change
// makes about five requests, each bounded by that limit, so a live holder
// lets go within the wait.
const lockWaitRequests = 10

// lockNetwork serialises, among the fogctl processes of this host (the fog
// server, where operators run `fogctl net`), every read, check, write and
// read-back of a network's members or pools. ZeroTier's API has no
// compare-and-swap: two changes at once would each write back a list
// without the other's change. The lock is the flock of
// <state>/net/<nwid>.fogctl.lock, which the kernel releases when its
// holder dies. nwid must be a valid network id.
func lockNetwork(ctx context.Context, stateDir func() (string, error), c *netoverlay.Client, nwid string) (safefile.Unlock, error) {
	dir, err := stateDir()
	if err != nil {
		return nil, fmt.Errorf("lock network %s: %w", nwid, err)
	}
	dir = filepath.Join(dir, "net")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("lock network %s: %w", nwid, err)
	}
	wait := lockWaitRequests * c.Timeout
	if c.Timeout <= 0 {
		wait = lockWaitRequests * netoverlay.DefaultTimeout
	}
	unlock, err := safefile.Lock(ctx, filepath.Join(dir, nwid), wait)
	if err != nil {
		return nil, fmt.Errorf("change network %s: another fogctl is changing it: %w", nwid, err)
	}
	return unlock, nil
}
