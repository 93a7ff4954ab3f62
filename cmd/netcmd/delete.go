package netcmd

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/spf13/cobra"
)

// DeleteOptions are the inputs of `fogctl net delete`.
type DeleteOptions struct {
	IO        *cmdutil.IOStreams
	Client    func() (*netoverlay.Client, error)
	ConfigDir func() (string, error) // holds the fleet file

	NetworkID string
	Yes       bool
}

// NewCmdDelete builds `fogctl net delete`.
func NewCmdDelete(f *cmdutil.Factory, z *ztFlags, runF func(*DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{IO: f.IOStreams, Client: z.clientFunc(f), ConfigDir: f.ConfigDir}
	cmd := &cobra.Command{
		Use:     "delete NWID",
		Aliases: []string{"rm"},
		Short:   "Delete a network from the controller, with all its members",
		Long: `Delete a network from the controller, with its members and their
addresses. There is no undo: a network created again gets a new id, and
every node must join it and be authorized again.

On a terminal fogctl shows the network's name and member count and asks
first; anywhere else (a pipe, cron) it refuses unless --yes is given.
Nodes that joined the network are not told: each sees status NOT_FOUND
at its next configuration refresh (up to 60s) and stays joined until
'fogctl net leave NWID' runs on it.

Contexts the fleet file records on the network lose their network id,
member id and overlay IP there (their labels stay); fogctl names them
before it asks, and again once they are cleared.`,
		Example: `  fogctl net delete 8056c2e21c000001
  fogctl net delete 8056c2e21c000001 --yes    # from a script`,
		Args:              exactArgs("NWID"),
		ValidArgsFunction: completeNetworks(f, z),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.NetworkID = normID(args[0])
			if !opts.Yes && !opts.IO.CanPrompt() {
				return cmdutil.FlagErrorf("refusing to delete network %s without confirmation: fogctl cannot ask here (stdin or stdout is not a terminal); pass --yes", opts.NetworkID)
			}
			if runF != nil {
				return runF(opts)
			}
			return deleteRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "Delete without asking (required when not on a terminal)")
	return cmd
}

func deleteRun(ctx context.Context, opts *DeleteOptions) error {
	c, err := clientFor(opts.Client, opts.NetworkID)
	if err != nil {
		return err
	}
	n, err := c.ControllerNetwork(ctx, opts.NetworkID)
	if err != nil {
		return netErr(err)
	}
	revs, err := c.MemberRevisions(ctx, opts.NetworkID)
	if err != nil {
		return netErr(err)
	}
	what := networkTitle(n) + " with no members"
	if len(revs) > 0 {
		what = networkTitle(n) + " and its " + plural(len(revs), "member")
	}
	// The fleet file is read before the delete: one that cannot be read
	// would be left naming a network that no longer exists.
	fl, err := loadFleet(opts.ConfigDir)
	if err != nil {
		return fmt.Errorf("network %s not deleted: %w (fix or move the fleet file, then run again: fogctl clears the network from it after the delete)", n.ID, err)
	}
	inFleet := fleetOnNetwork(fl, n.ID)
	if !opts.Yes {
		if len(inFleet) > 0 {
			fmt.Fprintf(opts.IO.ErrOut, "The fleet file %s records %s on this network: their network, member and overlay IP are cleared too (labels stay).\n", fl.Path(), contextList(inFleet))
		}
		ok, err := confirm(ctx, opts.IO, "Delete "+what+"? Nodes that joined it lose the overlay.")
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("network %s not deleted: not confirmed", n.ID)
		}
	}
	if err := c.DeleteNetwork(ctx, opts.NetworkID); err != nil {
		return netErr(err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "✓ Deleted %s; nodes that joined it see NOT_FOUND at their next configuration refresh (up to 60s) and stay joined until 'fogctl net leave %s'\n", what, n.ID)
	// The network is gone: the fleet file follows even if Ctrl-C came
	// meanwhile (the wait for its lock is bounded by its own timeout).
	cleared, err := clearFleetNetwork(context.WithoutCancel(ctx), fl, n.ID)
	if err != nil {
		if len(cleared) == 0 {
			cleared = inFleet
		}
		still := " still names it"
		if len(cleared) > 1 {
			still = " still name it"
		}
		return fmt.Errorf("network %s deleted, but the fleet file was not updated: %w; %s%s there: remove their networkId, memberId and overlayIP from %s by hand (the file is safe to edit)", n.ID, err, contextList(cleared), still, fl.Path())
	}
	if len(cleared) > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "✓ Cleared network %s from %s in %s (network, member and overlay IP; labels stay)\n", n.ID, contextList(cleared), fl.Path())
	}
	return nil
}

// networkTitle names a network for people: `network "fleet" (8056c2e21c000001)`.
func networkTitle(n netoverlay.Network) string {
	if n.Name == "" {
		return "network " + n.ID
	}
	return fmt.Sprintf("network %q (%s)", n.Name, n.ID)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// confirm asks question on stderr and reads one line from stdin: only y
// or yes (any case) confirms; an empty line or end of input does not.
// Ctrl-C ends the wait at once: the read, which cannot be interrupted,
// is left to end with the process.
func confirm(ctx context.Context, ios *cmdutil.IOStreams, question string) (bool, error) {
	fmt.Fprintf(ios.ErrOut, "? %s [y/N] ", question)
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(ios.In).ReadString('\n')
		answer <- line
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(ios.ErrOut)
		return false, cmdutil.ErrCancelled
	case line := <-answer:
		a := strings.ToLower(strings.TrimSpace(line))
		if !strings.HasSuffix(line, "\n") {
			fmt.Fprintln(ios.ErrOut) // end of input: end the question's line
		}
		return a == "y" || a == "yes", nil
	}
}
