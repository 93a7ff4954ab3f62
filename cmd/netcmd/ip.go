package netcmd

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/spf13/cobra"
)

// IPOptions are the inputs of `fogctl net ip add|rm|list`.
type IPOptions struct {
	IO        *cmdutil.IOStreams
	Client    func() (*netoverlay.Client, error)
	StateDir  func() (string, error) // the lock's fallback where there is no flock (Windows)
	ConfigDir func() (string, error) // holds the fleet file

	Verb      string // "add", "rm" or "list"
	NetworkID string
	MemberID  string
	IP        string // add and rm
	Output    string
}

// NewCmdIP builds `fogctl net ip` and its add, rm and list commands; each
// calls runF, if a test gave one, with its parsed options.
func NewCmdIP(f *cmdutil.Factory, z *ztFlags, runF func(*IPOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ip <command>",
		Short: "Add, remove or list a member's addresses",
		Long: `Change the addresses the controller gives a member (its ipAssignments).

An address must lie inside one of the network's routes: the controller
sends a node only the addresses a route covers, so one outside every route
would be stored and never used. It need not lie in a pool: pools are only
what the controller hands out by itself. An address another member holds,
or the network or broadcast address of its route, is refused.

Every change is read back: the controller answers 200 even when it drops
an address, and fogctl says so.

A context the fleet file records for the member (net authorize --context)
keeps its overlay IP in step, as authorize records it: the member's first
address. rm of that address moves it to the member's first remaining
address, or clears it; add fills it when it has none. fogctl says so.

` + concurrencyHelp,
	}
	cmd.AddCommand(
		newCmdIPVerb(f, z, "add", runF),
		newCmdIPVerb(f, z, "rm", runF),
		newCmdIPVerb(f, z, "list", runF),
	)
	return cmd
}

func newCmdIPVerb(f *cmdutil.Factory, z *ztFlags, verb string, runF func(*IPOptions) error) *cobra.Command {
	opts := &IPOptions{IO: f.IOStreams, Client: z.clientFunc(f), StateDir: f.StateDir, ConfigDir: f.ConfigDir, Verb: verb}
	cmd := &cobra.Command{
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.NetworkID, opts.MemberID = normID(args[0]), normID(args[1])
			if verb != "list" {
				opts.IP = args[2]
			}
			if runF != nil {
				return runF(opts)
			}
			return ipRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeIPArgs(f, z, verb),
	}
	switch verb {
	case "add":
		cmd.Use = "add NWID MEMBER IP"
		cmd.Short = "Give a member one more address"
		cmd.Long = `Give a member one more address, inside one of the network's routes. The
member keeps the addresses it has; a node that is authorized gets the new
one pushed at once, a pending node once it is authorized.`
		cmd.Example = `  fogctl net ip add 8056c2e21c000001 a1b2c3d4e5 10.147.15.30
  fogctl net ip add 8056c2e21c000001 a1b2c3d4e5 fd00:147::30`
		cmd.Args = exactArgs("NWID", "MEMBER", "IP")
	case "rm":
		cmd.Use = "rm NWID MEMBER IP"
		cmd.Aliases = []string{"remove"}
		cmd.Short = "Take an address from a member"
		cmd.Long = `Take an address from a member. On a network that assigns addresses
itself, the member's last IPv4 address inside a route is kept while a pool
holds a free address inside a route: the controller would hand the node
one again at its next request. To move a node to another address, add the
new one first, then remove the old one.`
		cmd.Example = `  fogctl net ip rm 8056c2e21c000001 a1b2c3d4e5 10.147.15.17`
		cmd.Args = exactArgs("NWID", "MEMBER", "IP")
	case "list":
		cmd.Use = "list NWID MEMBER"
		cmd.Aliases = []string{"ls"}
		cmd.Short = "List a member's addresses, with the route and pool each lies in"
		cmd.Example = `  fogctl net ip list 8056c2e21c000001 a1b2c3d4e5
  fogctl net ip list 8056c2e21c000001 a1b2c3d4e5 -o json | jq -r '.[].address'`
		cmd.Args = exactArgs("NWID", "MEMBER")
	}
	cmdutil.AddOutputFlag(cmd, &opts.Output, "json", "yaml")
	return cmd
}

// ipRecord is one address of a member, as `fogctl net ip list` prints it.
type ipRecord struct {
	Address string `json:"address"`
	Route   string `json:"route"` // the most specific route containing it; "" for none
	InPool  bool   `json:"inPool"`
}

