package runscmd

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/workflow"
	"github.com/fogctl/fogctl/workflow/runstore"
	"github.com/spf13/cobra"
)

// ListOptions are the parsed flags of `fogctl runs list`.
type ListOptions struct {
	IO       *cmdutil.IOStreams
	StateDir func() (string, error)
	Now      func() time.Time

	Output string
}

// NewCmdList builds `fogctl runs list`.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams, StateDir: f.StateDir, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List recorded runs, newest first",
		Long: `List recorded runs, newest first: ID, workflow, state, nodes succeeded of
all, when it started and how long it took. A run whose process was killed
is "interrupted"; continue it with 'fogctl run --resume ID'.`,
		Example: `  fogctl runs list
  fogctl runs list -o json | jq -r '.[] | select(.state == "failed") | .id'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, &opts.Output, "json", "yaml")
	return cmd
}

// openStore opens the run store for reading: list and show create no
// directory.
func openStore(stateDir func() (string, error)) (*runstore.Store, error) {
	dir, err := stateDir()
	if err != nil {
		return nil, fmt.Errorf("find the state directory: %w", err)
	}
	return runstore.OpenRead(dir), nil
}

func listRun(_ context.Context, opts *ListOptions) error {
	store, err := openStore(opts.StateDir)
	if err != nil {
		return err
	}
	runs, err := store.List()
	if err != nil {
		return err
	}
	switch opts.Output {
	case "json":
		return cmdutil.PrintJSON(opts.IO.Out, runs)
	case "yaml":
		return cmdutil.PrintYAML(opts.IO.Out, runs)
	}
	tty := opts.IO.IsStdoutTTY()
	if len(runs) == 0 {
		if tty {
			fmt.Fprintln(opts.IO.ErrOut, "No runs recorded yet. Try 'fogctl demo'.")
		}
		return nil
	}
	t := cmdutil.NewTable(opts.IO)
	if tty {
		t.Row("ID", "WORKFLOW", "STATE", "NODES", "STARTED", "TOOK")
	}
	now := opts.Now()
	for _, r := range runs {
		took := ""
		if !r.Finished.IsZero() {
			took = cmdutil.FormatDuration(r.Finished.Sub(r.Created))
			if !tty {
				took = strconv.FormatInt(r.Finished.Sub(r.Created).Milliseconds(), 10) + "ms"
			}
		}
		wf := workflow.SafeText(r.Workflow)
		if tty {
			wf = filepath.Base(wf)
		}
		nodes := fmt.Sprintf("%d/%d", r.Succeeded, r.Nodes)
		state := string(r.State)
		if r.Retried > 0 && tty {
			state += fmt.Sprintf(" (%d retried)", r.Retried)
		}
		t.Row(r.ID, wf, state, nodes, cmdutil.FormatTime(tty, now, r.Created), took)
	}
	return t.Flush()
}
