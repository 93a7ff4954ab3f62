// Package democmd implements `fogctl demo`.
package democmd

import (
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// DemoOptions are the parsed flags of `fogctl demo`.
type DemoOptions struct{ IO *cmdutil.IOStreams }

// NewCmdDemo builds `fogctl demo`.
func NewCmdDemo(f *cmdutil.Factory, runF func(*DemoOptions) error) *cobra.Command {
	return &cobra.Command{Use: "demo", Short: "Run the built-in air-quality pipeline (being built: issue #3)"}
}
