package runcmd

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/workflow"
	"github.com/spf13/cobra"
)

// NewCmdGraph builds `fogctl graph FILE`.
func NewCmdGraph(f *cmdutil.Factory, runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "graph FILE",
		Short: "Draw a workflow's DAG",
		Long: `Draw a workflow's DAG: as Graphviz DOT (the default), or as text, one node
a line by topological layer: layer 0 holds the nodes without
dependencies, layer k those whose deepest dependency is in layer k-1.
The file is validated first, as 'fogctl validate' does.`,
		Example: `  fogctl graph pipeline.yaml | dot -Tsvg > pipeline.svg
  fogctl graph pipeline.yaml --format text`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeWorkflowFile,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if opts.Format != "dot" && opts.Format != "text" {
				return cmdutil.FlagErrorf("unknown --format %q: use dot or text", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return graphRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "dot", "Output format: dot|text")
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"dot", "text"}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func graphRun(_ context.Context, opts *RunOptions) error {
	job, err := loadJob(opts.IO, opts.File)
	if err != nil {
		return err
	}
	if opts.Format == "text" {
		return graphText(opts.IO, job.Workflow)
	}
	return graphDOT(opts.IO.Out, job.Workflow)
}

// graphDOT writes wf as a Graphviz digraph: one box per node labelled with
// its name and action, one edge per dependency, ranked left to right.
func graphDOT(w io.Writer, wf *workflow.Workflow) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "digraph %s {\n", strconv.Quote(wf.Name))
	fmt.Fprintln(bw, "  rankdir=LR;")
	fmt.Fprintln(bw, `  node [shape=box, fontname="monospace"];`)
	for _, n := range wf.Nodes {
		label := `"` + dotEscape(n.Name) + `\n` + dotEscape(action(n)) + `"`
		fmt.Fprintf(bw, "  %s [label=%s];\n", strconv.Quote(n.Name), label)
	}
	for _, n := range wf.Nodes {
		for _, d := range n.Dependencies {
			fmt.Fprintf(bw, "  %s -> %s;\n", strconv.Quote(d), strconv.Quote(n.Name))
		}
	}
	fmt.Fprintln(bw, "}")
	return bw.Flush()
}

// dotEscape escapes s for a DOT label (an escString, where a backslash
// starts an escape such as \n or \N): backslashes and double quotes.
func dotEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// action is what a node does, in a few words: "http GET", "exec sh", "noop".
func action(n *workflow.Node) string {
	switch {
	case n.HTTP != nil:
		return n.Kind + " " + n.HTTP.Method
	case n.Exec != nil && len(n.Exec.Argv) > 0:
		return n.Kind + " " + n.Exec.Argv[0]
	}
	return n.Kind
}

// graphText writes one node a line by layer: LAYER, NODE, ACTION, DEPENDS
// ON. On a terminal the columns are aligned with a header and the layer
// number is written once per layer; otherwise every line is complete and
// tab-separated, dependencies joined by commas.
func graphText(ios *cmdutil.IOStreams, wf *workflow.Workflow) error {
	tty := ios.IsStdoutTTY()
	t := cmdutil.NewTable(ios)
	if tty {
		t.Row("LAYER", "NODE", "ACTION", "DEPENDS ON")
	}
	for i, layer := range wf.Layers() {
		for k, name := range layer {
			n := wf.Node(name)
			num := strconv.Itoa(i)
			deps := strings.Join(n.Dependencies, ",")
			if tty {
				deps = strings.Join(n.Dependencies, ", ")
				if k > 0 {
					num = ""
				}
			}
			t.Row(num, name, action(n), deps)
		}
	}
	return t.Flush()
}
