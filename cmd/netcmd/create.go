package netcmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/spf13/cobra"
)

// CreateOptions are the inputs of `fogctl net create`.
type CreateOptions struct {
	IO     *cmdutil.IOStreams
	Client func() (*netoverlay.Client, error)

	Name    string
	CIDRs   []string
	Private bool
	Output  string
}

// NewCmdCreate builds `fogctl net create`.
func NewCmdCreate(f *cmdutil.Factory, z *ztFlags, runF func(*CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{IO: f.IOStreams, Client: z.clientFunc(f)}
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a network on the controller, with its address range",
		Long: `Create a network on the ZeroTier controller of this machine (the fog
server). Each --cidr becomes an address pool (every address but the
network and broadcast addresses) and a managed route; the controller then
assigns addresses from it to nodes that ask; without --cidr, add a range
later with 'fogctl net pool add'. The new network id is printed on stdout.`,
		Example: `  fogctl net create fleet --cidr 10.147.15.0/24
  NWID=$(fogctl net create depot --cidr 10.147.16.0/24)`,
		Args: exactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if strings.TrimSpace(opts.Name) == "" {
				return cmdutil.FlagErrorf("the network name is empty")
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringSliceVar(&opts.CIDRs, "cidr", nil, "Address range of the network, like 10.147.15.0/24 (repeatable)")
	cmd.Flags().BoolVar(&opts.Private, "private", true, "Members need authorization (--private=false makes a public network anyone can join)")
	cmdutil.AddOutputFlag(cmd, &opts.Output, "json", "yaml")
	return cmd
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	// Refuse bad ranges before reaching the service.
	for _, c := range opts.CIDRs {
		if _, err := netoverlay.ParsePoolCIDR(c); err != nil {
			return netErr(err)
		}
	}
	c, err := opts.Client()
	if err != nil {
		return err
	}
	n, err := c.CreateNetwork(ctx, netoverlay.NetworkSpec{Name: opts.Name, Private: opts.Private, CIDRs: opts.CIDRs})
	if err != nil {
		return netErr(err)
	}
	switch opts.Output {
	case "json":
		return cmdutil.PrintJSON(opts.IO.Out, newNetworkRecord(n))
	case "yaml":
		return cmdutil.PrintYAML(opts.IO.Out, newNetworkRecord(n))
	}
	fmt.Fprintln(opts.IO.Out, n.ID)
	access := "private"
	if !n.Private {
		access = "public"
	}
	with := strings.Join(opts.CIDRs, ", ")
	if with == "" {
		with = "no address range yet (add one with 'fogctl net pool add " + n.ID + " CIDR')"
	}
	fmt.Fprintf(opts.IO.ErrOut, "✓ Created %s network %q (%s) with %s\n", access, n.Name, n.ID, with)
	return nil
}
