package safefile

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
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

// holderLine is what a lock file says about its holder, as readHolder
// reads it: "PID RFC3339-time program".
func holderLine() string {
	prog := "fogctl"
	if len(os.Args) > 0 {
		prog = baseName(os.Args[0])
	}
	return fmt.Sprintf("%d %s %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339), prog)
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
