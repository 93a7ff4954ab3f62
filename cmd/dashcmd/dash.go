// Package dashcmd implements `fogctl dash`, the fleet dashboard.
package dashcmd

import (
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// DashOptions are the parsed flags of `fogctl dash`.
type DashOptions struct{ IO *cmdutil.IOStreams }

// NewCmdDash builds `fogctl dash`.
func NewCmdDash(f *cmdutil.Factory, runF func(*DashOptions) error) *cobra.Command {
	return &cobra.Command{Use: "dash", Short: "Fleet dashboard (being built: issue #5)"}
}
