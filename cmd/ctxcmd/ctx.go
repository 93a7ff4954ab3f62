package ctxcmd

import (
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdCtx builds `fogctl ctx`.
func NewCmdCtx(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "ctx <command>",
		Aliases: []string{"context"},
		Short:   "List, switch, label and merge kubeconfig contexts",
		Long: `Manage the kubeconfig contexts of the fleet, one per cluster.

fogctl reads kubeconfig files as kubectl does (--kubeconfig, else the files
of $KUBECONFIG merged, else ~/.kube/config) and writes each change into the
file that defines the entry. It edits files in place: comments, order, exec
plugins and fields it does not know survive. Every write is locked (kubectl's
config.lock included, so a kubectl config command at the same moment fails
rather than loses a change), atomic and leaves one backup (config.fogctl.bak).

Labels (role=edge, line=12) live in fogctl's fleet file, not in the
kubeconfig; commands that act on several contexts select them with
-l SELECTOR or --contexts a,b.`,
		Example: `  fogctl ctx list -l role=edge
  fogctl ctx use bus-17
  fogctl ctx use -
  fogctl ctx import k3s.yaml --name bus-17 --server https://10.147.17.21:6443
  fogctl ctx label bus-17 role=edge line=12`,
	}
	cmdutil.AddKubeconfigFlag(cmd)
	cmd.AddCommand(
		NewCmdList(f, nil),
		NewCmdUse(f, nil),
		NewCmdCurrent(f, nil),
		NewCmdRename(f, nil),
		NewCmdDelete(f, nil),
		NewCmdNs(f, nil),
		NewCmdMerge(f, nil),
		NewCmdImport(f, nil),
		NewCmdLabel(f, nil),
		NewCmdStatus(f, nil),
	)
	return cmd
}

// completeContexts completes context names for the first positional argument.
func completeContexts(max int) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if max >= 0 && len(args) >= max {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return cmdutil.CompleteContextNames(cmd, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}
