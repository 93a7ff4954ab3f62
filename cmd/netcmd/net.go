package netcmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/spf13/cobra"
)

// Environment variables read by `fogctl net`. The token itself may come
// from the environment, never from a flag: argv is visible in ps.
const (
	EnvURL       = "FOGCTL_ZT_URL"
	EnvTokenFile = "FOGCTL_ZT_TOKEN_FILE"
	EnvToken     = "FOGCTL_ZT_TOKEN"
)

// concurrencyHelp says who takes turns on a network and what the
// read-back catches of changes made elsewhere at the same moment.
const concurrencyHelp = `The controller's API has no conditional write: ip add, ip rm, authorize
--ip and pool add|rm read the member (or network), check, and write its
whole address (pool) list back. Such changes of one network take turns
across every fogctl on this host, whoever runs it (root through sudo, or
another operator): an flock of /run/lock/fogctl-net-NWID.lock (/tmp where
/run/lock is not a shared sticky directory); one waits up to ten
--zt-timeouts, then fails naming the holder's pid and user. There, a lock
file's owner could remove it while another holds it, so fogctl takes only
root's or its own user's (root's fogctl makes another user's root's);
several non-root operators, and root under sudo, share a
$FOGCTL_NET_LOCK_DIR only they can write in (e.g. /run/fogctl,
root:their group, mode 2770). A change made from another host (another
fogctl, zerotier-cli, curl, a web UI) at the same moment is not
serialised: if it is written between fogctl's write and its read-back,
fogctl reports a mismatch (exit 1); if it is written between fogctl's
read and its write, fogctl's write replaces it and fogctl reports
success: that change is lost unless its own client reads back after
fogctl's write. Make address and pool changes from one host.`

// ztFlags are the flags every `fogctl net` command shares.
type ztFlags struct {
	URL       string
	TokenFile string
	Timeout   time.Duration
}

// NewCmdNet builds `fogctl net`.
func NewCmdNet(f *cmdutil.Factory) *cobra.Command {
	z := &ztFlags{}
	cmd := &cobra.Command{
		Use:   "net <command>",
		Short: "Drive the ZeroTier overlay: networks, members, joining nodes",
		Long: `Drive the ZeroTier overlay every cluster of the fleet sits on.

Controller commands (create, list, show, delete, pool, members, ip,
authorize, deauthorize) talk to the network controller embedded in the
ZeroTier service of the fog server; node commands (join, leave, status, wait) talk
to the ZeroTier service of the machine they run on. Both are reached at
--zt-url (default http://127.0.0.1:9993) with the auth token read from
--token-file, $FOGCTL_ZT_TOKEN_FILE, $FOGCTL_ZT_TOKEN, or zerotier-cli's
places (~/.zeroTierOneAuthToken, /var/lib/zerotier-one/authtoken.secret).

Every change is read back: the controller answers 200 even to what it
silently ignored, so fogctl reports any difference as an error.

` + concurrencyHelp,
		Example: `  fogctl net create fleet --cidr 10.147.15.0/24
  fogctl net members 8056c2e21c000001 --pending
  fogctl net authorize 8056c2e21c000001 a1b2c3d4e5 --ip auto --context bus-17
  fogctl net ip add 8056c2e21c000001 a1b2c3d4e5 10.147.15.30
  fogctl net join 8056c2e21c000001 && fogctl net wait 8056c2e21c000001`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&z.URL, "zt-url", "", "URL of the ZeroTier service (default $"+EnvURL+" or "+netoverlay.DefaultURL+")")
	pf.StringVar(&z.TokenFile, "token-file", "", "File holding the ZeroTier auth token (default $"+EnvTokenFile+", then zerotier-cli's places)")
	pf.DurationVar(&z.Timeout, "zt-timeout", netoverlay.DefaultTimeout, "Time limit of each request to the ZeroTier service")

	cmd.AddCommand(
		NewCmdCreate(f, z, nil),
		NewCmdList(f, z, nil),
		NewCmdShow(f, z, nil),
		NewCmdDelete(f, z, nil),
		NewCmdPool(f, z, nil),
		NewCmdMembers(f, z, nil),
		NewCmdIP(f, z, nil),
		NewCmdAuthorize(f, z, nil),
		NewCmdDeauthorize(f, z, nil),
		NewCmdJoin(f, z, nil),
		NewCmdLeave(f, z, nil),
		NewCmdStatus(f, z, nil),
		NewCmdWait(f, z, nil),
	)
	return cmd
}

