// Package runscmd implements `fogctl runs list|show`.
package runscmd

import (
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdRuns builds `fogctl runs`.
func NewCmdRuns(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "runs", Short: "List and show recorded runs (being built: issue #3)"}
}
