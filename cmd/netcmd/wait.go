package netcmd

import (
	"context"
	"fmt"
	"time"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/spf13/cobra"
)

// WaitOptions are the inputs of `fogctl net wait`.
type WaitOptions struct {
	IO        *cmdutil.IOStreams
	Client    func() (*netoverlay.Client, error)
	ConfigDir func() (string, error)

	NetworkID string
	Timeout   time.Duration
	Interval  time.Duration
	Context   string
}

// NewCmdWait builds `fogctl net wait`.
func NewCmdWait(f *cmdutil.Factory, z *ztFlags, runF func(*WaitOptions) error) *cobra.Command {
	opts := &WaitOptions{IO: f.IOStreams, Client: z.clientFunc(f), ConfigDir: f.ConfigDir}
	cmd := &cobra.Command{
		Use:   "wait NWID",
		Short: "Wait until this node is on a network with an address, and print it",
		Long: `Wait until the network shows OK on this node and has an address, then
print the address on stdout. It polls the local service once a second and
gives up after --timeout, naming the last status (ACCESS_DENIED: the node
is not authorized yet). A network the controller does not know fails at
once.`,
		Example: `  fogctl net wait 8056c2e21c000001
  IP=$(fogctl net wait 8056c2e21c000001 --timeout 5m --context bus-17)`,
		Args:              exactArgs("NWID"),
		ValidArgsFunction: completeJoined(f, z),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.NetworkID = normID(args[0])
			if opts.Timeout <= 0 {
				return cmdutil.FlagErrorf("--timeout must be positive, got %s", opts.Timeout)
			}
			if opts.Interval <= 0 {
				return cmdutil.FlagErrorf("--interval must be positive, got %s", opts.Interval)
			}
			if cmd.Flags().Changed("context") {
				if err := validContextName(opts.Context); err != nil {
					return cmdutil.FlagErrorf("%v", err)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return waitRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 2*time.Minute, "Give up after this long")
	cmd.Flags().DurationVar(&opts.Interval, "interval", time.Second, "Time between two looks at the service")
	_ = cmd.Flags().MarkHidden("interval")
	cmd.Flags().StringVar(&opts.Context, "context", "", "Record this node's member id and address under this kubeconfig context in the fleet file")
	return cmd
}

func waitRun(ctx context.Context, opts *WaitOptions) error {
	c, err := clientFor(opts.Client, opts.NetworkID)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	tick := time.NewTicker(opts.Interval)
	defer tick.Stop()
	last := ""
	for {
		n, err := c.Network(wctx, opts.NetworkID)
		switch {
		case err == nil:
			last = n.Status
			if n.Status == netoverlay.StatusOK && len(n.AssignedAddresses) > 0 {
				return waitDone(ctx, opts, c, n)
			}
			if n.Status == netoverlay.StatusNotFound {
				return fmt.Errorf("network %s: the controller says it does not exist (NOT_FOUND)", opts.NetworkID)
			}
		case wctx.Err() != nil && ctx.Err() == nil:
			// The overall deadline cut a request short: report below.
		default:
			return netErr(err)
		}
		select {
		case <-wctx.Done():
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return waitTimeout(opts, last)
		case <-tick.C:
		}
	}
}

func waitTimeout(opts *WaitOptions, last string) error {
	hint := ""
	switch last {
	case netoverlay.StatusAccessDenied:
		hint = ": the node is not authorized (on the controller: fogctl net authorize " + opts.NetworkID + " MEMBER --ip auto)"
	case netoverlay.StatusOK:
		hint = ": authorized but no address assigned (fogctl net authorize " + opts.NetworkID + " MEMBER --ip auto)"
	case netoverlay.StatusRequestingConfiguration:
		hint = ": the controller has not answered"
	}
	if last == "" {
		last = "unknown"
	}
	return fmt.Errorf("network %s not ready after %s: status %s%s", opts.NetworkID, opts.Timeout, last, hint)
}

func waitDone(ctx context.Context, opts *WaitOptions, c *netoverlay.Client, n netoverlay.JoinedNetwork) error {
	ip := firstIP(n.AssignedAddresses)
	fmt.Fprintln(opts.IO.Out, ip)
	if opts.Context == "" {
		return nil
	}
	st, err := c.Status(ctx)
	if err != nil {
		return netErr(err)
	}
	path, others, err := recordFleet(ctx, opts.ConfigDir, opts.Context, n.ID, st.Address, ip)
	if err != nil {
		return err
	}
	recordedLines(opts.IO.ErrOut, path, opts.Context, n.ID, st.Address, " ("+ip+")", others)
	return nil
}
