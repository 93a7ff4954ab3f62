//go:build unix

package clustertest

import (
	"os"
	"syscall"
)

// freeze stops p (SIGSTOP); thaw continues it (SIGCONT).
func freeze(p *os.Process) error { return p.Signal(syscall.SIGSTOP) }
func thaw(p *os.Process) error   { return p.Signal(syscall.SIGCONT) }
