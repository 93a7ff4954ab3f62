// Package democmd implements `fogctl demo`.
package democmd

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/cmd/runcmd"
	"github.com/fogctl/fogctl/internal/demo"
	"github.com/fogctl/fogctl/workflow"
	"github.com/spf13/cobra"
)

// demoFile names the demo's workflow in problems and in its run record.
const demoFile = "air-quality.yaml"

// printedNote heads the file --print-workflow prints: the services it
// names stop as fogctl exits.
const printedNote = `# Printed by 'fogctl demo --print-workflow': the URLs below name ports of
# demo services that stopped when that command exited; nothing answers
# there now. For services that stay up, and this file saved with their
# ports, run 'fogctl demo --keep'.
`

// DemoOptions are the parsed flags of `fogctl demo`.
type DemoOptions struct {
	IO         *cmdutil.IOStreams
	HTTPClient func() (*http.Client, error)
	StateDir   func() (string, error)
	Live       runcmd.LiveFunc
	// WaitSignals returns once SIGINT and SIGTERM cancel the demo rather
	// than end the process; nil waits for nothing.
	WaitSignals func()

	Keep          bool
	PrintWorkflow bool
	NoTUI         bool
}

// NewCmdDemo builds `fogctl demo`.
func NewCmdDemo(f *cmdutil.Factory, runF func(*DemoOptions) error) *cobra.Command {
	opts := &DemoOptions{IO: f.IOStreams, HTTPClient: f.HTTPClient, StateDir: f.StateDir, WaitSignals: f.WaitSignals}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the built-in air-quality pipeline",
		Long: `Start the built-in air-quality services on 127.0.0.1 (ephemeral ports) and
run their pipeline as 'fogctl run' would: two sensor readers in parallel,
clean (which answers 503 once and succeeds on retry), aggregate, then store
and report in parallel. The run is recorded like any other
('fogctl runs show latest'). The services stop when the run ends, unless
--keep is given.

--print-workflow prints the pipeline's file and exits: its URLs name the
ports of services that stop as it exits, so nothing answers there. To run
the file yourself, use --keep: the services stay up and the file is saved
with their ports.`,
		Example: `  fogctl demo
  fogctl demo --print-workflow > air-quality.yaml
  fogctl demo --keep`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return demoRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Keep, "keep", false, "Keep the services running after the run, with the workflow saved to a file, until Ctrl-C")
	cmd.Flags().BoolVar(&opts.PrintWorkflow, "print-workflow", false, "Print the demo's workflow file and exit without running it")
	cmd.Flags().BoolVar(&opts.NoTUI, "no-tui", false, "Print one line per state change even on a terminal")
	return cmd
}

func demoRun(ctx context.Context, opts *DemoOptions) (err error) {
	svc, err := demo.Start(demo.DefaultOptions())
	if err != nil {
		return err
	}
	defer func() {
		if cerr := svc.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("stop demo services: %w", cerr)
		}
	}()
	data := svc.Workflow()
	if opts.PrintWorkflow {
		_, err := opts.IO.Out.Write(append([]byte(printedNote), data...))
		return err
	}
	wf, err := workflow.Parse(demoFile, data)
	if err != nil {
		return fmt.Errorf("demo workflow: %w", err) // a bug: the file is built in
	}
	fmt.Fprintf(opts.IO.ErrOut, "Demo services on %s: %s, %d nodes (clean fails once, then succeeds on retry)\n",
		svc.URL, wf.Name, len(wf.Nodes))
	ropts := &runcmd.RunOptions{
		IO:          opts.IO,
		HTTPClient:  opts.HTTPClient,
		StateDir:    opts.StateDir,
		Live:        opts.Live,
		NoTUI:       opts.NoTUI,
		WaitSignals: opts.WaitSignals,
	}
	if ropts.Live == nil {
		ropts.Live = runcmd.DefaultLive
	}
	job := runcmd.Job{Path: "fogctl-demo/" + demoFile, Data: data, Workflow: wf}
	runID, err := runcmd.Execute(ctx, ropts, job)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "✓ Demo run recorded: fogctl runs show %s\n", runID)
	if opts.Keep {
		return keep(ctx, opts, svc, data)
	}
	return nil
}

// keep saves the workflow to a file and serves until Ctrl-C, so the
// operator can run it again with `fogctl run`.
func keep(ctx context.Context, opts *DemoOptions, svc *demo.Services, data []byte) error {
	dir, err := os.MkdirTemp("", "fogctl-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, demoFile)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Services stay up on %s. Run the pipeline again with:\n  fogctl run %s\nPress Ctrl-C to stop them.\n", svc.URL, path)
	<-ctx.Done()
	return nil
}