// clientFunc returns the lazy client constructor of a command: it reads the
// environment when the command runs, not when it is built.
func (z *ztFlags) clientFunc(f *cmdutil.Factory) func() (*netoverlay.Client, error) {
	return func() (*netoverlay.Client, error) {
		return z.newClient(f, os.Getenv)
	}
}

func (z *ztFlags) newClient(f *cmdutil.Factory, getenv func(string) string) (*netoverlay.Client, error) {
	if z.Timeout <= 0 {
		// 0 would mean no limit: a service that never answers hangs fogctl.
		return nil, cmdutil.FlagErrorf("--zt-timeout must be positive, like 10s or 500ms, got %s", z.Timeout)
	}
	url := z.URL
	if url == "" {
		url = getenv(EnvURL)
	}
	tok, err := z.token(getenv)
	if err != nil {
		return nil, err
	}
	hc, err := f.HTTPClient()
	if err != nil {
		return nil, err
	}
	c, err := netoverlay.New(hc, url, tok)
	if err != nil {
		return nil, cmdutil.WithExitCode(cmdutil.ExitUsage, err)
	}
	c.Timeout = z.Timeout
	return c, nil
}

// token finds the auth token: --token-file, $FOGCTL_ZT_TOKEN_FILE,
// $FOGCTL_ZT_TOKEN, then where zerotier-cli looks.
func (z *ztFlags) token(getenv func(string) string) (netoverlay.Token, error) {
	return Token(z.TokenFile, getenv, "")
}

// Token finds the ZeroTier auth token as every fogctl command does: file
// (a --token-file flag), $FOGCTL_ZT_TOKEN_FILE, $FOGCTL_ZT_TOKEN, then
// where zerotier-cli looks. When none is found the error names every
// place looked at and says what would help the user running fogctl; hint,
// if not empty, adds what the caller offers besides.
func Token(file string, getenv func(string) string, hint string) (netoverlay.Token, error) {
	if file == "" {
		file = getenv(EnvTokenFile)
	}
	if file != "" {
		t, err := netoverlay.ReadTokenFile(file)
		if err != nil {
			return netoverlay.Token{}, fmt.Errorf("%w (check --token-file or $%s)", err, EnvTokenFile)
		}
		return t, nil
	}
	if v := getenv(EnvToken); v != "" {
		return netoverlay.NewToken(v), nil
	}
	home, _ := os.UserHomeDir()
	t, _, err := netoverlay.FindToken(netoverlay.DefaultTokenPaths(runtime.GOOS, home))
	if err == nil {
		return t, nil
	}
	var se *netoverlay.TokenSearchError
	if !errors.As(err, &se) {
		return netoverlay.Token{}, err
	}
	remedy := tokenRemedy(se, os.Geteuid() == 0)
	if hint != "" {
		remedy += "; " + hint
	}
	return netoverlay.Token{}, fmt.Errorf("no ZeroTier auth token found: looked at --token-file, $%s and $%s (none set), %s (%s)", EnvTokenFile, EnvToken, se.Places(), remedy)
}

// tokenRemedy says what would find a token, for root or another user,
// from why each place failed.
func tokenRemedy(se *netoverlay.TokenSearchError, root bool) string {
	service := ""
	if n := len(se.Tried); n > 0 {
		service = se.Tried[n-1].Path // the service's own authtoken.secret
	}
	denied := errors.Is(se, fs.ErrPermission)
	switch {
	case denied && !root:
		return "the service's token is readable by root only: run fogctl with sudo, or copy " + service + " to ~/.zeroTierOneAuthToken readable by you only (as zerotier-cli reads it), or pass --token-file"
	case denied:
		return "root could not read it: check the file's permissions and any security policy, or pass --token-file"
	case errors.Is(se, fs.ErrNotExist) && !errors.Is(se, netoverlay.ErrEmptyToken):
		return "zerotier-one writes " + service + " when it first starts: is it installed and running on this machine? If its home is elsewhere, pass --token-file"
	}
	return "write the token into the file, or pass --token-file"
}

