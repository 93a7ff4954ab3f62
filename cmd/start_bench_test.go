package cmd

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/cmd/runcmd"
	"github.com/spf13/cobra"
)

// BenchmarkStartRun measures what `fogctl run pipeline.yaml --no-tui`
// costs in process before the run starts: building the command tree,
// finding the command, parsing and checking its flags, up to runF. The
// tree Run builds (only `run` whole) and the whole tree are measured
// alternately in the same loop; ratio is lazy/whole (below 1 is faster),
// lazy-us and whole-us the mean of each.
func BenchmarkStartRun(b *testing.B) {
	ios, _, _, _ := cmdutil.Test()
	f := cmdutil.New("v0.0.0-bench")
	f.IOStreams = ios
	args := []string{"run", "pipeline.yaml", "--no-tui"}
	var started int
	top := slices.Clone(topCommands)
	for i := range top {
		if top[i].use == "run FILE" {
			top[i].build = func(f *cmdutil.Factory) *cobra.Command {
				return runcmd.NewCmdRun(f, func(opts *runcmd.RunOptions) error {
					if opts.File == "pipeline.yaml" && opts.NoTUI {
						started++
					}
					return nil
				})
			}
		}
	}
	lazy := func() *cobra.Command { return newCmdRootFor(f, args, top) }
	whole := func() *cobra.Command { return newCmdRootFull(f, top) }
	ctx := context.Background()
	timed := func(newRoot func() *cobra.Command) time.Duration {
		t0 := time.Now()
		if code := run(ctx, f, args, newRoot); code != 0 {
			b.Fatalf("exit %d", code)
		}
		return time.Since(t0)
	}
	var tl, tw time.Duration
	n := 0
	for b.Loop() {
		// Alternate which goes first, so both meet the same heap.
		if n%2 == 0 {
			tl += timed(lazy)
			tw += timed(whole)
		} else {
			tw += timed(whole)
			tl += timed(lazy)
		}
		n++
	}
	if started != 2*n {
		b.Fatalf("runF saw %d starts of pipeline.yaml --no-tui, want %d", started, 2*n)
	}
	b.ReportMetric(float64(tl)/float64(tw), "ratio")
	b.ReportMetric(float64(tl.Microseconds())/float64(n), "lazy-us")
	b.ReportMetric(float64(tw.Microseconds())/float64(n), "whole-us")
}
