package cmd

import (
	"errors"
	"fmt"
	"slices"
	"strings"

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

// topCommand is one top-level command: what `fogctl --help`, `fogctl help`
// and cobra's "did you mean" read from it, and how to build it.
// TestTopCommandsMatch checks that use, aliases and short are the built
// command's own.
type topCommand struct {
	use     string
	aliases []string
	short   string
	group   string
	build   func(*cmdutil.Factory) *cobra.Command
	// wholeTree marks a command that reads the rest of the tree
	// (`completion` writes every command and flag into its script).
	wholeTree bool
	// signalsLate marks a command that Run need not hold until SIGINT
	// and SIGTERM are registered: it changes nothing a signal could cut
	// short, or it waits for the registration itself before it does
	// (run, before its nodes start). Every other command waits first.
	signalsLate bool
}

// topCommands lists the top-level commands in the order they are added.
var topCommands = []topCommand{
	{use: "run FILE", short: "Run a workflow", group: "workflow", signalsLate: true,
		build: func(f *cmdutil.Factory) *cobra.Command { return runcmd.NewCmdRun(f, nil) }},
	{use: "validate FILE", short: "Check a workflow file without running it", group: "workflow", signalsLate: true,
		build: func(f *cmdutil.Factory) *cobra.Command { return runcmd.NewCmdValidate(f, nil) }},
	{use: "graph FILE", short: "Draw a workflow's DAG", group: "workflow", signalsLate: true,
		build: func(f *cmdutil.Factory) *cobra.Command { return runcmd.NewCmdGraph(f, nil) }},
	{use: "runs <command>", short: "List and show recorded runs", group: "workflow", signalsLate: true,
		build: runscmd.NewCmdRuns},
	{use: "demo", short: "Run the built-in air-quality pipeline", group: "workflow",
		build: func(f *cmdutil.Factory) *cobra.Command { return democmd.NewCmdDemo(f, nil) }},
	{use: "ctx <command>", aliases: []string{"context"}, short: "List, switch, label and merge kubeconfig contexts", group: "fleet",
		build: ctxcmd.NewCmdCtx},
	{use: "net <command>", short: "Drive the ZeroTier overlay: networks, members, joining nodes", group: "fleet",
		build: netcmd.NewCmdNet},
	{use: "dash", short: "Fleet dashboard: contexts with live probes, recent runs, ZeroTier join requests", group: "fleet",
		build: func(f *cmdutil.Factory) *cobra.Command { return dashcmd.NewCmdDash(f, nil) }},
	{use: "version", short: "Print fogctl's version", signalsLate: true,
		build: versioncmd.NewCmdVersion},
	{use: "completion bash|zsh|fish|powershell", short: "Print a shell completion script", signalsLate: true,
		build: completioncmd.NewCmdCompletion, wholeTree: true},
}

// NewCmdRoot builds the whole command tree.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	return newCmdRootFull(f, topCommands)
}

func newCmdRootFull(f *cmdutil.Factory, top []topCommand) *cobra.Command {
	root := newCmdRootAlone(f)
	for _, tc := range top {
		root.AddCommand(tc.command(f))
	}
	return root
}

// newCmdRootFor builds the tree one command line needs, as start-up counts
// (fogctl runs from cron): the top-level command args select is built
// whole, the others are placeholders that carry what help and suggestions
// read from them. No command, an unknown one, `help`, shell completion
// (`__complete`) and `completion` get the whole tree. Help, usage, errors,
// completions and exit codes are the whole tree's, byte for byte
// (TestLazyTreeSameAsFull).
func newCmdRootFor(f *cmdutil.Factory, args []string, top []topCommand) *cobra.Command {
	return newCmdRootSelected(f, top, selected(f, args, top))
}