func ipRun(ctx context.Context, opts *IPOptions) error {
	c, err := clientFor(opts.Client, opts.NetworkID, opts.MemberID)
	if err != nil {
		return err
	}
	if opts.Verb == "list" {
		return ipListRun(ctx, c, opts)
	}
	lock, err := lockNetwork(ctx, opts.StateDir, c, opts.NetworkID)
	if err != nil {
		return err
	}
	defer lock.unlock()
	var m netoverlay.Member
	did := "added " + opts.IP + " to"
	switch opts.Verb {
	case "add":
		m, err = c.AssignIP(ctx, opts.NetworkID, opts.MemberID, opts.IP)
	default:
		did = "removed " + opts.IP + " from"
		m, err = c.RemoveIP(ctx, opts.NetworkID, opts.MemberID, opts.IP)
	}
	if err != nil {
		return netErr(err)
	}
	lockErr := lock.kept(opts.NetworkID, did+" member "+opts.MemberID, "fogctl net ip list "+opts.NetworkID+" "+opts.MemberID)
	switch opts.Output {
	case "json":
		err = cmdutil.PrintJSON(opts.IO.Out, newMemberRecord(m))
	case "yaml":
		err = cmdutil.PrintYAML(opts.IO.Out, newMemberRecord(m))
	}
	if err != nil {
		return err
	}
	ip := opts.IP
	if a, err := netip.ParseAddr(strings.TrimSpace(ip)); err == nil {
		ip = a.Unmap().String()
	}
	now := "no addresses left"
	if len(m.IPAssignments) > 0 {
		now = "addresses now " + strings.Join(m.IPAssignments, ", ")
	}
	removed := "" // what followMemberIPs wants for add
	if opts.Verb == "add" {
		fmt.Fprintf(opts.IO.ErrOut, "✓ Added %s to member %s of network %s (%s)\n", ip, m.ID, opts.NetworkID, now)
		if m.Pending() {
			fmt.Fprintf(opts.IO.ErrOut, "! Member %s is pending: its node gets the address once authorized ('fogctl net authorize %s %s')\n", m.ID, opts.NetworkID, m.ID)
		}
	} else {
		fmt.Fprintf(opts.IO.ErrOut, "✓ Removed %s from member %s of network %s (%s)\n", ip, m.ID, opts.NetworkID, now)
		removed = ip
	}
	if err := ipFollowFleet(ctx, opts, m, ip, removed); err != nil {
		return err
	}
	return lockErr
}

// ipFollowFleet brings the overlay IP the fleet file records for the
// member in step with its addresses (followMemberIPs) and says so. The
// controller has the change already: a fleet file that cannot be read
// or written is an error that says the address changed.
func ipFollowFleet(ctx context.Context, opts *IPOptions, m netoverlay.Member, ip, removed string) error {
	did := "added to"
	if removed != "" {
		did = "removed from"
	}
	fl, err := loadFleet(opts.ConfigDir)
	var changes []fleetIPChange
	if err == nil {
		var gone []string
		if removed != "" {
			gone = []string{removed}
		}
		changes, err = followMemberIPs(ctx, fl, opts.NetworkID, m.ID, gone, removed == "", m.IPAssignments)
	}
	if err != nil {
		return fmt.Errorf("%s %s member %s of network %s, but the fleet file was not updated: %w (fix it, then record the member again with 'fogctl net authorize %s %s --context CONTEXT')", ip, did, m.ID, opts.NetworkID, err, opts.NetworkID, m.ID)
	}
	printFleetIPChanges(opts.IO.ErrOut, fl.Path(), m.ID, changes)
	return nil
}

func ipListRun(ctx context.Context, c *netoverlay.Client, opts *IPOptions) error {
	m, err := c.Member(ctx, opts.NetworkID, opts.MemberID)
	if err != nil {
		return netErr(err)
	}
	n, err := c.ControllerNetwork(ctx, opts.NetworkID)
	if err != nil {
		return netErr(err)
	}
	records := []ipRecord{}
	var unrouted []string
	for _, s := range m.IPAssignments {
		r := ipRecord{Address: s}
		if a, err := netip.ParseAddr(s); err == nil {
			if p, ok := n.RouteOf(a); ok {
				r.Route = p.String()
			} else {
				unrouted = append(unrouted, s)
			}
			r.InPool = n.InPool(a)
		}
		records = append(records, r)
	}
	switch opts.Output {
	case "json":
		err = cmdutil.PrintJSON(opts.IO.Out, records)
	case "yaml":
		err = cmdutil.PrintYAML(opts.IO.Out, records)
	default:
		err = printIPTable(opts, records)
	}
	if err != nil {
		return err
	}
	for _, s := range unrouted {
		fmt.Fprintf(opts.IO.ErrOut, "! %s is outside every route of network %s: the controller does not send it to the node\n", s, n.ID)
	}
	return nil
}

func printIPTable(opts *IPOptions, records []ipRecord) error {
	tty := opts.IO.IsStdoutTTY()
	if len(records) == 0 {
		if tty {
			fmt.Fprintf(opts.IO.ErrOut, "No addresses for member %s of network %s (add one with 'fogctl net ip add %s %s IP')\n", opts.MemberID, opts.NetworkID, opts.NetworkID, opts.MemberID)
		}
		return nil
	}
	t := newTable(opts.IO)
	if tty {
		t.Row("ADDRESS", "ROUTE", "POOL")
	}
	for _, r := range records {
		pool := "no"
		if r.InPool {
			pool = "yes"
		}
		t.Row(r.Address, orDash(r.Route), pool)
	}
	return t.Flush()
}

// completeIPArgs completes a network, then its members, then for rm the
// member's addresses and for add the next free address of the pools.
func completeIPArgs(f *cmdutil.Factory, z *ztFlags, verb string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	memberFirst := completeNetworkThenMember(f, z, false)
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) < 2 {
			return memberFirst(cmd, args, toComplete)
		}
		if len(args) > 2 || verb == "list" {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := z.quickClient(f)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx := ctxOf(cmd)
		if verb == "rm" {
			m, err := c.Member(ctx, args[0], args[1])
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return m.IPAssignments, cobra.ShellCompDirectiveNoFileComp
		}
		n, err := c.ControllerNetwork(ctx, args[0])
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		members, err := c.Members(ctx, args[0])
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var used []string
		for _, m := range members {
			used = append(used, m.IPAssignments...)
		}
		if a, ok := netoverlay.NextFreeIP(n.IPAssignmentPools, used); ok {
			return []string{a.String() + "\tnext free address of the pools"}, cobra.ShellCompDirectiveNoFileComp
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
}
