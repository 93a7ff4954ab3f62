package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// ExitCode is what the process exits with.
type ExitCode int

// version is set at build time: -ldflags "-X github.com/fogctl/fogctl/cmd.version=v0.1.0".
var version = "dev"

// Main runs fogctl with os.Args and returns its exit code. Exit codes are
// decided here and nowhere else: 0 ok, 1 failed, 2 usage or invalid input,
// 3 done but some clusters unreachable, 130 interrupted.
func Main() ExitCode {
	f := cmdutil.New(version)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// SIGHUP (the terminal closed, the ssh session dropped) cancels the
	// run as SIGTERM does: exec nodes' process groups are killed and the
	// run is recorded cancelled, rather than fogctl dying at once and
	// leaving their processes behind.
	f.SignalsReady = cancelOnSignal(cancel, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	return Run(ctx, f, os.Args[1:])
}

// cancelOnSignal calls cancel when one of sigs arrives, and returns a func
// that waits until they are registered. The registration goes on beside
// the command: os/signal's first Notify starts a thread for the signal
// mask and hands it each signal in turn, which the command would
// otherwise wait for at start. Until it is done a signal ends the process
// as it would end any program; commands that change anything wait for it
// before they start (Run, Factory.SignalsReady), `run` before its nodes
// start, after it has read and checked the workflow. The
// registration lasts until the process exits: removing it at exit costs
// another round trip and gains nothing.
//
// SIGHUP ignored when fogctl started (nohup) stays ignored: Notify would
// stop ignoring it. signal.Ignored reads the runtime's mask, no system
// call. SIGINT and SIGTERM are taken even so: a script's `fogctl run ... &`
// starts with SIGINT ignored (a non-interactive shell's background job),
// and `kill -INT` must still cancel it, as it did before.
func cancelOnSignal(cancel context.CancelFunc, sigs ...os.Signal) (ready func()) {
	registered := make(chan struct{})
	go func() {
		ch := make(chan os.Signal, 1)
		watch := make([]os.Signal, 0, len(sigs))
		for _, sig := range sigs {
			if sig != syscall.SIGHUP || !signal.Ignored(sig) {
				watch = append(watch, sig)
			}
		}
		if len(watch) > 0 { // Notify with none would take every signal
			signal.Notify(ch, watch...)
		}
		close(registered)
		<-ch
		cancel()
	}()
	return func() { <-registered }
}

// Run executes one command line with the given factory. Tests call it with
// a test factory; Main calls it with the real one. It builds only the part
// of the command tree that args need (newCmdRootFor). Unless the command
// is one that waits for the signal registration itself or changes
// nothing (topCommand.signalsLate), it waits for it first: a signal must
// cancel an edit, never kill it halfway (kubectl's config.lock would be
// left behind).
func Run(ctx context.Context, f *cmdutil.Factory, args []string) ExitCode {
	sel := selected(f, args, topCommands)
	if sel >= 0 && !topCommands[sel].signalsLate {
		f.WaitSignals()
	}
	return run(ctx, f, args, func() *cobra.Command { return newCmdRootSelected(f, topCommands, sel) })
}

// run executes args on the tree newRoot builds.
func run(ctx context.Context, f *cmdutil.Factory, args []string, newRoot func() *cobra.Command) (code ExitCode) {
	defer func() {
		if r := recover(); r != nil {
			logDebug(f, args, fmt.Errorf("panic: %v\n%s", r, debug.Stack()))
			fmt.Fprintf(f.IOStreams.ErrOut, "internal error: %v (this is a bug in fogctl; details with FOGCTL_DEBUG=1 in %s)\n", r, logPath(f))
			code = cmdutil.ExitFailed
		}
	}()
	root := newRoot()
	root.SetArgs(args)
	root.SetIn(f.IOStreams.In)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	return handleError(ctx, f, cmd, args, err)
}

func handleError(ctx context.Context, f *cmdutil.Factory, cmd *cobra.Command, args []string, err error) ExitCode {
	stderr := f.IOStreams.ErrOut
	logDebug(f, args, err)

	var flagErr *cmdutil.FlagError
	var exitErr *cmdutil.ExitError
	switch {
	case errors.Is(err, cmdutil.ErrSilent):
		return cmdutil.ExitFailed
	case errors.As(err, &flagErr) || isCobraUsageError(err):
		fmt.Fprintf(stderr, "error: %s\n", err)
		if cmd != nil {
			fmt.Fprintf(stderr, "\n%s", cmd.UsageString())
		}
		return cmdutil.ExitUsage
	case errors.As(err, &exitErr):
		if exitErr.Err != nil {
			fmt.Fprintf(stderr, "error: %s\n", exitErr.Err)
		}
		return ExitCode(exitErr.Code)
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "cancelled")
		return cmdutil.ExitCancelled
	}
	fmt.Fprintf(stderr, "error: %s\n", err)
	return cmdutil.ExitFailed
}

// isCobraUsageError recognises the errors cobra makes itself for unknown
// commands and wrong argument counts.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command ", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "flag needs an argument", "invalid argument "} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func logPath(f *cmdutil.Factory) string {
	dir, err := f.StateDir()
	if err != nil {
		return "fogctl.log"
	}
	return filepath.Join(dir, "fogctl.log")
}

// logDebug appends the full error to the log file when FOGCTL_DEBUG is set.
// The log never holds secrets: secret types redact themselves.
func logDebug(f *cmdutil.Factory, args []string, err error) {
	if os.Getenv("FOGCTL_DEBUG") == "" {
		return
	}
	file, ferr := os.OpenFile(logPath(f), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if ferr != nil {
		return
	}
	defer file.Close()
	fmt.Fprintf(file, "%s fogctl %s: %+v\n", time.Now().UTC().Format(time.RFC3339), strings.Join(redactArgs(args), " "), err)
}

// redactArgs hides the values of flags that may carry secrets.
func redactArgs(args []string) []string {
	out := make([]string, len(args))
	hide := false
	for i, a := range args {
		switch {
		case hide:
			out[i] = "[redacted]"
			hide = false
		case strings.Contains(a, "token") || strings.Contains(a, "secret"):
			if k, _, ok := strings.Cut(a, "="); ok {
				out[i] = k + "=[redacted]"
			} else {
				out[i] = a
				hide = strings.HasPrefix(a, "-")
			}
		default:
			out[i] = a
		}
	}
	return out
}
