// Package ctxcmd implements `fogctl ctx`: kubeconfig contexts of the fleet.
package ctxcmd

import (
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdCtx builds `fogctl ctx`.
func NewCmdCtx(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "ctx", Aliases: []string{"context"}, Short: "Manage kubeconfig contexts (being built: issue #4)"}
}
