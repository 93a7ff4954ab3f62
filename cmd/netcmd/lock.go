package netcmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fogctl/fogctl/netoverlay"
)

// lockWaitRequests is how many requests' time limits (--zt-timeout) a
// command waits for another fogctl changing the same network: a change
// makes about five requests, each bounded by that limit, so a live holder
// lets go within the wait.
const lockWaitRequests = 10

// EnvLockDir overrides the directory of the per-network locks. Every
// process that changes a network must see the same value, root's under
// sudo (which drops it by default) included, or they do not take turns:
// it is meant for tests, and hosts where /run/lock and /tmp are not
// shared by the operators.
const EnvLockDir = "FOGCTL_NET_LOCK_DIR"

// unlockFunc releases a lock taken with lockNetwork; safe to call twice.
type unlockFunc func()

// heldLock is a network's lock, held.
type heldLock struct {
	release unlockFunc
	// lost, when not nil, says whether the lock file was removed or
	// replaced while held: nil when it was not.
	lost func() error
}

// unlock releases the lock; safe to call twice.
func (l *heldLock) unlock() { l.release() }

// kept returns an error when, after a change was sent, the lock file
// turned out removed or replaced while the change held it (by root or
// its owner; see openLockFile): another fogctl may have taken the new
// file's lock and changed the network at the same time. did says what
// was sent, check how to look.
func (l *heldLock) kept(nwid, did, check string) error {
	if l.lost == nil {
		return nil
	}
	err := l.lost()
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s, but %v: another fogctl may have changed network %s at the same time, and one of the changes may be lost: check with '%s'", did, err, nwid, check)
}

// lockNetwork serialises, among the fogctl processes of this host (the fog
// server, where operators run `fogctl net`), whoever runs them (an
// operator, root through sudo, another operator with other state and
// config directories), every read, check, write and read-back of a
// network's members or pools. ZeroTier's API has no compare-and-swap: two
// changes at once would each write back a list without the other's
// change.
//
// On Linux and macOS the lock is an flock(2) of
// /run/lock/fogctl-net-<nwid>.lock (/tmp/... where /run/lock is not a
// sticky, world-writable directory; $FOGCTL_NET_LOCK_DIR overrides both),
// which the kernel releases when its holder dies. In such a directory,
// where any user may make the file first and its owner may remove it even
// while another process holds its lock, a lock file is taken only from
// root or the caller's user; root's fogctl makes another user's file
// root's. Any user who can open the file can still hold its lock (and
// keep changes waiting, then failing, naming them). A network id begins with
// its controller's address, so the file names one controller's network
// however its URL is spelled. Elsewhere it falls back to a lock in the
// user's state directory, shared by that user's processes only.
//
// nwid must be a valid network id.
func lockNetwork(ctx context.Context, stateDir func() (string, error), c *netoverlay.Client, nwid string) (*heldLock, error) {
	wait := lockWaitRequests * c.Timeout
	if c.Timeout <= 0 {
		wait = lockWaitRequests * netoverlay.DefaultTimeout
	}
	nwid = strings.ToLower(nwid)
	l, err := lockHost(ctx, stateDir, nwid, wait)
	if err != nil {
		return nil, fmt.Errorf("change network %s: %w", nwid, err)
	}
	return l, nil
}

// LockNetwork is lockNetwork for the other commands that change a
// network's members (the dashboard's authorize): the same lock, so they
// take turns with `fogctl net`.
func LockNetwork(ctx context.Context, stateDir func() (string, error), c *netoverlay.Client, nwid string) (func(), error) {
	l, err := lockNetwork(ctx, stateDir, c, nwid)
	if err != nil {
		return nil, err
	}
	return l.unlock, nil
}

// lockFileName is the name of a network's lock file in the lock directory.
func lockFileName(nwid string) string { return "fogctl-net-" + nwid + ".lock" }

// heldError says who holds a network's lock that a change gave up waiting
// for, and what to do.
type heldError struct {
	Path   string
	Waited time.Duration
	PID    int    // 0 when unknown
	Prog   string // the holder's program, "" when unknown
	User   string // the holder's user, "" when unknown
}

func (e *heldError) Error() string {
	holder := "another process"
	if e.PID > 0 {
		prog := e.Prog
		if prog == "" {
			prog = "process"
		}
		holder = fmt.Sprintf("%s pid %d", prog, e.PID)
		if e.User != "" {
			holder += " of user " + e.User
		}
	}
	msg := fmt.Sprintf("another fogctl is changing it: %s is locked by %s: waited %s", e.Path, holder, e.Waited.Round(100*time.Millisecond))
	if e.PID > 0 {
		who := "its user"
		if e.User != "" {
			who = e.User
		}
		msg += fmt.Sprintf(" (try again once it is done; if it hangs, %s or root can end it with 'kill %d')", who, e.PID)
	}
	return msg
}
