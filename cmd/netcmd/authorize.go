package netcmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/spf13/cobra"
)

// AuthorizeOptions are the inputs of `fogctl net authorize` and
// `fogctl net deauthorize`.
type AuthorizeOptions struct {
	IO        *cmdutil.IOStreams
	Client    func() (*netoverlay.Client, error)
	ConfigDir func() (string, error)
	StateDir  func() (string, error) // the lock's fallback where there is no flock (Windows)
	// Kubeconfig loads the kubeconfig --context must name a context of.
	Kubeconfig func() (*cluster.Kubeconfig, error)

	Deauthorize bool
	NetworkID   string
	MemberID    string
	IP          string // "", "auto" or an address
	Context     string // kubeconfig context to record the member under
	Output      string
}

// NewCmdAuthorize builds `fogctl net authorize`.
func NewCmdAuthorize(f *cmdutil.Factory, z *ztFlags, runF func(*AuthorizeOptions) error) *cobra.Command {
	opts := &AuthorizeOptions{IO: f.IOStreams, Client: z.clientFunc(f), ConfigDir: f.ConfigDir, StateDir: f.StateDir}
	cmd := &cobra.Command{
		Use:   "authorize NWID MEMBER",
		Short: "Authorize a member that joined, optionally with an address",
		Long: `Authorize a pending member. The controller gives members authorized
through its API no address by itself: --ip sets one, either a fixed
address, checked as 'fogctl net ip add' checks it (inside one of the
network's routes, in a pool or not, held by no other member), or 'auto'
for the next free one of the pools (skipping addresses other members
hold). A fixed address replaces the member's addresses, and fogctl names
those it replaced ('fogctl net ip add' adds one instead); 'auto' puts the
new address first and keeps the others. The member's first address is
printed on stdout.

--context records the member id, network and that address beside that
kubeconfig context in the fleet file. It must be a context of the
kubeconfig (checked before anything is sent), and fogctl warns when
another context records the same member. A context already recorded for
the member keeps its overlay IP in step, as after 'fogctl net ip add' and
'ip rm'.`,
		Example: `  fogctl net authorize 8056c2e21c000001 a1b2c3d4e5 --ip 10.147.15.17
  fogctl net authorize 8056c2e21c000001 a1b2c3d4e5 --ip auto --context bus-17`,
		Args:              exactArgs("NWID", "MEMBER"),
		ValidArgsFunction: completeNetworkThenMember(f, z, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.NetworkID, opts.MemberID = normID(args[0]), normID(args[1])
			if cmd.Flags().Changed("context") {
				if err := validContextName(opts.Context); err != nil {
					return cmdutil.FlagErrorf("%v", err)
				}
			}
			opts.Kubeconfig = cmdutil.KubeconfigLoader(cmd)
			if runF != nil {
				return runF(opts)
			}
			return authorizeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.IP, "ip", "", "Address to assign: an IP inside a route of the network, or 'auto' for the next free one of the pools")
	cmd.Flags().StringVar(&opts.Context, "context", "", "Record the member under this kubeconfig context in the fleet file")
	cmdutil.AddKubeconfigFlag(cmd)
	_ = cmd.RegisterFlagCompletionFunc("context", func(c *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return cmdutil.CompleteContextNames(c, toComplete), cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("ip", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"auto"}, cobra.ShellCompDirectiveNoFileComp
	})
	cmdutil.AddOutputFlag(cmd, &opts.Output, "json", "yaml")
	return cmd
}

// NewCmdDeauthorize builds `fogctl net deauthorize`.
func NewCmdDeauthorize(f *cmdutil.Factory, z *ztFlags, runF func(*AuthorizeOptions) error) *cobra.Command {
	opts := &AuthorizeOptions{IO: f.IOStreams, Client: z.clientFunc(f), ConfigDir: f.ConfigDir, StateDir: f.StateDir, Deauthorize: true}
	cmd := &cobra.Command{
		Use:   "deauthorize NWID MEMBER",
		Short: "Withdraw a member's authorization",
		Long: `Withdraw a member's authorization. The controller does not push this: the
node learns of it at its next configuration refresh, up to 60 seconds
later, and keeps its address and traffic until then.`,
		Example:           `  fogctl net deauthorize 8056c2e21c000001 a1b2c3d4e5`,
		Args:              exactArgs("NWID", "MEMBER"),
		ValidArgsFunction: completeNetworkThenMember(f, z, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.NetworkID, opts.MemberID = normID(args[0]), normID(args[1])
			if runF != nil {
				return runF(opts)
			}
			return authorizeRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, &opts.Output, "json", "yaml")
	return cmd
}

func authorizeRun(ctx context.Context, opts *AuthorizeOptions) error {
	c, err := clientFor(opts.Client, opts.NetworkID, opts.MemberID)
	if err != nil {
		return err
	}
	if opts.Context != "" {
		// Before anything is sent: the fleet file is keyed by kubeconfig
		// context, and ctx commands see no other name.
		if err := checkContext(opts.Kubeconfig, opts.Context); err != nil {
			return err
		}
	}
	var before []string // the member's addresses before --ip changed them
	lock := &heldLock{release: func() {}}
	if opts.IP != "" {
		// Picking and checking an address reads the member and the
		// others, then writes the member's whole address list.
		// Authorizing or deauthorizing alone sends one field: no lock.
		lock, err = lockNetwork(ctx, opts.StateDir, c, opts.NetworkID)
		if err != nil {
			return err
		}
		defer lock.unlock()
		old, err := c.Member(ctx, opts.NetworkID, opts.MemberID)
		if err != nil {
			return netErr(err)
		}
		before = old.IPAssignments
	}
	var m netoverlay.Member
	if opts.Deauthorize {
		m, err = c.Deauthorize(ctx, opts.NetworkID, opts.MemberID)
	} else {
		m, err = c.Authorize(ctx, opts.NetworkID, opts.MemberID, opts.IP)
	}
	if err != nil {
		return netErr(err)
	}
	lockErr := lock.kept(opts.NetworkID, "authorized member "+opts.MemberID+" with --ip "+opts.IP, "fogctl net ip list "+opts.NetworkID+" "+opts.MemberID)
	r := newMemberRecord(m)
	switch opts.Output {
	case "json":
		err = cmdutil.PrintJSON(opts.IO.Out, r)
	case "yaml":
		err = cmdutil.PrintYAML(opts.IO.Out, r)
	}
	if err != nil {
		return err
	}
	if opts.Deauthorize {
		fmt.Fprintf(opts.IO.ErrOut, "✓ Deauthorized member %s of network %s; the node notices at its next configuration refresh (up to 60s) and keeps its address until then\n", m.ID, opts.NetworkID)
		return nil
	}
	ip := ""
	if len(m.IPAssignments) > 0 {
		ip = m.IPAssignments[0]
	}
	if opts.Output == "" && ip != "" {
		fmt.Fprintln(opts.IO.Out, ip)
	}
	with := "no address (pass --ip IP or --ip auto to give one)"
	if ip != "" {
		with = strings.Join(m.IPAssignments, ", ")
	}
	replaced := removedIPs(before, m.IPAssignments)
	if len(replaced) > 0 {
		with += fmt.Sprintf(", replacing %s (a fixed --ip replaces the member's addresses; 'fogctl net ip add' adds one)", strings.Join(replaced, ", "))
	}
	fmt.Fprintf(opts.IO.ErrOut, "✓ Authorized member %s on network %s with %s\n", m.ID, opts.NetworkID, with)
	if opts.Context != "" {
		path, others, err := recordFleet(ctx, opts.ConfigDir, opts.Context, opts.NetworkID, m.ID, ip)
		if err != nil {
			return err
		}
		recordedLines(opts.IO.ErrOut, path, opts.Context, opts.NetworkID, m.ID, "", others)
	}
	if opts.IP == "" {
		return nil
	}
	// Other contexts recorded for the member keep their overlay IP in
	// step, as after ip add and ip rm.
	fl, err := loadFleet(opts.ConfigDir)
	var changes []fleetIPChange
	if err == nil {
		changes, err = followMemberIPs(ctx, fl, opts.NetworkID, m.ID, replaced, true, m.IPAssignments)
	}
	if err != nil {
		return fmt.Errorf("member %s of network %s authorized with %s, but the fleet file was not updated: %w (fix it, then record the member again with 'fogctl net authorize %s %s --context CONTEXT')", m.ID, opts.NetworkID, strings.Join(m.IPAssignments, ", "), err, opts.NetworkID, m.ID)
	}
	printFleetIPChanges(opts.IO.ErrOut, fl.Path(), m.ID, changes)
	return lockErr
}
