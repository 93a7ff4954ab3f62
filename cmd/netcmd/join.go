package netcmd

import (
	"context"
	"fmt"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/spf13/cobra"
)

// JoinOptions are the inputs of `fogctl net join` and `fogctl net leave`.
type JoinOptions struct {
	IO        *cmdutil.IOStreams
	Client    func() (*netoverlay.Client, error)
	ConfigDir func() (string, error)

	Leave     bool
	NetworkID string
	Context   string
	Output    string
}

// NewCmdJoin builds `fogctl net join`.
func NewCmdJoin(f *cmdutil.Factory, z *ztFlags, runF func(*JoinOptions) error) *cobra.Command {
	opts := &JoinOptions{IO: f.IOStreams, Client: z.clientFunc(f), ConfigDir: f.ConfigDir}
	cmd := &cobra.Command{
		Use:   "join NWID",
		Short: "Join this machine to a network",
		Long: `Join this machine to a network, as 'zerotier-cli join' does. The node's
member id (its ZeroTier address) is printed on stdout: authorize it on the
controller, then 'fogctl net wait NWID' returns its address.`,
		Example: `  fogctl net join 8056c2e21c000001
  fogctl net join 8056c2e21c000001 --context bus-17`,
		Args: exactArgs("NWID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.NetworkID = normID(args[0])
			if cmd.Flags().Changed("context") {
				if err := validContextName(opts.Context); err != nil {
					return cmdutil.FlagErrorf("%v", err)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return joinRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Context, "context", "", "Record this node's member id under this kubeconfig context in the fleet file")
	cmdutil.AddOutputFlag(cmd, &opts.Output, "json", "yaml")
	return cmd
}

// NewCmdLeave builds `fogctl net leave`.
func NewCmdLeave(f *cmdutil.Factory, z *ztFlags, runF func(*JoinOptions) error) *cobra.Command {
	opts := &JoinOptions{IO: f.IOStreams, Client: z.clientFunc(f), ConfigDir: f.ConfigDir, Leave: true}
	cmd := &cobra.Command{
		Use:               "leave NWID",
		Short:             "Make this machine leave a network",
		Example:           `  fogctl net leave 8056c2e21c000001`,
		Args:              exactArgs("NWID"),
		ValidArgsFunction: completeJoined(f, z),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.NetworkID = normID(args[0])
			if runF != nil {
				return runF(opts)
			}
			return joinRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func joinRun(ctx context.Context, opts *JoinOptions) error {
	c, err := clientFor(opts.Client, opts.NetworkID)
	if err != nil {
		return err
	}
	if opts.Leave {
		if err := c.Leave(ctx, opts.NetworkID); err != nil {
			return netErr(err)
		}
		fmt.Fprintf(opts.IO.ErrOut, "✓ Left network %s\n", opts.NetworkID)
		return nil
	}
	st, err := c.Status(ctx)
	if err != nil {
		return netErr(err)
	}
	n, err := c.Join(ctx, opts.NetworkID)
	if err != nil {
		return netErr(err)
	}
	switch opts.Output {
	case "json":
		err = cmdutil.PrintJSON(opts.IO.Out, newJoinedRecord(n))
	case "yaml":
		err = cmdutil.PrintYAML(opts.IO.Out, newJoinedRecord(n))
	default:
		fmt.Fprintln(opts.IO.Out, st.Address)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "✓ Joined network %s as member %s (status %s, device %s)\n", n.ID, st.Address, n.Status, orDash(n.PortDeviceName))
	if n.Status != netoverlay.StatusOK {
		fmt.Fprintf(opts.IO.ErrOut, "  next, on the controller: fogctl net authorize %s %s --ip auto\n", n.ID, st.Address)
	}
	if opts.Context != "" {
		path, others, err := recordFleet(ctx, opts.ConfigDir, opts.Context, n.ID, st.Address, firstIP(n.AssignedAddresses))
		if err != nil {
			return err
		}
		recordedLines(opts.IO.ErrOut, path, opts.Context, n.ID, st.Address, "", others)
	}
	return nil
}
