// Package completioncmd implements `fogctl completion`: shell completion
// scripts for bash, zsh, fish and PowerShell. Dynamic completions (context
// names, node names, label keys) come from each command's
// ValidArgsFunction, so the scripts stay small and never go stale on data.
package completioncmd

import (
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// Shells lists the shells fogctl writes completion scripts for.
var Shells = []string{"bash", "zsh", "fish", "powershell"}

// NewCmdCompletion builds `fogctl completion SHELL`.
func NewCmdCompletion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `Print a shell completion script. Contexts, workflow node names and label
keys complete too.`,
		Example: `  source <(fogctl completion bash)
  fogctl completion zsh > "${fpath[1]}/_fogctl"
  fogctl completion fish > ~/.config/fish/completions/fogctl.fish`,
		ValidArgs: Shells,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.FlagErrorf("name one shell: bash, zsh, fish or powershell")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return Write(cmd.Root(), args[0], f.IOStreams.Out)
		},
	}
}
