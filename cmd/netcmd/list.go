package netcmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"
)

// ListOptions are the inputs of `fogctl net list`.
type ListOptions struct {
	IO     *cmdutil.IOStreams
	Client func() (*netoverlay.Client, error)
	Now    func() time.Time

	Output string
}

// NewCmdList builds `fogctl net list`.
func NewCmdList(f *cmdutil.Factory, z *ztFlags, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams, Client: z.clientFunc(f), Now: f.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the controller's networks",
		Example: `  fogctl net list
  fogctl net list -o json | jq -r '.[].id'`,
		Args: exactArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, &opts.Output, "json", "yaml")
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	c, err := opts.Client()
	if err != nil {
		return err
	}
	ids, err := c.ControllerNetworks(ctx)
	if err != nil {
		return netErr(err)
	}
	records := make([]networkRecord, len(ids))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, id := range ids {
		g.Go(func() error {
			n, err := c.ControllerNetwork(gctx, id)
			if err != nil {
				return err
			}
			revs, err := c.MemberRevisions(gctx, id)
			if err != nil {
				return err
			}
			records[i] = newNetworkRecord(n)
			records[i].Members = len(revs)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return netErr(err)
	}
	switch opts.Output {
	case "json":
		return cmdutil.PrintJSON(opts.IO.Out, records)
	case "yaml":
		return cmdutil.PrintYAML(opts.IO.Out, records)
	}
	tty := opts.IO.IsStdoutTTY()
	if len(records) == 0 {
		if tty {
			fmt.Fprintln(opts.IO.ErrOut, "No networks on this controller (create one with 'fogctl net create NAME --cidr 10.147.15.0/24')")
		}
		return nil
	}
	t := newTable(opts.IO)
	if tty {
		t.Row("NETWORK", "NAME", "ACCESS", "RANGE", "MEMBERS", "CREATED")
	}
	now := opts.Now()
	for _, r := range records {
		t.Row(r.ID, orDash(r.Name), access(r.Private), orDash(ranges(r.Routes)), itoa(r.Members), cmdutil.FormatTime(tty, now, r.Created))
	}
	return t.Flush()
}

func access(private bool) string {
	if private {
		return "private"
	}
	return "public"
}

func ranges(routes []netoverlay.Route) string {
	s := make([]string, 0, len(routes))
	for _, r := range routes {
		if r.Via != nil && *r.Via != "" {
			s = append(s, r.Target+" via "+*r.Via)
			continue
		}
		s = append(s, r.Target)
	}
	return strings.Join(s, ",")
}

// ShowOptions are the inputs of `fogctl net show`.
type ShowOptions struct {
	IO     *cmdutil.IOStreams
	Client func() (*netoverlay.Client, error)
	Now    func() time.Time

	NetworkID string
	Output    string
}

// NewCmdShow builds `fogctl net show`.
func NewCmdShow(f *cmdutil.Factory, z *ztFlags, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{IO: f.IOStreams, Client: z.clientFunc(f), Now: f.Now}
	cmd := &cobra.Command{
		Use:               "show NWID",
		Short:             "Show a controller network: address pools, routes, members",
		Example:           `  fogctl net show 8056c2e21c000001`,
		Args:              exactArgs("NWID"),
		ValidArgsFunction: completeNetworks(f, z),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.NetworkID = normID(args[0])
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, &opts.Output, "json", "yaml")
	return cmd
}

func showRun(ctx context.Context, opts *ShowOptions) error {
	c, err := clientFor(opts.Client, opts.NetworkID)
	if err != nil {
		return err
	}
	n, err := c.ControllerNetwork(ctx, opts.NetworkID)
	if err != nil {
		return netErr(err)
	}
	members, err := c.Members(ctx, opts.NetworkID)
	if err != nil {
		return netErr(err)
	}
	r := newNetworkRecord(n)
	authorized, pending := 0, 0
	for _, m := range members {
		if m.Pending() {
			pending++
		} else {
			authorized++
		}
	}
	r.Members, r.Authorized, r.Pending = len(members), &authorized, &pending
	switch opts.Output {
	case "json":
		return cmdutil.PrintJSON(opts.IO.Out, r)
	case "yaml":
		return cmdutil.PrintYAML(opts.IO.Out, r)
	}
	tty := opts.IO.IsStdoutTTY()
	pools := make([]string, len(r.Pools))
	for i, p := range r.Pools {
		pools[i] = p.Start + "-" + p.End
	}
	assign := "no (addresses only as set with 'fogctl net authorize --ip')"
	if r.AssignIPv4 {
		assign = "from the pools"
	}
	t := newTable(opts.IO)
	t.Row("ID:", r.ID)
	t.Row("Name:", orDash(r.Name))
	t.Row("Access:", access(r.Private))
	t.Row("IPv4 assignment:", assign)
	t.Row("Pools:", orDash(strings.Join(pools, ",")))
	t.Row("Routes:", orDash(ranges(r.Routes)))
	t.Row("Members:", fmt.Sprintf("%d (%d authorized, %d pending)", r.Members, authorized, pending))
	t.Row("Created:", cmdutil.FormatTime(tty, opts.Now(), r.Created))
	t.Row("Revision:", itoa(r.Revision))
	return t.Flush()
}