// newCmdRootSelected is newCmdRootFor once the command is known: top[sel],
// or none when sel < 0.
func newCmdRootSelected(f *cmdutil.Factory, top []topCommand, sel int) *cobra.Command {
	if sel < 0 || top[sel].wholeTree {
		return newCmdRootFull(f, top)
	}
	root := newCmdRootAlone(f)
	stubs := make([]cobra.Command, len(top))
	for i, tc := range top {
		if i == sel {
			root.AddCommand(tc.command(f))
			continue
		}
		tc.placeholder(&stubs[i])
		root.AddCommand(&stubs[i])
	}
	return root
}

// selected returns the index in top of the command that cobra's ExecuteC
// will find for args, or -1 for none.
func selected(f *cmdutil.Factory, args []string, top []topCommand) int {
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' && !cobra.EnablePrefixMatching && !cobra.EnableCaseInsensitive {
		// The first word is the command: cobra matches its exact name
		// or an alias.
		for i, tc := range top {
			if name, _, _ := strings.Cut(tc.use, " "); name == args[0] || slices.Contains(tc.aliases, args[0]) {
				return i
			}
		}
		return -1
	}
	// Flags before the command: cobra's own search, on a root with the
	// same flags and the placeholders, skips them as ExecuteC will.
	probe := newCmdRootAlone(f)
	stubs := make([]cobra.Command, len(top))
	for i, tc := range top {
		tc.placeholder(&stubs[i])
		probe.AddCommand(&stubs[i])
	}
	found, _, err := probe.Find(args)
	if err != nil {
		return -1
	}
	for i := range stubs {
		if &stubs[i] == found {
			return i
		}
	}
	return -1
}

// newCmdRootAlone builds the root command without its subcommands.
func newCmdRootAlone(f *cmdutil.Factory) *cobra.Command {
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
	return root
}

// command builds the real command.
func (tc topCommand) command(f *cmdutil.Factory) *cobra.Command {
	c := tc.build(f)
	c.GroupID = tc.group
	requireSubcommand(c)
	return c
}

// requireSubcommand makes each command of c's tree that only groups
// others (ctx, net, net ip, runs...) refuse a word that names none of
// them, as the root does: an error with cobra's suggestions, exit 2.
// Cobra would print the group's help and exit 0, so a typo in a cron
// line passed for success. Alone, the group prints its help, as before.
func requireSubcommand(c *cobra.Command) {
	for _, sub := range c.Commands() {
		requireSubcommand(sub)
	}
	if !c.HasSubCommands() || c.Runnable() {
		return
	}
	c.Args = cobra.ArbitraryArgs
	// Its usage stays that of a group: "fogctl ctx [command]", without
	// the use line a runnable command gets. Its subcommands inherit the
	// template and keep theirs.
	c.SetUsageTemplate(strings.Replace(c.UsageTemplate(), "{{if .Runnable}}\n  {{.UseLine}}{{end}}", "{{if and .Runnable (not .HasAvailableSubCommands)}}\n  {{.UseLine}}{{end}}", 1))
	c.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return c.Help()
		}
		if args[0] == "help" {
			// `fogctl ctx help [use]`, as `fogctl help ctx [use]`.
			if target, rest, err := c.Find(args[1:]); err == nil && len(rest) == 0 {
				return target.Help()
			}
			args = args[1:]
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
		if c.SuggestionsMinimumDistance <= 0 {
			c.SuggestionsMinimumDistance = 2 // as cobra's for the root
		}
		if s := c.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
		}
		return &cmdutil.FlagError{Err: errors.New(msg)}
	}
}

// placeholder makes c stand in for the command in a tree built for
// another one. It is runnable, as the real command is or has runnable
// subcommands, so that it would be listed the same; it never runs.
func (tc topCommand) placeholder(c *cobra.Command) {
	c.Use = tc.use
	c.Aliases = tc.aliases
	c.Short = tc.short
	c.GroupID = tc.group
	c.RunE = runPlaceholder
}

func runPlaceholder(c *cobra.Command, _ []string) error {
	return fmt.Errorf("internal error: %s ran as a placeholder", c.Name())
}
