package runcmd

import (
	"context"
	"fmt"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdValidate builds `fogctl validate FILE`.
func NewCmdValidate(f *cmdutil.Factory, runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{IO: f.IOStreams}
	return &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a workflow file without running it",
		Long: `Check a workflow file: its syntax, every node's fields, that names are
unique, that dependencies exist and that there is no cycle. Every problem
is printed, one a line, as FILE:LINE: node "NAME": FIELD: MESSAGE, and
fogctl exits 2. A valid file exits 0; what it is warned about (keys a
plain DAG file does not know, which are ignored) is printed as
FILE:LINE: warning: ..., for validate and run alike.`,
		Example: `  fogctl validate pipeline.yaml
  fogctl validate dag.json && fogctl run dag.json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeWorkflowFile,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return validateRun(cmd.Context(), opts)
		},
	}
}

func validateRun(_ context.Context, opts *RunOptions) error {
	job, err := loadJob(opts.IO, opts.File)
	if err != nil {
		return err
	}
	warned := ""
	if n := len(job.Workflow.Warnings); n > 0 {
		warned = " (" + plural(n, "warning") + ")"
	}
	fmt.Fprintf(opts.IO.ErrOut, "✓ %s: %s, %s%s\n", opts.File,
		plural(len(job.Workflow.Nodes), "node"), plural(len(job.Workflow.Layers()), "layer"), warned)
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
