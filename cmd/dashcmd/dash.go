// Package dashcmd implements `fogctl dash`, the fleet dashboard: a TUI over
// the kubeconfig contexts (with live probes), the recent runs and, when a
// ZeroTier controller is configured, the members waiting to join.
package dashcmd

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"time"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/cmd/ctxcmd"
	"github.com/fogctl/fogctl/cmd/netcmd"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/fogctl/fogctl/tui"
	"github.com/fogctl/fogctl/workflow/runstore"
	"github.com/spf13/cobra"
)

// defaultProbeTimeout is how long one probe of a context may take.
const defaultProbeTimeout = 2 * time.Second

// probeWorkers is how many contexts are probed at once.
const probeWorkers = 64

// DashOptions are the parsed flags of `fogctl dash`.
type DashOptions struct {
	IO         *cmdutil.IOStreams
	Kubeconfig func() (*cluster.Kubeconfig, error)
	Fleet      func() (*cluster.Fleet, error)
	StateDir   func() (string, error)
	HTTPClient func() (*http.Client, error)
	Executable func() (string, error)
	Now        func() time.Time
	Getenv     func(string) string
	// Factory builds the in-process `fogctl ctx use` that Enter runs.
	Factory *cmdutil.Factory

	KubeconfigPath string
	Selector       string
	Contexts       []string
	Timeout        time.Duration
	ZTURL          string
	ZTTokenFile    string
	Networks       []string
}

