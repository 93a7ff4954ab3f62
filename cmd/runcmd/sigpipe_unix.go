//go:build unix

package runcmd

import (
	"os/signal"
	"syscall"
)

// keepRunningOnClosedPipe makes a write to a reader that went away (`fogctl
// run wf.yaml | head -1`) fail with EPIPE instead of killing fogctl with
// SIGPIPE: the run goes on to its end, recorded, and exits with its own
// result; printing stops with a warning.
func keepRunningOnClosedPipe() { signal.Ignore(syscall.SIGPIPE) }
