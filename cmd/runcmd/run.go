// Package runcmd implements `fogctl run`, `fogctl validate` and `fogctl graph`.
package runcmd

import (
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// RunOptions are the parsed flags of `fogctl run`.
type RunOptions struct {
	IO   *cmdutil.IOStreams
	File string
}

// NewCmdRun builds `fogctl run FILE`.
func NewCmdRun(f *cmdutil.Factory, runF func(*RunOptions) error) *cobra.Command {
	return &cobra.Command{Use: "run FILE", Short: "Run a workflow (being built: issue #3)"}
}

// NewCmdValidate builds `fogctl validate FILE`.
func NewCmdValidate(f *cmdutil.Factory, runF func(*RunOptions) error) *cobra.Command {
	return &cobra.Command{Use: "validate FILE", Short: "Check a workflow file (being built: issue #3)"}
}

// NewCmdGraph builds `fogctl graph FILE`.
func NewCmdGraph(f *cmdutil.Factory, runF func(*RunOptions) error) *cobra.Command {
	return &cobra.Command{Use: "graph FILE", Short: "Draw a workflow's DAG (being built: issue #3)"}
}