// NewCmdDash builds `fogctl dash`.
func NewCmdDash(f *cmdutil.Factory, runF func(*DashOptions) error) *cobra.Command {
	opts := &DashOptions{
		IO:         f.IOStreams,
		Fleet:      cmdutil.FleetLoader(f),
		StateDir:   f.StateDir,
		HTTPClient: f.HTTPClient,
		Executable: f.Executable,
		Now:        f.Now,
		Getenv:     os.Getenv,
		Factory:    f,
	}
	cmd := &cobra.Command{
		Use:   "dash",
		Short: "Fleet dashboard: contexts with live probes, recent runs, ZeroTier join requests",
		Long: `Open the fleet dashboard: every selected kubeconfig context with whether its
API server answers, the round trip, its version, when it was last seen and
its fleet labels; the recent workflow runs; and, when a ZeroTier controller
is configured ($` + netcmd.EnvURL + ` or --zt-url, with its token as for
'fogctl net'), the members waiting to join, to authorize or deny.

Keys: enter makes the selected context current, r probes again, tab moves
between panes, a/d authorize or deny a member, ? shows every key, q quits.
Commands: :ctx NAME, :run FILE (runs a workflow in the live view and comes
back), :runs.

The dashboard needs a terminal; for a plain status of every context use
'fogctl ctx status'.`,
		Example: `  fogctl dash
  fogctl dash -l role=edge --timeout 5s
  FOGCTL_ZT_URL=http://10.147.15.1:9993 fogctl dash --network 8056c2e21c000001`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Timeout <= 0 {
				return cmdutil.FlagErrorf("--timeout must be positive, like 2s or 500ms")
			}
			if _, err := cluster.ParseSelector(opts.Selector); err != nil {
				return cmdutil.FlagErrorf("%s", err)
			}
			for _, n := range opts.Networks {
				if err := netoverlay.ValidateNetworkID(n); err != nil {
					return cmdutil.FlagErrorf("--network: %s", err)
				}
			}
			opts.KubeconfigPath = cmdutil.KubeconfigPath(cmd)
			opts.Kubeconfig = cmdutil.KubeconfigLoader(cmd)
			if runF != nil {
				return runF(opts)
			}
			return dashRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddKubeconfigFlag(cmd)
	cmdutil.AddSelectorFlags(f, cmd, &opts.Selector, &opts.Contexts)
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", defaultProbeTimeout, "Give up on a cluster that has not answered after this long")
	cmd.Flags().StringVar(&opts.ZTURL, "zt-url", "", "URL of the ZeroTier controller (default $"+netcmd.EnvURL+"; none: no ZeroTier pane)")
	cmd.Flags().StringVar(&opts.ZTTokenFile, "token-file", "", "File holding the ZeroTier auth token (default $"+netcmd.EnvTokenFile+", then zerotier-cli's places)")
	cmd.Flags().StringSliceVar(&opts.Networks, "network", nil, "Only these ZeroTier networks (default: every network of the controller)")
	return cmd
}

// ErrNotTerminal is why `fogctl dash` refuses to start in a pipe or cron.
var ErrNotTerminal = errors.New("fogctl dash needs a terminal on stdin and stdout; for a plain status of every context, run 'fogctl ctx status'")

func dashRun(ctx context.Context, opts *DashOptions) error {
	if !opts.IO.CanPrompt() {
		return cmdutil.WithExitCode(cmdutil.ExitUsage, ErrNotTerminal)
	}
	src, err := Source(opts)
	if err != nil {
		return err
	}
	cfg := tui.Config{In: opts.IO.In, Out: opts.IO.Out, Color: opts.IO.ColorEnabled(), AltScreen: true}
	err = tui.RunDash(ctx, cfg, src)
	if ctx.Err() != nil {
		return cmdutil.ErrCancelled
	}
	return err
}

// Source wires the dashboard to the cluster, runstore and netoverlay
// packages. Nothing is read before the dashboard asks.
func Source(opts *DashOptions) (tui.DashSource, error) {
	src := tui.DashSource{
		ProbeTimeout: opts.Timeout,
		Now:          opts.Now,
		Contexts:     func() ([]tui.ContextRow, error) { return contextRows(opts) },
		Probe: func(ctx context.Context, names []string) []tui.ProbeRow {
			return probe(ctx, opts, names)
		},
		Use: func(ctx context.Context, name string) error { return useContext(ctx, opts, name) },
		Runs: func() ([]runstore.Summary, error) {
			dir, err := opts.StateDir()
			if err != nil {
				return nil, err
			}
			store, err := runstore.Open(dir)
			if err != nil {
				return nil, err
			}
			return store.List()
		},
	}
	if opts.Executable != nil {
		src.RunCommand = func(file string) *exec.Cmd {
			self, err := opts.Executable()
			if err != nil {
				self = os.Args[0]
			}
			args := []string{"run", file}
			if opts.KubeconfigPath != "" {
				args = append(args, "--kubeconfig", opts.KubeconfigPath)
			}
			return exec.Command(self, args...)
		}
	}
	zt, err := zeroTier(opts)
	if err != nil {
		return src, err
	}
	src.ZeroTier = zt
	return src, nil
}

// contextRows lists the selected contexts with their labels and last-seen
// times, from the local files only.
func contextRows(opts *DashOptions) ([]tui.ContextRow, error) {
	k, fleet, selected, err := cmdutil.SelectContexts(opts.Kubeconfig, opts.Fleet, opts.Selector, opts.Contexts)
	if err != nil {
		return nil, err
	}
	var seen *cluster.Seen
	if dir, err := opts.StateDir(); err == nil {
		seen, _ = cluster.LoadSeen(dir)
	}
	rows := make([]tui.ContextRow, len(selected))
	for i, c := range selected {
		rows[i] = tui.ContextRow{
			Name:    c.Name,
			Server:  c.Server,
			Current: c.Name == k.Current(),
			Labels:  fleet.Entry(c.Name).Labels,
		}
		if seen != nil {
			rows[i].LastSeen = seen.Get(c.Name)
		}
	}
	return rows, nil
}

// probe probes the named contexts as `fogctl ctx status` does and records
// the reachable ones' last-seen time.
func probe(ctx context.Context, opts *DashOptions, names []string) []tui.ProbeRow {
	rows := make([]tui.ProbeRow, len(names))
	k, err := opts.Kubeconfig()
	if err != nil {
		for i, n := range names {
			rows[i] = tui.ProbeRow{Context: n, Reason: cluster.ReasonConfig + ": " + err.Error()}
		}
		return rows
	}
	var eps []cluster.Endpoint
	var probed []int
	for i, n := range names {
		rows[i].Context = n
		ep, err := k.Endpoint(n)
		if err != nil {
			rows[i].Reason = cluster.ReasonConfig + ": " + err.Error()
			continue
		}
		eps = append(eps, ep)
		probed = append(probed, i)
	}
	var base *http.Transport
	if opts.HTTPClient != nil {
		if c, err := opts.HTTPClient(); err == nil {
			base, _ = c.Transport.(*http.Transport)
		}
	}
	results := cluster.ProbeAll(ctx, base, eps, opts.Timeout, probeWorkers)
	now := opts.Now()
	var seen *cluster.Seen
	if dir, err := opts.StateDir(); err == nil {
		if seen, _ = cluster.LoadSeen(dir); seen != nil {
			_ = seen.Record(ctx, results, now)
		}
	}
	for j, r := range results {
		row := &rows[probed[j]]
		row.Reachable, row.RTT, row.Version, row.Reason = r.Reachable, r.RTT, r.Version, r.Reason
		switch {
		case r.Reachable:
			row.LastSeen = now
		case seen != nil:
			row.LastSeen = seen.Get(r.Context)
		}
	}
	return rows
}

// useContext runs `fogctl ctx use NAME` in this process, so the switch is
// the same locked, atomic kubeconfig write, and `fogctl ctx use -` comes
// back to the context that was current before. Its messages are kept from
// the screen; an error comes back as the command's error.
func useContext(ctx context.Context, opts *DashOptions, name string) error {
	f := *opts.Factory
	f.IOStreams = &cmdutil.IOStreams{In: nil, Out: io.Discard, ErrOut: io.Discard}
	use := ctxcmd.NewCmdUse(&f, nil)
	cmdutil.AddKubeconfigFlag(use)
	args := []string{name}
	if opts.KubeconfigPath != "" {
		args = append(args, "--kubeconfig", opts.KubeconfigPath)
	}
	use.SetArgs(args)
	use.SetOut(io.Discard)
	use.SetErr(io.Discard)
	use.SilenceErrors, use.SilenceUsage = true, true
	return use.ExecuteContext(ctx)
}

// zeroTier returns the join-request source when a controller URL is set,
// nil otherwise.
func zeroTier(opts *DashOptions) (*tui.ZeroTierSource, error) {
	url := opts.ZTURL
	if url == "" {
		url = opts.Getenv(netcmd.EnvURL)
	}
	if url == "" {
		return nil, nil
	}
	tok, err := ztToken(opts)
	if err != nil {
		return nil, err
	}
	hc, err := opts.HTTPClient()
	if err != nil {
		return nil, err
	}
	c, err := netoverlay.New(hc, url, tok)
	if err != nil {
		return nil, cmdutil.WithExitCode(cmdutil.ExitUsage, err)
	}
	networks := opts.Networks
	return &tui.ZeroTierSource{
		Pending: func(ctx context.Context) ([]netoverlay.Member, error) {
			ids := networks
			if len(ids) == 0 {
				if ids, err = c.ControllerNetworks(ctx); err != nil {
					return nil, err
				}
			}
			var pending []netoverlay.Member
			for _, id := range ids {
				ms, err := c.Members(ctx, id)
				if err != nil {
					return nil, err
				}
				for _, m := range ms {
					if m.Pending() {
						pending = append(pending, m)
					}
				}
			}
			return pending, nil
		},
		Authorize: func(ctx context.Context, m netoverlay.Member) error {
			// The next free address is read, picked and written: in turn
			// with `fogctl net` changes of the network, as they take
			// theirs.
			unlock, err := netcmd.LockNetwork(ctx, opts.StateDir, c, m.NetworkID)
			if err != nil {
				return err
			}
			defer unlock()
			_, err = c.Authorize(ctx, m.NetworkID, m.ID, netoverlay.AutoIP)
			return err
		},
		Deny: func(ctx context.Context, m netoverlay.Member) error {
			return c.DeleteMember(ctx, m.NetworkID, m.ID)
		},
	}, nil
}

// ztToken finds the controller's auth token as `fogctl net` does.
func ztToken(opts *DashOptions) (netoverlay.Token, error) {
	return netcmd.Token(opts.ZTTokenFile, opts.Getenv, "pass --token-file, or unset $"+netcmd.EnvURL+" for no ZeroTier pane")
}
