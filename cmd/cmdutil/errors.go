package cmdutil

import (
	"errors"
	"fmt"
)

// FlagError is a usage mistake: the command prints its usage and exits 2.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// FlagErrorf returns a FlagError with a formatted message.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{Err: fmt.Errorf(format, args...)}
}

// Exit codes, decided in one place (cmd/exit.go maps errors to them).
const (
	ExitOK        = 0
	ExitFailed    = 1
	ExitUsage     = 2   // bad flags, invalid input files
	ExitPending   = 3   // done, but some clusters were unreachable
	ExitCancelled = 130 // interrupted by Ctrl-C or SIGTERM
)

// ExitError carries an exit code other than 1. With a nil Err it prints
// nothing (the command has already said what happened).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}
func (e *ExitError) Unwrap() error { return e.Err }

// WithExitCode wraps err so fogctl exits with code.
func WithExitCode(code int, err error) error { return &ExitError{Code: code, Err: err} }

// ErrSilent ends a command with exit code 1 and prints nothing more.
var ErrSilent = errors.New("silent error")

// ErrPending ends a command with exit code 3 and prints nothing more: the
// command did what it could and told which clusters were not reachable.
var ErrPending = &ExitError{Code: ExitPending}

// ErrCancelled ends a command with exit code 130 after Ctrl-C or SIGTERM.
var ErrCancelled = &ExitError{Code: ExitCancelled}
