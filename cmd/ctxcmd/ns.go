package ctxcmd

import (
	"context"
	"fmt"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// NsOptions are the parsed flags of `fogctl ctx ns`.
type NsOptions struct {
	IO         *cmdutil.IOStreams
	Kubeconfig func() (*cluster.Kubeconfig, error)
	Ctx        context.Context

	// Namespace to set; Show prints the current one instead.
	Namespace string
	Show      bool
	// Context to change ("" = the current context).
	Context string
}

// NewCmdNs builds `fogctl ctx ns`.
func NewCmdNs(f *cmdutil.Factory, runF func(*NsOptions) error) *cobra.Command {
	opts := &NsOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "ns [NAMESPACE]",
		Short: "Set (or print) the default namespace of a context",
		Example: `  fogctl ctx ns sensors
  fogctl ctx ns sensors --context bus-17
  fogctl ctx ns`,
		Args: cobra.MaximumNArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				opts.Show = true
			} else {
				opts.Namespace = args[0]
			}
			opts.Kubeconfig = cmdutil.KubeconfigLoader(cmd)
			opts.Ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return nsRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Context, "context", "", "Context to change (default: the current context)")
	_ = cmd.RegisterFlagCompletionFunc("context", completeContexts(-1))
	return cmd
}

func nsRun(opts *NsOptions) error {
	k, err := opts.Kubeconfig()
	if err != nil {
		return err
	}
	name := opts.Context
	if name == "" {
		name = k.Current()
		if name == "" {
			return fmt.Errorf("current-context is not set: name one with --context or run 'fogctl ctx use NAME'")
		}
	}
	if opts.Show {
		c, ok := k.Context(name)
		if !ok {
			return &cluster.NotFoundError{Kind: "context", Name: name}
		}
		ns := c.Namespace
		if ns == "" {
			ns = "default"
		}
		fmt.Fprintln(opts.IO.Out, ns)
		return nil
	}
	err = k.Update(orBackground(opts.Ctx), func(tx *cluster.Tx) error { return tx.SetNamespace(name, opts.Namespace) })
	if err != nil {
		return fmt.Errorf("set the namespace of %q: %w", name, err)
	}
	if opts.Namespace == "" {
		fmt.Fprintf(opts.IO.ErrOut, "✓ Removed the namespace of context %s (kubectl uses \"default\")\n", name)
		return nil
	}
	fmt.Fprintf(opts.IO.ErrOut, "✓ Context %s now uses namespace %s\n", name, opts.Namespace)
	return nil
}
