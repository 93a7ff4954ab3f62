package ctxcmd

import (
	"sort"
	"strings"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// ListOptions are the parsed flags of `fogctl ctx list`.
type ListOptions struct {
	IO         *cmdutil.IOStreams
	Kubeconfig func() (*cluster.Kubeconfig, error)
	Fleet      func() (*cluster.Fleet, error)

	Selector string
	Contexts []string
	Output   string
}

// ContextRecord is one context in `fogctl ctx list -o json|yaml`. Its
// field names are a public contract.
type ContextRecord struct {
	Name      string            `json:"name"`
	Current   bool              `json:"current"`
	Cluster   string            `json:"cluster"`
	Server    string            `json:"server"`
	User      string            `json:"user"`
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels"`
	File      string            `json:"file"`
	NetworkID string            `json:"networkId,omitempty"`
	MemberID  string            `json:"memberId,omitempty"`
	OverlayIP string            `json:"overlayIP,omitempty"`
}

// NewCmdList builds `fogctl ctx list`.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams, Fleet: cmdutil.FleetLoader(f)}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List contexts, the current one marked",
		Example: `  fogctl ctx list
  fogctl ctx list -l role=edge -o wide
  fogctl ctx list --contexts bus-17,bus-18 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Kubeconfig = cmdutil.KubeconfigLoader(cmd)
			if runF != nil {
				return runF(opts)
			}
			return listRun(opts)
		},
	}
	cmdutil.AddSelectorFlags(f, cmd, &opts.Selector, &opts.Contexts)
	cmdutil.AddOutputFlag(cmd, &opts.Output, "json", "yaml", "wide")
	return cmd
}

func listRun(opts *ListOptions) error {
	k, fleet, sel, err := cmdutil.SelectContexts(opts.Kubeconfig, opts.Fleet, opts.Selector, opts.Contexts)
	if cmdutil.IsSelectError(err) {
		return cmdutil.FlagErrorf("%s", err)
	} else if err != nil {
		return err
	}
	// A name defined twice in one file makes kubectl refuse the whole
	// file; a listing that showed one of the two would look healthy.
	if err := k.Duplicates(); err != nil {
		return err
	}
	cur := k.Current()
	records := make([]ContextRecord, 0, len(sel))
	for _, c := range sel {
		e := fleet.Entry(c.Name)
		labels := e.Labels
		if labels == nil {
			labels = map[string]string{}
		}
		records = append(records, ContextRecord{
			Name: c.Name, Current: c.Name == cur, Cluster: c.Cluster, Server: c.Server,
			User: c.User, Namespace: c.Namespace, Labels: labels, File: c.File,
			NetworkID: e.NetworkID, MemberID: e.MemberID, OverlayIP: e.OverlayIP,
		})
	}
	switch opts.Output {
	case "json":
		return cmdutil.PrintJSON(opts.IO.Out, records)
	case "yaml":
		return cmdutil.PrintYAML(opts.IO.Out, records)
	}
	wide := opts.Output == "wide"
	t := cmdutil.NewTable(opts.IO)
	tty := opts.IO.IsStdoutTTY()
	if tty {
		h := []string{"CURRENT", "NAME", "SERVER", "USER", "NAMESPACE", "LABELS"}
		if wide {
			h = append(h, "CLUSTER", "OVERLAY IP", "MEMBER", "FILE")
		}
		t.Row(h...)
	}
	for _, r := range records {
		mark := ""
		if r.Current {
			mark = "*"
		}
		row := []string{mark, r.Name, r.Server, r.User, dash(tty, r.Namespace), dash(tty, formatLabels(r.Labels))}
		if wide {
			row = append(row, r.Cluster, dash(tty, r.OverlayIP), dash(tty, r.MemberID), r.File)
		}
		t.Row(row...)
	}
	return t.Flush()
}

func dash(tty bool, s string) string {
	if s == "" && tty {
		return "-"
	}
	return s
}

func formatLabels(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + l[k]
	}
	return strings.Join(parts, ",")
}
