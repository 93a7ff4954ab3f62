package ctxcmd

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// Defaults of `fogctl ctx status`.
const (
	defaultStatusTimeout = 2 * time.Second
	// defaultStatusWorkers lets a fleet of a few hundred buses, many of
	// them out of coverage, finish in about one probe timeout: each probe
	// that waits for its timeout holds one worker.
	defaultStatusWorkers = 256
)

// StatusOptions are the parsed flags of `fogctl ctx status`.
type StatusOptions struct {
	IO         *cmdutil.IOStreams
	Kubeconfig func() (*cluster.Kubeconfig, error)
	Fleet      func() (*cluster.Fleet, error)
	StateDir   func() (string, error)
	// Transport is the base of every probe's transport (dialer, proxy
	// settings); nil for the defaults. TLS settings come from each context.
	Transport func() (*http.Transport, error)
	// Probe probes endpoints, at most workers at a time, each within
	// timeout; cluster.ProbeAll.
	Probe func(ctx context.Context, base *http.Transport, eps []cluster.Endpoint, timeout time.Duration, workers int) []cluster.Result
	Now   func() time.Time

	Selector string
	Contexts []string
	Timeout  time.Duration
	Workers  int
	Output   string
}

// StatusRecord is one context in `fogctl ctx status -o json|yaml`. Its
// field names are a public contract:
//
//	context    kubeconfig context name
//	server     API server URL probed ("" when the context has no cluster)
//	reachable  true when /readyz (or /version) answered 200 OK
//	rttMs      round trip of the answering request in milliseconds, 0 when unreachable
//	version    the API server's gitVersion, "" when unknown
//	lastSeen   RFC 3339 time the context was last reachable, null if never
//	reason     why it is not reachable, "" when it is; starts with one of
//	           refused, timeout, tls, unauthorized, forbidden, not ready,
//	           reset, unreachable, dns, config, cancelled, http
//	labels     the context's fleet labels
type StatusRecord struct {
	Context   string            `json:"context"`
	Server    string            `json:"server"`
	Reachable bool              `json:"reachable"`
	RTTMillis float64           `json:"rttMs"`
	Version   string            `json:"version"`
	LastSeen  *time.Time        `json:"lastSeen"`
	Reason    string            `json:"reason"`
	Labels    map[string]string `json:"labels"`
}

