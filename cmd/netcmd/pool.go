package netcmd

import (
	"context"
	"fmt"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/spf13/cobra"
)

// PoolOptions are the inputs of `fogctl net pool add|rm`.
type PoolOptions struct {
	IO       *cmdutil.IOStreams
	Client   func() (*netoverlay.Client, error)
	StateDir func() (string, error) // the lock's fallback where there is no flock (Windows)

	Remove    bool
	NetworkID string
	CIDR      string
}

// NewCmdPool builds `fogctl net pool` and its add and rm commands; each
// calls runF, if a test gave one, with its parsed options.
func NewCmdPool(f *cmdutil.Factory, z *ztFlags, runF func(*PoolOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pool <command>",
		Short: "Add or remove an address range of a network",
	}
	cmd.AddCommand(newCmdPoolVerb(f, z, false, runF), newCmdPoolVerb(f, z, true, runF))
	return cmd
}

func newCmdPoolVerb(f *cmdutil.Factory, z *ztFlags, remove bool, runF func(*PoolOptions) error) *cobra.Command {
	opts := &PoolOptions{IO: f.IOStreams, Client: z.clientFunc(f), StateDir: f.StateDir, Remove: remove}
	cmd := &cobra.Command{
		Use:               "add NWID CIDR",
		Short:             "Add an address range: a pool of its addresses and a route to it",
		Example:           `  fogctl net pool add 8056c2e21c000001 10.147.16.0/24`,
		Args:              exactArgs("NWID", "CIDR"),
		ValidArgsFunction: completeNetworks(f, z),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.NetworkID, opts.CIDR = normID(args[0]), args[1]
			if runF != nil {
				return runF(opts)
			}
			return poolRun(cmd.Context(), opts)
		},
	}
	if remove {
		cmd.Use = "rm NWID CIDR"
		cmd.Aliases = []string{"remove"}
		cmd.Short = "Remove an address range added with 'pool add'"
		cmd.Example = `  fogctl net pool rm 8056c2e21c000001 10.147.16.0/24`
	}
	return cmd
}

func poolRun(ctx context.Context, opts *PoolOptions) error {
	if err := netoverlay.ValidateNetworkID(opts.NetworkID); err != nil {
		return netErr(err)
	}
	parse := netoverlay.ParsePoolCIDR
	if opts.Remove {
		parse = netoverlay.ParseCIDR // a default route added elsewhere may go
	}
	p, err := parse(opts.CIDR)
	if err != nil {
		return netErr(err)
	}
	c, err := opts.Client()
	if err != nil {
		return err
	}
	lock, err := lockNetwork(ctx, opts.StateDir, c, opts.NetworkID)
	if err != nil {
		return err
	}
	defer lock.unlock()
	check := "fogctl net show " + opts.NetworkID
	pool := netoverlay.PoolFor(p)
	if opts.Remove {
		if _, err := c.RemovePool(ctx, opts.NetworkID, opts.CIDR); err != nil {
			return netErr(err)
		}
		fmt.Fprintf(opts.IO.ErrOut, "✓ Removed %s from network %s (pool %s-%s and its route); members keep addresses already assigned\n", p, opts.NetworkID, pool.Start, pool.End)
		return lock.kept(opts.NetworkID, "removed pool "+opts.CIDR, check)
	}
	if _, err := c.AddPool(ctx, opts.NetworkID, opts.CIDR); err != nil {
		return netErr(err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "✓ Added %s to network %s (pool %s-%s, route %s)\n", p, opts.NetworkID, pool.Start, pool.End, p)
	return lock.kept(opts.NetworkID, "added pool "+opts.CIDR, check)
}
