package runscmd

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/cmd/runcmd"
	"github.com/fogctl/fogctl/workflow"
	"github.com/fogctl/fogctl/workflow/runstore"
	"github.com/spf13/cobra"
)

// ShowOptions are the parsed flags of `fogctl runs show`.
type ShowOptions struct {
	IO       *cmdutil.IOStreams
	StateDir func() (string, error)
	Now      func() time.Time

	ID     string
	Output string
}

// NewCmdShow builds `fogctl runs show ID`.
func NewCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{IO: f.IOStreams, StateDir: f.StateDir, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one recorded run: its nodes, states, attempts, timings and errors",
		Long: `Show one recorded run: each node's state, attempts, start, duration and
error. ID is a run ID, a unique prefix of one, or "latest". A run still
going is shown as far as it got; a run whose process was killed shows
what its journal holds, as "interrupted".

-o json and -o yaml print the whole record, inputs and outputs included
(each capped at 256 KiB), with the run's input and the run it resumed.

Exit status: 0 shown, 2 ID names no run (or more than one), 1 the record
or the state directory cannot be read.`,
		Example: `  fogctl runs show latest
  fogctl runs show 20261123T021501-3f9a1c2d -o json | jq '.nodes[] | select(.state != "succeeded")'`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeRunID(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, &opts.Output, "json", "yaml")
	return cmd
}

func showRun(_ context.Context, opts *ShowOptions) error {
	store, err := openStore(opts.StateDir)
	if err != nil {
		return err
	}
	id, err := store.Resolve(opts.ID)
	if err != nil {
		// What was typed names no run (or several, or none is
		// recorded): a usage error, as for 'run --resume ID'.
		return cmdutil.WithExitCode(cmdutil.ExitUsage, err)
	}
	run, err := store.Load(id)
	if err != nil {
		return err
	}
	rec := run.Record
	if run.State != "" {
		rec.State = run.State
	}
	if run.State == runstore.StateInterrupted {
		// Its process died: no node of it is running any more.
		for _, n := range rec.Nodes {
			if n.State == workflow.StateRunning || n.State == workflow.StateRetrying {
				n.State = runstore.StateInterrupted
			}
		}
	}
	switch opts.Output {
	case "json":
		return cmdutil.PrintJSON(opts.IO.Out, runcmd.ShownRun{Record: rec, Input: run.Meta.Input, ResumedFrom: run.Meta.ResumedFrom})
	case "yaml":
		return cmdutil.PrintYAML(opts.IO.Out, runcmd.ShownRun{Record: rec, Input: run.Meta.Input, ResumedFrom: run.Meta.ResumedFrom})
	}
	tty := opts.IO.IsStdoutTTY()
	now := opts.Now()
	out := opts.IO.Out
	if tty {
		fmt.Fprintf(out, "Run %s · %s · %s\n", rec.ID, oneLine(rec.Workflow), rec.State)
		fmt.Fprintf(out, "File:     %s\n", oneLine(run.Meta.Workflow))
		started := cmdutil.FormatTime(true, now, run.Meta.Created)
		if !rec.Ended.IsZero() && !rec.Started.IsZero() {
			started += ", took " + cmdutil.FormatDuration(rec.Ended.Sub(rec.Started))
		}
		fmt.Fprintf(out, "Started:  %s\n", started)
		if run.Meta.ResumedFrom != "" {
			fmt.Fprintf(out, "Resumes:  %s\n", run.Meta.ResumedFrom)
		}
		if rec.Error != "" {
			fmt.Fprintf(out, "Error:    %s\n", oneLine(rec.Error))
		}
		if run.State == runstore.StateInterrupted {
			fmt.Fprintf(out, "Continue: fogctl run --resume %s\n", rec.ID)
		}
		fmt.Fprintln(out)
	} else {
		fmt.Fprintf(out, "run\t%s\t%s\t%s\t%s\t%s\t%s\n", rec.ID, oneLine(run.Meta.Workflow), rec.State,
			cmdutil.FormatTime(false, now, run.Meta.Created), took(false, rec.Started, rec.Ended), oneLine(rec.Error))
	}
	t := cmdutil.NewTable(opts.IO)
	if tty {
		t.Row("NODE", "STATE", "ATTEMPTS", "STARTED", "TOOK", "ERROR")
	}
	for _, n := range rec.Nodes {
		row := []string{n.Name, string(n.State), strconv.Itoa(len(n.Attempts)),
			cmdutil.FormatTime(tty, now, n.Started), took(tty, n.Started, n.Ended), nodeError(n)}
		if !tty {
			row = append([]string{"node"}, row...)
		}
		t.Row(row...)
	}
	return t.Flush()
}

// nodeError is a node's error, or for a node that succeeded after
// retries, what its failed attempts said.
func nodeError(n *workflow.NodeRecord) string {
	if n.Reused {
		if n.ReusedFrom == "" {
			return "reused"
		}
		return "reused from " + n.ReusedFrom
	}
	if n.Error != "" {
		return oneLine(n.Error)
	}
	var failed []string
	for _, a := range n.Attempts {
		if a.Error != "" {
			failed = append(failed, fmt.Sprintf("attempt %d: %s", a.N, oneLine(a.Error)))
		}
	}
	return strings.Join(failed, "; ")
}

func took(tty bool, start, end time.Time) string {
	if start.IsZero() || end.IsZero() {
		return ""
	}
	if tty {
		return cmdutil.FormatDuration(end.Sub(start))
	}
	return strconv.FormatInt(end.Sub(start).Milliseconds(), 10) + "ms"
}

// oneLine is s made safe for a terminal (workflow.SafeText: control
// characters become visible escapes) on one line: newlines and tabs
// become spaces. Errors come from nodes: an exec node's stderr, an HTTP
// response.
func oneLine(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		// A CR (a Windows program's CRLF, a progress line) is white
		// space here, as it was before SafeText, not a visible \x0d.
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	s = workflow.SafeText(s)
	if !strings.ContainsAny(s, "\t\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
