package ctxcmd

import (
	"fmt"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// CurrentOptions are the parsed flags of `fogctl ctx current`.
type CurrentOptions struct {
	IO         *cmdutil.IOStreams
	Kubeconfig func() (*cluster.Kubeconfig, error)
}

// NewCmdCurrent builds `fogctl ctx current`.
func NewCmdCurrent(f *cmdutil.Factory, runF func(*CurrentOptions) error) *cobra.Command {
	opts := &CurrentOptions{IO: f.IOStreams}
	return &cobra.Command{
		Use:     "current",
		Short:   "Print the current context",
		Example: `  kubectl --context "$(fogctl ctx current)" get nodes`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Kubeconfig = cmdutil.KubeconfigLoader(cmd)
			if runF != nil {
				return runF(opts)
			}
			k, err := opts.Kubeconfig()
			if err != nil {
				return err
			}
			if k.Current() == "" {
				return fmt.Errorf("current-context is not set (run 'fogctl ctx use NAME')")
			}
			fmt.Fprintln(opts.IO.Out, k.Current())
			return nil
		},
	}
}
