package netcmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/spf13/cobra"
)

// StatusOptions are the inputs of `fogctl net status`.
type StatusOptions struct {
	IO     *cmdutil.IOStreams
	Client func() (*netoverlay.Client, error)

	Output string
}

// NewCmdStatus builds `fogctl net status`.
func NewCmdStatus(f *cmdutil.Factory, z *ztFlags, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IOStreams, Client: z.clientFunc(f)}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show this node and the networks it joined",
		Long: `Show this node's address and the networks it joined with their status,
type, device and assigned addresses: what 'zerotier-cli listnetworks'
shows. A network waits in REQUESTING_CONFIGURATION, then ACCESS_DENIED
until the controller authorizes the node, then shows OK.`,
		Example: `  fogctl net status
  fogctl net status -o json`,
		Args: exactArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, &opts.Output, "json", "yaml")
	return cmd
}

func statusRun(ctx context.Context, opts *StatusOptions) error {
	c, err := opts.Client()
	if err != nil {
		return err
	}
	st, err := c.Status(ctx)
	if err != nil {
		return netErr(err)
	}
	nets, err := c.Networks(ctx)
	if err != nil {
		return netErr(err)
	}
	r := statusRecord{Address: st.Address, Online: st.Online, Version: st.Version, Networks: []joinedRecord{}}
	for _, n := range nets {
		r.Networks = append(r.Networks, newJoinedRecord(n))
	}
	switch opts.Output {
	case "json":
		return cmdutil.PrintJSON(opts.IO.Out, r)
	case "yaml":
		return cmdutil.PrintYAML(opts.IO.Out, r)
	}
	tty := opts.IO.IsStdoutTTY()
	if tty {
		online := "online"
		if !st.Online {
			online = "OFFLINE"
		}
		fmt.Fprintf(opts.IO.ErrOut, "Node %s, %s, ZeroTier %s\n", st.Address, online, st.Version)
		if len(r.Networks) == 0 {
			fmt.Fprintln(opts.IO.ErrOut, "No networks joined (join one with 'fogctl net join NWID')")
			return nil
		}
	}
	t := newTable(opts.IO)
	if tty {
		t.Row("NETWORK", "NAME", "STATUS", "TYPE", "DEVICE", "ADDRESSES")
	}
	for _, n := range r.Networks {
		t.Row(n.ID, orDash(n.Name), n.Status, orDash(n.Type), orDash(n.Device), orDash(strings.Join(n.Addresses, ",")))
	}
	return t.Flush()
}
