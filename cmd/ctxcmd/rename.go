package ctxcmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// RenameOptions are the parsed flags of `fogctl ctx rename`.
type RenameOptions struct {
	IO         *cmdutil.IOStreams
	Kubeconfig func() (*cluster.Kubeconfig, error)
	Fleet      func() (*cluster.Fleet, error)
	Seen       func() (*cluster.Seen, error)
	// StateDir holds the previous context ('fogctl ctx use -'), which
	// follows the rename.
	StateDir func() (string, error)
	Ctx      context.Context

	Old string
	New string
}

// NewCmdRename builds `fogctl ctx rename`.
func NewCmdRename(f *cmdutil.Factory, runF func(*RenameOptions) error) *cobra.Command {
	opts := &RenameOptions{IO: f.IOStreams, Fleet: cmdutil.FleetLoader(f), Seen: cmdutil.SeenLoader(f), StateDir: f.StateDir}
	return &cobra.Command{
		Use:   "rename OLD NEW | OLD=NEW",
		Short: "Rename a context (its fleet labels follow)",
		Example: `  fogctl ctx rename default bus-17
  fogctl ctx rename default=bus-17`,
		Args: cobra.RangeArgs(1, 2),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return cmdutil.CompleteContextNames(cmd, toComplete), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				old, new, ok := strings.Cut(args[0], "=")
				if !ok {
					return cmdutil.FlagErrorf("rename needs OLD NEW or OLD=NEW")
				}
				opts.Old, opts.New = old, new
			} else {
				opts.Old, opts.New = args[0], args[1]
			}
			if opts.Old == "" || opts.New == "" {
				return cmdutil.FlagErrorf("rename needs two non-empty names")
			}
			opts.Kubeconfig = cmdutil.KubeconfigLoader(cmd)
			opts.Ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return renameRun(opts)
		},
	}
}

func renameRun(opts *RenameOptions) error {
	ctx := orBackground(opts.Ctx)
	k, err := opts.Kubeconfig()
	if err != nil {
		return err
	}
	if err := k.Update(ctx, func(tx *cluster.Tx) error { return tx.Rename(opts.Old, opts.New) }); err != nil {
		return fmt.Errorf("rename %q: %w", opts.Old, err)
	}
	fleet, err := opts.Fleet()
	if err == nil {
		err = fleet.Rename(ctx, opts.Old, opts.New)
	}
	if err != nil {
		return fmt.Errorf("renamed %q to %q in the kubeconfig, but its fleet labels stayed behind: %w", opts.Old, opts.New, err)
	}
	seenFollows(opts.IO, opts.Seen, func(s *cluster.Seen) error { return s.Rename(ctx, opts.Old, opts.New) })
	if opts.StateDir != nil {
		if prev, err := readPrevious(opts.StateDir); err != nil || prev == opts.Old {
			if err == nil {
				err = writePrevious(opts.StateDir, opts.New)
			}
			if err != nil {
				fmt.Fprintf(opts.IO.ErrOut, "warning: the previous context ('fogctl ctx use -'): %v\n", err)
			}
		}
	}
	fmt.Fprintf(opts.IO.ErrOut, "✓ Renamed context %s to %s\n", opts.Old, opts.New)
	return nil
}

// seenFollows applies a rename or delete to the last-seen times. They are
// a convenience, not the user's data: a failure is a warning.
func seenFollows(io *cmdutil.IOStreams, load func() (*cluster.Seen, error), fn func(*cluster.Seen) error) {
	if load == nil {
		return
	}
	seen, err := load()
	if err == nil {
		err = fn(seen)
	}
	if err != nil {
		fmt.Fprintf(io.ErrOut, "warning: last-seen times: %v\n", err)
	}
}

func orBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}
