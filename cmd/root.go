package cmd

import (
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/cmd/completioncmd"
	"github.com/fogctl/fogctl/cmd/ctxcmd"
	"github.com/fogctl/fogctl/cmd/dashcmd"
	"github.com/fogctl/fogctl/cmd/democmd"
	"github.com/fogctl/fogctl/cmd/netcmd"
	"github.com/fogctl/fogctl/cmd/runcmd"
	"github.com/fogctl/fogctl/cmd/runscmd"
	"github.com/fogctl/fogctl/cmd/versioncmd"
	"github.com/spf13/cobra"
)

// NewCmdRoot builds the whole command tree.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "fogctl <command>",
		Short: "Run workflows and manage fleets of small Kubernetes clusters at the edge",
		Long: `fogctl runs workflows on a goroutine-per-node DAG engine, manages kubeconfig
contexts for a fleet of edge clusters, and drives the ZeroTier overlay they share.`,
		Example: `  fogctl demo                  # run the built-in air-quality pipeline
  fogctl run pipeline.yaml     # run a workflow
  fogctl ctx status -l role=edge
  fogctl net members 8056c2e21c000001 --pending`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       f.Version,
	}
	root.SetVersionTemplate("fogctl {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &cmdutil.FlagError{Err: err}
	})
	root.CompletionOptions.DisableDefaultCmd = true

	root.AddGroup(
		&cobra.Group{ID: "workflow", Title: "Workflows:"},
		&cobra.Group{ID: "fleet", Title: "Fleet:"},
	)
	for _, c := range []*cobra.Command{
		runcmd.NewCmdRun(f, nil),
		runcmd.NewCmdValidate(f, nil),
		runcmd.NewCmdGraph(f, nil),
		runscmd.NewCmdRuns(f),
		democmd.NewCmdDemo(f, nil),
	} {
		c.GroupID = "workflow"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{
		ctxcmd.NewCmdCtx(f),
		netcmd.NewCmdNet(f),
		dashcmd.NewCmdDash(f, nil),
	} {
		c.GroupID = "fleet"
		root.AddCommand(c)
	}
	root.AddCommand(versioncmd.NewCmdVersion(f), completioncmd.NewCmdCompletion(f))
	return root
}