// NewCmdStatus builds `fogctl ctx status`.
func NewCmdStatus(f *cmdutil.Factory, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{
		IO:        f.IOStreams,
		Fleet:     cmdutil.FleetLoader(f),
		StateDir:  f.StateDir,
		Transport: factoryTransport(f),
		Probe:     cluster.ProbeAll,
		Now:       f.Now,
	}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Probe the API server of every selected context",
		Long: `Probe the API server of every selected context at once: GET /readyz (falling
back to /version where /readyz is not allowed) with TLS verified and the
context's credentials, each probe within --timeout, at most --workers at a
time. Prints whether each cluster is reachable, the round-trip time, the
server version, when it was last reachable, and why not when it is not
(refused, timeout, tls: ..., unauthorized, ...).

Exits 0 when every selected cluster is reachable, 3 when some are not, and
1 when it probed nothing (a --kubeconfig that does not exist, a -l that
matches no context, or no contexts at all), so cron jobs and scripts can act
on it. Last-seen times are kept in fogctl's
state directory (seen.json).

With -o json or -o yaml each cluster is a record of: context, server,
reachable, rttMs, version, lastSeen (RFC 3339, null if never), reason
("" when reachable) and labels. These field names are kept stable.`,
		Example: `  fogctl ctx status
  fogctl ctx status -l role=edge --timeout 5s
  fogctl ctx status --contexts bus-17,bus-18 -o json
  fogctl ctx status -l line=12 || echo "some buses are out of reach"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Timeout <= 0 {
				return cmdutil.FlagErrorf("--timeout must be positive, like 2s or 500ms")
			}
			if opts.Workers < 1 {
				return cmdutil.FlagErrorf("--workers must be at least 1")
			}
			if _, err := cluster.ParseSelector(opts.Selector); err != nil {
				return cmdutil.FlagErrorf("%s", err)
			}
			opts.Kubeconfig = cmdutil.KubeconfigLoader(cmd)
			if runF != nil {
				return runF(opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddSelectorFlags(f, cmd, &opts.Selector, &opts.Contexts)
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", defaultStatusTimeout, "Give up on a cluster that has not answered after this long")
	cmd.Flags().IntVar(&opts.Workers, "workers", defaultStatusWorkers, "Probe at most this many clusters at a time")
	cmdutil.AddOutputFlag(cmd, &opts.Output, "json", "yaml", "wide")
	return cmd
}

// factoryTransport takes the probes' base transport from the factory's
// HTTP client, when it has one of its own.
func factoryTransport(f *cmdutil.Factory) func() (*http.Transport, error) {
	return func() (*http.Transport, error) {
		if f.HTTPClient == nil {
			return nil, nil
		}
		c, err := f.HTTPClient()
		if err != nil {
			return nil, err
		}
		tr, _ := c.Transport.(*http.Transport)
		return tr, nil
	}
}

func statusRun(ctx context.Context, opts *StatusOptions) error {
	k, fleet, selected, err := cmdutil.SelectContexts(opts.Kubeconfig, opts.Fleet, opts.Selector, opts.Contexts)
	if cmdutil.IsSelectError(err) {
		return cmdutil.FlagErrorf("%s", err)
	} else if err != nil {
		return err
	}
	if err := checkedSomething(k, opts.Selector, selected); err != nil {
		return err
	}
	var base *http.Transport
	if opts.Transport != nil {
		if base, err = opts.Transport(); err != nil {
			return err
		}
	}

	// Contexts whose entries cannot be used are reported, not probed.
	results := make([]cluster.Result, len(selected))
	var eps []cluster.Endpoint
	var probed []int
	for i, c := range selected {
		ep, err := k.Endpoint(c.Name)
		if err != nil {
			results[i] = cluster.Result{Context: c.Name, Server: c.Server, Reason: cluster.ReasonConfig + ": " + err.Error()}
			continue
		}
		eps = append(eps, ep)
		probed = append(probed, i)
	}
	for j, r := range opts.Probe(ctx, base, eps, opts.Timeout, opts.Workers) {
		if r.Reason == cluster.ReasonUnauthorized {
			switch kind := k.AuthKind(r.Context); kind {
			case "exec", "auth-provider", "basic":
				r.Reason += fmt.Sprintf(" (fogctl does not use %s credentials)", kind)
			}
		}
		results[probed[j]] = r
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	now := opts.Now()

	seen := recordSeen(ctx, opts, results, now)
	records := make([]StatusRecord, len(results))
	unreachable := 0
	for i, r := range results {
		rec := StatusRecord{
			Context:   r.Context,
			Server:    r.Server,
			Reachable: r.Reachable,
			RTTMillis: float64(r.RTT.Microseconds()) / 1000,
			Version:   r.Version,
			Reason:    r.Reason,
			Labels:    map[string]string{},
		}
		if l := fleet.Entry(r.Context).Labels; l != nil {
			rec.Labels = l
		}
		if t := seen(r); !t.IsZero() {
			t = t.UTC()
			rec.LastSeen = &t
		}
		if !r.Reachable {
			unreachable++
		}
		records[i] = rec
	}

	if err := printStatus(opts, records, now); err != nil {
		return err
	}
	switch {
	case unreachable > 0:
		fmt.Fprintf(opts.IO.ErrOut, "✗ %d of %d %s unreachable\n", unreachable, len(records), plural(len(records), "cluster"))
		return cmdutil.ErrPending
	case opts.IO.IsStderrTTY():
		fmt.Fprintf(opts.IO.ErrOut, "✓ %d %s reachable\n", len(records), plural(len(records), "cluster"))
	}
	return nil
}

// checkedSomething returns the error of a status that would probe
// nothing, so that 'fogctl ctx status || alert' fires on a typo: a
// --kubeconfig that does not exist (kubectl fails on it too), a selector
// that matches no context (as ctx label), or no contexts at all.
func checkedSomething(k *cluster.Kubeconfig, selector string, selected []cluster.Context) error {
	missing := k.MissingFiles()
	if ex := k.Explicit(); ex != "" && len(missing) > 0 {
		return fmt.Errorf("--kubeconfig %s: no such file", ex)
	}
	if len(selected) > 0 {
		return nil
	}
	if selector != "" {
		return fmt.Errorf("no context matches %q (run 'fogctl ctx list -o wide' for the labels)", selector)
	}
	files := k.Files()
	switch {
	case len(missing) == len(files) && len(files) == 1:
		return fmt.Errorf("no contexts to probe: kubeconfig %s does not exist", files[0])
	case len(missing) == len(files):
		return fmt.Errorf("no contexts to probe: none of the kubeconfig files exists (%s)", strings.Join(files, ", "))
	}
	return fmt.Errorf("no contexts to probe in %s (add one with 'fogctl ctx import' or 'fogctl ctx merge')", strings.Join(files, ", "))
}

// recordSeen stores the reachable results' time in the last-seen file and
// returns the last-seen time of a result. A last-seen file that cannot be
// read or written costs a warning, not the probe results.
func recordSeen(ctx context.Context, opts *StatusOptions, results []cluster.Result, now time.Time) func(cluster.Result) time.Time {
	now = now.UTC().Truncate(time.Second) // as the last-seen file keeps it
	dir, err := opts.StateDir()
	if err != nil {
		fmt.Fprintf(opts.IO.ErrOut, "warning: last-seen times: %s\n", err)
		return func(r cluster.Result) time.Time {
			if r.Reachable {
				return now
			}
			return time.Time{}
		}
	}
	seen, err := cluster.LoadSeen(dir)
	if err != nil {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s (last-seen times start afresh)\n", err)
	}
	if err := seen.Record(ctx, results, now); err != nil {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s\n", err)
	}
	return func(r cluster.Result) time.Time {
		if r.Reachable {
			return now
		}
		return seen.Get(r.Context)
	}
}

func printStatus(opts *StatusOptions, records []StatusRecord, now time.Time) error {
	switch opts.Output {
	case "json":
		return cmdutil.PrintJSON(opts.IO.Out, records)
	case "yaml":
		return cmdutil.PrintYAML(opts.IO.Out, records)
	}
	wide := opts.Output == "wide"
	tty := opts.IO.IsStdoutTTY()
	t := cmdutil.NewTable(opts.IO)
	if tty {
		h := []string{"CONTEXT", "REACHABLE", "RTT", "VERSION", "LAST SEEN", "REASON"}
		if wide {
			h = append(h, "SERVER", "LABELS")
		}
		t.Row(h...)
	}
	for _, r := range records {
		var last time.Time
		if r.LastSeen != nil {
			last = *r.LastSeen
		}
		row := []string{
			r.Context,
			formatReachable(tty, r.Reachable),
			formatRTT(tty, r.Reachable, r.RTTMillis),
			dash(tty, r.Version),
			cmdutil.FormatTime(tty, now, last),
			dash(tty, r.Reason),
		}
		if wide {
			row = append(row, dash(tty, r.Server), dash(tty, formatLabels(r.Labels)))
		}
		t.Row(row...)
	}
	return t.Flush()
}

func formatReachable(tty, ok bool) string {
	switch {
	case !tty:
		return fmt.Sprint(ok)
	case ok:
		return "✓"
	}
	return "✗"
}

// formatRTT is "1.2ms" or "35ms" on a terminal and milliseconds with three
// decimals otherwise; empty or "-" when unreachable.
func formatRTT(tty, reachable bool, ms float64) string {
	switch {
	case !reachable:
		return dash(tty, "")
	case !tty:
		return fmt.Sprintf("%.3f", ms)
	case ms < 10:
		return fmt.Sprintf("%.1fms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.0fms", ms)
	}
	return fmt.Sprintf("%.1fs", ms/1000)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
