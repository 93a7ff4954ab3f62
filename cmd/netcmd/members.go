package netcmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/spf13/cobra"
)

// MembersOptions are the inputs of `fogctl net members`.
type MembersOptions struct {
	IO     *cmdutil.IOStreams
	Client func() (*netoverlay.Client, error)
	Now    func() time.Time

	NetworkID string
	Pending   bool
	Output    string
}

// NewCmdMembers builds `fogctl net members`.
func NewCmdMembers(f *cmdutil.Factory, z *ztFlags, runF func(*MembersOptions) error) *cobra.Command {
	opts := &MembersOptions{IO: f.IOStreams, Client: z.clientFunc(f), Now: f.Now}
	cmd := &cobra.Command{
		Use:   "members NWID",
		Short: "List the members of a network, pending and authorized",
		Long: `List the members of a network. A pending member is a node that joined and
waits for authorization ('fogctl net authorize').`,
		Example: `  fogctl net members 8056c2e21c000001
  fogctl net members 8056c2e21c000001 --pending`,
		Args:              exactArgs("NWID"),
		ValidArgsFunction: completeNetworks(f, z),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.NetworkID = normID(args[0])
			if runF != nil {
				return runF(opts)
			}
			return membersRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Pending, "pending", false, "Only members waiting for authorization")
	cmdutil.AddOutputFlag(cmd, &opts.Output, "json", "yaml")
	return cmd
}

func membersRun(ctx context.Context, opts *MembersOptions) error {
	c, err := clientFor(opts.Client, opts.NetworkID)
	if err != nil {
		return err
	}
	members, err := c.Members(ctx, opts.NetworkID)
	if err != nil {
		return netErr(err)
	}
	records := []memberRecord{}
	for _, m := range members {
		if opts.Pending && !m.Pending() {
			continue
		}
		records = append(records, newMemberRecord(m))
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
			what := "members"
			if opts.Pending {
				what = "pending members"
			}
			fmt.Fprintf(opts.IO.ErrOut, "No %s in network %s\n", what, opts.NetworkID)
		}
		return nil
	}
	t := newTable(opts.IO)
	if tty {
		t.Row("MEMBER", "STATUS", "IPS", "VERSION", "CREATED")
	}
	now := opts.Now()
	for _, r := range records {
		t.Row(r.ID, r.Status, orDash(strings.Join(r.IPs, ",")), orDash(r.Version), cmdutil.FormatTime(tty, now, r.Created))
	}
	return t.Flush()
}
