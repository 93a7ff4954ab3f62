package completioncmd

import (
	"io"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// Write writes root's completion script for shell to w.
func Write(root *cobra.Command, shell string, w io.Writer) error {
	switch shell {
	case "bash":
		return root.GenBashCompletionV2(w, true)
	case "zsh":
		return root.GenZshCompletion(w)
	case "fish":
		return root.GenFishCompletion(w, true)
	case "powershell":
		return root.GenPowerShellCompletionWithDesc(w)
	}
	return cmdutil.FlagErrorf("unknown shell %q: use bash, zsh, fish or powershell", shell)
}

// FileName is where the committed script for shell lives under completions/.
func FileName(shell string) string {
	switch shell {
	case "bash":
		return "fogctl.bash"
	case "zsh":
		return "_fogctl"
	case "fish":
		return "fogctl.fish"
	}
	return "fogctl.ps1"
}
