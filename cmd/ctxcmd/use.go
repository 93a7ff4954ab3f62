package ctxcmd

import (
	"context"
	"fmt"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// UseOptions are the parsed flags of `fogctl ctx use`.
type UseOptions struct {
	IO         *cmdutil.IOStreams
	Kubeconfig func() (*cluster.Kubeconfig, error)
	StateDir   func() (string, error)
	Ctx        context.Context

	// Name is the context to switch to; "-" is the previous one.
	Name string
}

// NewCmdUse builds `fogctl ctx use`.
func NewCmdUse(f *cmdutil.Factory, runF func(*UseOptions) error) *cobra.Command {
	opts := &UseOptions{IO: f.IOStreams, StateDir: f.StateDir}
	cmd := &cobra.Command{
		Use:   "use NAME | -",
		Short: "Switch the current context ('-' switches back)",
		Example: `  fogctl ctx use bus-17
  fogctl ctx use -`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeContexts(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			opts.Kubeconfig = cmdutil.KubeconfigLoader(cmd)
			opts.Ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return useRun(opts)
		},
	}
	return cmd
}

func useRun(opts *UseOptions) error {
	ctx := opts.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	name := opts.Name
	if name == "-" {
		prev, err := readPrevious(opts.StateDir)
		if err != nil {
			return fmt.Errorf("read the previous context: %w", err)
		}
		if prev == "" {
			return fmt.Errorf("no previous context: fogctl remembers it after 'fogctl ctx use NAME'")
		}
		name = prev
	}
	k, err := opts.Kubeconfig()
	if err != nil {
		return err
	}
	var before string
	err = k.Update(ctx, func(tx *cluster.Tx) error {
		before = tx.Kubeconfig().Current()
		return tx.Use(name)
	})
	if err != nil {
		return fmt.Errorf("switch to %q: %w", name, err)
	}
	if before != "" && before != name {
		if err := writePrevious(opts.StateDir, before); err != nil {
			return fmt.Errorf("switched to %q, but could not remember the previous context: %w", name, err)
		}
	}
	fmt.Fprintf(opts.IO.ErrOut, "✓ Switched to context %s\n", name)
	return nil
}
