// Package netcmd implements `fogctl net`: the ZeroTier overlay.
package netcmd

import (
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdNet builds `fogctl net`.
func NewCmdNet(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "net", Short: "Drive the ZeroTier overlay (being built: issue #6)"}
}