// netErr turns a netoverlay error into what the user reads, with its exit
// code: 2 for input fogctl refused before sending, 1 otherwise.
func netErr(err error) error {
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, netoverlay.ErrInvalid):
		return cmdutil.WithExitCode(cmdutil.ExitUsage, err)
	case errors.Is(err, netoverlay.ErrUnauthorized):
		return fmt.Errorf("%w: the token is wrong for this service (check --token-file or $%s)", err, EnvTokenFile)
	case errors.Is(err, netoverlay.ErrTimeout):
		return fmt.Errorf("%w (raise --zt-timeout, or check the service)", err)
	case errors.Is(err, netoverlay.ErrNoController):
		return fmt.Errorf("%w: controller commands (create, list, show, delete, pool, members, ip, authorize, deauthorize) need the ZeroTier service of the fog server, which runs the controller (check --zt-url or $%s)", err, EnvURL)
	}
	return err
}

// normID is a network or member id in lower case, as ZeroTier writes
// them: the ids are hex, so 8056C2E21C000001 is 8056c2e21c000001. An
// argument that is not hex either way is left as typed, for the error
// that quotes it.
func normID(s string) string {
	l := strings.ToLower(s)
	for _, r := range l {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return s
		}
	}
	return l
}

// clientFor checks the network ID a command was given, and the member ID
// when it takes one, then makes its client: what every command on one
// network does first.
func clientFor(newClient func() (*netoverlay.Client, error), nwid string, member ...string) (*netoverlay.Client, error) {
	if err := netoverlay.ValidateNetworkID(nwid); err != nil {
		return nil, netErr(err)
	}
	for _, m := range member {
		if err := netoverlay.ValidateMemberID(m); err != nil {
			return nil, netErr(err)
		}
	}
	return newClient()
}

// completeTimeout bounds shell completion: best effort, never slow.
const completeTimeout = 2 * time.Second

// completeNetworks completes controller network ids with their names.
func completeNetworks(f *cmdutil.Factory, z *ztFlags) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) != 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return networkCompletions(cmd.Context(), f, z), cobra.ShellCompDirectiveNoFileComp
	}
}

func networkCompletions(ctx context.Context, f *cmdutil.Factory, z *ztFlags) []string {
	c, err := z.quickClient(f)
	if err != nil {
		return nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ids, err := c.ControllerNetworks(ctx)
	if err != nil {
		return nil
	}
	return ids
}

// completeJoined completes the networks this node has joined.
func completeJoined(f *cmdutil.Factory, z *ztFlags) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) != 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := z.quickClient(f)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		nets, err := c.Networks(ctxOf(cmd))
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, n := range nets {
			out = append(out, n.ID+"\t"+strings.TrimSpace(n.Name+" "+n.Status))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeNetworkThenMember completes a network id, then its members,
// pending ones first when pendingFirst.
func completeNetworkThenMember(f *cmdutil.Factory, z *ztFlags, pendingFirst bool) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		switch len(args) {
		case 0:
			return networkCompletions(ctxOf(cmd), f, z), cobra.ShellCompDirectiveNoFileComp
		case 1:
			c, err := z.quickClient(f)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			members, err := c.Members(ctxOf(cmd), args[0])
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var first, rest []string
			for _, m := range members {
				if m.Pending() {
					first = append(first, m.ID+"\tpending")
				} else {
					rest = append(rest, m.ID+"\tauthorized")
				}
			}
			if !pendingFirst {
				first, rest = rest, first
			}
			return append(first, rest...), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
}

func (z *ztFlags) quickClient(f *cmdutil.Factory) (*netoverlay.Client, error) {
	c, err := z.newClient(f, os.Getenv)
	if err != nil {
		return nil, err
	}
	c.Timeout = min(c.Timeout, completeTimeout)
	return c, nil
}

func ctxOf(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// exactArgs is cobra.ExactArgs with the argument names in the message.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != len(names) {
			return cmdutil.FlagErrorf("%s wants %d argument(s) (%v), got %d", cmd.CommandPath(), len(names), names, len(args))
		}
		return nil
	}
}
