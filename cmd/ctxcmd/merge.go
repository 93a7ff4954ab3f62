package ctxcmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// MergeOptions are the parsed flags of `fogctl ctx merge`.
type MergeOptions struct {
	IO         *cmdutil.IOStreams
	Kubeconfig func() (*cluster.Kubeconfig, error)
	Ctx        context.Context

	Files           []string
	RenameConflicts bool
	Overwrite       bool
}

// NewCmdMerge builds `fogctl ctx merge`.
func NewCmdMerge(f *cmdutil.Factory, runF func(*MergeOptions) error) *cobra.Command {
	opts := &MergeOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "merge FILE...",
		Short: "Add the clusters, users and contexts of other kubeconfig files",
		Long: `Add the clusters, users and contexts of other kubeconfig files.

A stanza that exists with the same content is left alone. One that exists
with other content is an error naming both, unless --rename-conflicts adds
it as NAME-2 (and points the merged contexts at it) or --overwrite replaces
the existing one. Relative certificate paths are made absolute.`,
		Example: `  fogctl ctx merge ~/Downloads/bus-2*.yaml
  fogctl ctx merge depot.yaml --rename-conflicts`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.RenameConflicts && opts.Overwrite {
				return cmdutil.FlagErrorf("--rename-conflicts and --overwrite cannot be used together")
			}
			opts.Files = args
			opts.Kubeconfig = cmdutil.KubeconfigLoader(cmd)
			opts.Ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return mergeRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.RenameConflicts, "rename-conflicts", false, "Add conflicting stanzas under a new name (NAME-2)")
	cmd.Flags().BoolVar(&opts.Overwrite, "overwrite", false, "Replace existing stanzas that differ")
	return cmd
}

func mergeRun(opts *MergeOptions) error {
	k, err := opts.Kubeconfig()
	if err != nil {
		return err
	}
	policy := cluster.MergeRefuse
	switch {
	case opts.Overwrite:
		policy = cluster.MergeOverwrite
	case opts.RenameConflicts:
		policy = cluster.MergeRenameConflicts
	}
	var results []cluster.MergeResult
	err = k.Update(orBackground(opts.Ctx), func(tx *cluster.Tx) error {
		for _, f := range opts.Files {
			r, err := tx.Merge(f, policy)
			var fe *cluster.FileError
			if errors.As(err, &fe) && fe.File == f && fe.Line == 0 {
				// Not "merge f: f: no such file".
				return fmt.Errorf("merge %s: %s", f, fe.Msg)
			}
			if err != nil {
				return fmt.Errorf("merge %s: %w", f, err)
			}
			results = append(results, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, r := range results {
		var parts []string
		if len(r.Added) > 0 {
			parts = append(parts, "added "+strings.Join(r.Added, ", "))
		}
		if len(r.Renamed) > 0 {
			parts = append(parts, "renamed "+strings.Join(r.Renamed, ", "))
		}
		if len(r.Replaced) > 0 {
			parts = append(parts, "replaced "+strings.Join(r.Replaced, ", "))
		}
		if len(r.Unchanged) > 0 {
			p := fmt.Sprintf("%d already present", len(r.Unchanged))
			if len(r.PresentAs) > 0 {
				p += " (" + strings.Join(r.PresentAs, ", ") + ")"
			}
			parts = append(parts, p)
		}
		if len(parts) == 0 {
			parts = append(parts, "nothing to merge")
		}
		fmt.Fprintf(opts.IO.ErrOut, "✓ Merged %s: %s\n", opts.Files[i], strings.Join(parts, "; "))
	}
	return nil
}
