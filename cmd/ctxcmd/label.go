package ctxcmd

import (
	"context"
	"fmt"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// LabelOptions are the parsed flags of `fogctl ctx label`.
type LabelOptions struct {
	IO         *cmdutil.IOStreams
	Kubeconfig func() (*cluster.Kubeconfig, error)
	Fleet      func() (*cluster.Fleet, error)
	Ctx        context.Context

	// Name is the context to label ("" when Selector or Contexts pick them).
	Name     string
	Selector string
	Contexts []string
	Set      map[string]string
	Remove   []string
}

// NewCmdLabel builds `fogctl ctx label`.
func NewCmdLabel(f *cmdutil.Factory, runF func(*LabelOptions) error) *cobra.Command {
	opts := &LabelOptions{IO: f.IOStreams, Fleet: cmdutil.FleetLoader(f)}
	cmd := &cobra.Command{
		Use:   "label NAME KEY=VALUE... | KEY-...",
		Short: "Set or remove fleet labels of contexts",
		Long: `Set (KEY=VALUE) or remove (KEY-) labels of a context. Labels live in
fogctl's fleet file, not in the kubeconfig. With -l or --contexts, every
argument is a label and every selected context is changed.`,
		Example: `  fogctl ctx label bus-17 role=edge line=12
  fogctl ctx label bus-17 line-
  fogctl ctx label -l line=12 depot=north`,
		Args: cobra.MinimumNArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 && opts.Selector == "" && len(opts.Contexts) == 0 {
				return cmdutil.CompleteContextNames(cmd, toComplete), cobra.ShellCompDirectiveNoFileComp
			}
			return cmdutil.CompleteSelector(f, toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Selector == "" && len(opts.Contexts) == 0 {
				if len(args) < 2 {
					return cmdutil.FlagErrorf("label needs a context and at least one KEY=VALUE or KEY-")
				}
				opts.Name, args = args[0], args[1:]
			}
			set, remove, err := cluster.ParseLabelArgs(args)
			if err != nil {
				return cmdutil.FlagErrorf("%s", err)
			}
			opts.Set, opts.Remove = set, remove
			opts.Kubeconfig = cmdutil.KubeconfigLoader(cmd)
			opts.Ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return labelRun(opts)
		},
	}
	cmdutil.AddSelectorFlags(f, cmd, &opts.Selector, &opts.Contexts)
	return cmd
}

func labelRun(opts *LabelOptions) error {
	names := opts.Contexts
	if opts.Name != "" {
		names = []string{opts.Name}
	}
	k, fleet, sel, err := cmdutil.SelectContexts(opts.Kubeconfig, opts.Fleet, opts.Selector, names)
	if err != nil {
		return err
	}
	for _, c := range sel {
		if err := k.DuplicateContext(c.Name); err != nil {
			return err
		}
	}
	if len(sel) == 0 {
		return fmt.Errorf("no context matches %q", opts.Selector)
	}
	err = fleet.Update(orBackground(opts.Ctx), func(entries map[string]*cluster.FleetEntry) error {
		for _, c := range sel {
			e := entries[c.Name]
			if e == nil {
				e = &cluster.FleetEntry{}
				entries[c.Name] = e
			}
			if e.Labels == nil {
				e.Labels = map[string]string{}
			}
			for k, v := range opts.Set {
				e.Labels[k] = v
			}
			for _, k := range opts.Remove {
				delete(e.Labels, k)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("label: %w", err)
	}
	for _, c := range sel {
		fmt.Fprintf(opts.IO.ErrOut, "✓ Labeled %s: %s\n", c.Name, formatLabels(fleet.Entry(c.Name).Labels))
	}
	return nil
}
