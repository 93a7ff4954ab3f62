// Package runscmd implements `fogctl runs list|show`.
package runscmd

import (
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/cmd/runcmd"
	"github.com/spf13/cobra"
)

// NewCmdRuns builds `fogctl runs`.
func NewCmdRuns(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "runs <command>",
		Short: "List and show recorded runs",
		Long: `Every 'fogctl run' is recorded under the state directory
($XDG_STATE_HOME/fogctl/runs, by default ~/.local/state/fogctl/runs): its
nodes, states, attempts, timings, inputs and outputs (capped in size) and
errors. The newest 200 runs are kept.`,
	}
	cmd.AddCommand(NewCmdList(f, nil), NewCmdShow(f, nil))
	return cmd
}

// completeRunID completes the first argument with recorded run IDs.
func completeRunID(f *cmdutil.Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return runcmd.RunIDs(f), cobra.ShellCompDirectiveNoFileComp
	}
}
