package safefile

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// LockSuffix is appended to a file's real path (RealPath: symlinks
// followed) to name its lock file, so processes that name the file through
// different links share one lock. The lock
// file stays in place between runs: removing it while someone waits on it
// would let two holders in at once.
const LockSuffix = ".fogctl.lock"

// DefaultTimeout is how long Lock waits for another holder by default.
const DefaultTimeout = 5 * time.Second

// Unlock releases a lock taken with Lock. It is safe to call twice.
type Unlock func()

// LockedError says who holds a lock that Lock gave up waiting for.
type LockedError struct {
	// Path is the file the lock protects.
	Path string
	// PID is the holder's process id, 0 if unknown.
	PID int
	// Program is the holder's program name, if known.
	Program string
	// Since is when the holder took the lock, zero if unknown.
	Since time.Time
	// Waited is how long Lock waited.
	Waited time.Duration
}

func (e *LockedError) Error() string {
	holder := "another process"
	if e.PID > 0 {
		prog := e.Program
		if prog == "" {
			prog = "process"
		}
		holder = fmt.Sprintf("%s pid %d", prog, e.PID)
		if !e.Since.IsZero() {
			holder += fmt.Sprintf(" (started %s)", e.Since.Local().Format("15:04:05"))
		}
	}
	return fmt.Sprintf("%s is locked by %s: waited %s", e.Path, holder, e.Waited.Round(100*time.Millisecond))
}

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
	giveLockToOwner(lockPath, real)
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

// giveLockToOwner makes the lock file of a file root edits the file
// owner's: a lock file left root's (mode 0600) could not be opened by the
// owner's own fogctl afterwards.
func giveLockToOwner(lockPath, target string) {
	if !isRoot() {
		return
	}
	st, err := os.Stat(target)
	if err != nil {
		return
	}
	lst, err := os.Lstat(lockPath)
	if err != nil {
		return
	}
	uid, gid, ok := owner(st)
	luid, lgid, _ := owner(lst)
	if ok && (uid != luid || gid != lgid) {
		_ = os.Lchown(lockPath, uid, gid)
	}
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

// holderLine is what a lock file says about its holder, as readHolder
// reads it: "PID RFC3339-time program".
func holderLine() string {
	prog := "fogctl"
	if len(os.Args) > 0 {
		prog = baseName(os.Args[0])
	}
	return fmt.Sprintf("%d %s %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339), prog)
}

func readHolder(lockPath string) (pid int, prog string, since time.Time) {
	data, err := os.ReadFile(lockPath)
	if err != nil {
		return 0, "", time.Time{}
	}
	return parseHolder(string(data))
}

// parseHolder reads a holderLine; pid is 0 if it is not one.
func parseHolder(line string) (pid int, prog string, since time.Time) {
	fields := strings.Fields(line)
	if len(fields) >= 1 {
		pid, _ = strconv.Atoi(fields[0])
	}
	if len(fields) >= 2 {
		since, _ = time.Parse(time.RFC3339, fields[1])
	}
	if len(fields) >= 3 {
		prog = fields[2]
	}
	return pid, prog, since
}

func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
