package ctxcmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// DeleteOptions are the parsed flags of `fogctl ctx delete`.
type DeleteOptions struct {
	IO         *cmdutil.IOStreams
	Kubeconfig func() (*cluster.Kubeconfig, error)
	Fleet      func() (*cluster.Fleet, error)
	Seen       func() (*cluster.Seen, error)
	// StateDir holds the previous context ('fogctl ctx use -'), which a
	// delete forgets when it names a deleted context.
	StateDir func() (string, error)
	Ctx      context.Context

	Names              []string
	WithClusterAndUser bool
}

// NewCmdDelete builds `fogctl ctx delete`.
func NewCmdDelete(f *cmdutil.Factory, runF func(*DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{IO: f.IOStreams, Fleet: cmdutil.FleetLoader(f), Seen: cmdutil.SeenLoader(f), StateDir: f.StateDir}
	cmd := &cobra.Command{
		Use:     "delete NAME...",
		Aliases: []string{"rm"},
		Short:   "Delete contexts (and, with a flag, their unused cluster and user)",
		Example: `  fogctl ctx delete bus-17
  fogctl ctx delete bus-17 --with-cluster-and-user`,
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeContexts(-1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Names = args
			opts.Kubeconfig = cmdutil.KubeconfigLoader(cmd)
			opts.Ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return deleteRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.WithClusterAndUser, "with-cluster-and-user", false, "Also delete the context's cluster and user when no other context uses them")
	return cmd
}

func deleteRun(opts *DeleteOptions) error {
	ctx := orBackground(opts.Ctx)
	k, err := opts.Kubeconfig()
	if err != nil {
		return err
	}
	var deleted []string
	wasCurrent := false
	err = k.Update(ctx, func(tx *cluster.Tx) error {
		for _, n := range opts.Names {
			if tx.Kubeconfig().Current() == n {
				wasCurrent = true
			}
			d, err := tx.Delete(n, opts.WithClusterAndUser)
			if err != nil {
				return fmt.Errorf("delete %q: %w", n, err)
			}
			deleted = append(deleted, d...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fleet, err := opts.Fleet()
	if err == nil {
		for _, n := range opts.Names {
			if err = fleet.Delete(ctx, n); err != nil {
				break
			}
		}
	}
	if err != nil {
		return fmt.Errorf("deleted %s from the kubeconfig, but not from the fleet file: %w", strings.Join(opts.Names, ", "), err)
	}
	seenFollows(opts.IO, opts.Seen, func(s *cluster.Seen) error {
		for _, n := range opts.Names {
			if err := s.Forget(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	if opts.StateDir != nil {
		if err := forgetPrevious(opts.StateDir, opts.Names); err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "warning: the previous context ('fogctl ctx use -'): %v\n", err)
		}
	}
	for _, d := range deleted {
		fmt.Fprintf(opts.IO.ErrOut, "✓ Deleted %s\n", d)
	}
	if wasCurrent {
		fmt.Fprintf(opts.IO.ErrOut, "! current-context still names %q, which no longer exists: run 'fogctl ctx use NAME'\n", k.Current())
	}
	return nil
}
