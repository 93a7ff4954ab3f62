package cmd

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

// TestTopCommandsMatch checks that each placeholder carries what help and
// "did you mean" read from the real command: when a command changes its
// Use, Aliases or Short, topCommands in root.go must follow.
func TestTopCommandsMatch(t *testing.T) {
	f, _, _ := testFactory(t)
	type meta struct {
		Use, Short, GroupID, Deprecated string
		Aliases, SuggestFor             []string
		Hidden, Available               bool
	}
	of := func(c *cobra.Command) meta {
		return meta{c.Use, c.Short, c.GroupID, c.Deprecated, c.Aliases, c.SuggestFor, c.Hidden, c.IsAvailableCommand()}
	}
	for _, tc := range topCommands {
		t.Run(tc.use, func(t *testing.T) {
			var stub cobra.Command
			tc.placeholder(&stub)
			if diff := cmp.Diff(of(tc.command(f)), of(&stub)); diff != "" {
				t.Errorf("placeholder of %q differs from the command: update topCommands in root.go (-command +placeholder):\n%s", tc.use, diff)
			}
		})
	}
}

// TestLazyTreeBuildsOne checks that a command line builds its own
// top-level command and leaves the others as placeholders, and that the
// lines that need the whole tree get it.
func TestLazyTreeBuildsOne(t *testing.T) {
	f, _, _ := testFactory(t)
	// built reports which top-level commands are real.
	placeholder := reflect.ValueOf(runPlaceholder).Pointer()
	built := func(root *cobra.Command) []string {
		var names []string
		for _, c := range root.Commands() {
			if c.RunE == nil || reflect.ValueOf(c.RunE).Pointer() != placeholder {
				names = append(names, c.Name())
			}
		}
		return names
	}
	all := built(NewCmdRoot(f))
	if len(all) != len(topCommands) {
		t.Fatalf("whole tree: %v built, want all %d", all, len(topCommands))
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"run", "pipeline.yaml", "--no-tui"}, []string{"run"}},
		{[]string{"--", "run", "pipeline.yaml"}, all},
		{[]string{"--no-tui", "run", "pipeline.yaml"}, all}, // cobra takes run for the flag's value
		{[]string{"--no-tui=true", "run", "pipeline.yaml"}, []string{"run"}},
		{[]string{"", "run", "pipeline.yaml"}, []string{"run"}},
		{[]string{"-v", "version"}, all}, // cobra takes version for the flag's value
		{[]string{"-o", "json", "run", "pipeline.yaml"}, []string{"run"}},
		{[]string{"context", "list"}, []string{"ctx"}},
		{[]string{"net", "--help"}, []string{"net"}},
		{[]string{"version", "-o", "json"}, []string{"version"}},
		{nil, all},
		{[]string{"--help"}, all},
		{[]string{"help", "run"}, all},
		{[]string{"completion", "bash"}, all},
		{[]string{"__complete", "run", ""}, all},
		{[]string{"__completeNoDesc", "r"}, all},
		{[]string{"rn"}, all},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if diff := cmp.Diff(tt.want, built(newCmdRootFor(f, tt.args, topCommands))); diff != "" {
				t.Errorf("built commands (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLazyTreeSameAsFull runs command lines on the tree Run builds for
// them and on the whole tree, and compares stdout, stderr and exit code
// byte for byte: help and usage of every command, `help X`, unknown
// commands and flags, bad flags, shell completion at several positions.
func TestLazyTreeSameAsFull(t *testing.T) {
	f, _, _ := testFactory(t)
	lines := [][]string{
		nil, {"--help"}, {"-h"}, {"help"}, {"--version"}, {"-v"},
		{"frobnicate"}, {"rn"}, {"ctx", "uze"}, {"runs", "lst"}, {"help", "frobnicate"},
		{"--frob"}, {"--frob", "run"}, {"--help", "run"}, {"-o", "json", "version"},
		{"--", "version"}, {"version", "--", "x"}, {"version", "extra"},
		{"version"}, {"version", "-o", "json"}, {"version", "-o", "yaml"}, {"version", "-o", "xml"},
		{"version", "--version"}, {"--no-tui", "run", "x.yaml"}, {"--no-tui=true", "run", "does-not-exist.yaml"},
		{"-o", "json", "run", "does-not-exist.yaml"}, {"--", "run", "x.yaml"}, {"context"}, {"", "run", "does-not-exist.yaml"},
		{"-v", "version"}, {"", ""}, {"-o=json", "version"},
		{"run"}, {"run", "a.yaml", "b.yaml"}, {"run", "--parallel", "x", "a.yaml"},
		{"run", "--parallel", "-1", "a.yaml"}, {"run", "--timeout", "-1s", "a.yaml"},
		{"run", "--input"}, {"run", "-o", "xml", "a.yaml"},
		{"run", "does-not-exist.yaml", "--no-tui"}, {"validate", "does-not-exist.yaml"},
		{"graph", "does-not-exist.yaml"}, {"graph", "--format", "png", "x.yaml"},
		{"completion"}, {"completion", "tcsh"}, {"completion", "bash"}, {"completion", "zsh"},
		{"completion", "fish"}, {"completion", "powershell"},
		{"__complete", ""}, {"__complete", "r"}, {"__complete", "-"}, {"__complete", "--"},
		{"__complete", "help", ""}, {"__complete", "completion", ""},
		{"__complete", "run", "--resume", ""}, {"__complete", "run", "-o", ""},
		{"__complete", "version", "-o", "j"}, {"__complete", "ctx", "use", ""},
		{"__completeNoDesc", ""}, {"__completeNoDesc", "ctx", ""}, {"__complete", "--frob", ""},
		{"__complete"},
	}
	// Every command and alias: help, -h, `help X`, an unknown flag, the
	// bare group commands, and completion of its arguments and flags.
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		for _, name := range append([]string{c.Name()}, c.Aliases...) {
			p := append(append([]string{}, path...), name)
			lines = append(lines,
				append(p, "--help"), append(p, "-h"), append([]string{"help"}, p...),
				append(p, "--frob"), append(p, "-Z"),
				append(append([]string{"__complete"}, p...), ""),
				append(append([]string{"__complete"}, p...), "-"),
				append(append([]string{"__completeNoDesc"}, p...), "--"),
			)
			if !c.Runnable() {
				lines = append(lines, p)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub, append(append([]string{}, path...), c.Name()))
		}
	}
	for _, c := range NewCmdRoot(f).Commands() {
		walk(c, nil)
	}
	type result struct {
		Code        ExitCode
		Out, ErrOut string
	}
	runLine := func(args []string, tty, full bool) result {
		ios, _, out, errOut := cmdutil.Test()
		ios.SetTTY(tty)
		g := *f
		g.IOStreams = ios
		newRoot := func() *cobra.Command { return newCmdRootFor(&g, args, topCommands) }
		if full {
			newRoot = func() *cobra.Command { return NewCmdRoot(&g) }
		}
		code := run(context.Background(), &g, args, newRoot)
		return result{code, out.String(), errOut.String()}
	}
	var usageErrors, helps int
	for _, args := range lines {
		for _, tty := range []bool{false, true} {
			name := fmt.Sprintf("%q/tty=%v", args, tty)
			full := runLine(args, tty, true)
			lazy := runLine(args, tty, false)
			if diff := cmp.Diff(full, lazy); diff != "" {
				t.Errorf("%s: lazy tree differs from the whole tree (-whole +lazy):\n%s", name, diff)
			}
			if full.Code == cmdutil.ExitUsage && strings.Contains(full.ErrOut, "Usage:") {
				usageErrors++
			}
			if full.Code == 0 && strings.Contains(full.Out, "Usage:") {
				helps++
			}
		}
	}
	// The table must reach what it claims to compare.
	if usageErrors < 100 || helps < 100 {
		t.Errorf("%d lines ended in a usage error and %d printed help: the table misses cases", usageErrors, helps)
	}
	t.Logf("%d command lines, each as pipe and as TTY: %d usage errors, %d helps", len(lines), usageErrors, helps)
}
