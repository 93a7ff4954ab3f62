package ctxcmd

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// ImportOptions are the parsed flags of `fogctl ctx import`.
type ImportOptions struct {
	IO         *cmdutil.IOStreams
	Kubeconfig func() (*cluster.Kubeconfig, error)
	Fleet      func() (*cluster.Fleet, error)
	Ctx        context.Context

	File      string
	Name      string
	Server    string
	Labels    []string
	Overwrite bool
}

// NewCmdImport builds `fogctl ctx import`.
func NewCmdImport(f *cmdutil.Factory, runF func(*ImportOptions) error) *cobra.Command {
	opts := &ImportOptions{IO: f.IOStreams, Fleet: cmdutil.FleetLoader(f)}
	cmd := &cobra.Command{
		Use:   "import FILE --name NAME",
		Short: "Add a k3s.yaml as a context of its own",
		Long: `Add the one context of a kubeconfig such as k3s's /etc/rancher/k3s/k3s.yaml,
whose cluster, user and context are all called "default", under NAME.
--server replaces the server URL (k3s writes https://127.0.0.1:6443): give
a whole URL, or just the host (for example the node's overlay IP) to keep
the scheme and port. FILE "-" reads standard input.`,
		Example: `  fogctl ctx import k3s.yaml --name bus-17 --server 10.147.17.21
  ssh bus-17 sudo cat /etc/rancher/k3s/k3s.yaml | fogctl ctx import - --name bus-17 --label role=edge`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if opts.Name == "" {
				return cmdutil.FlagErrorf("--name is required: the name of the new context")
			}
			if strings.Contains(opts.Server, "://") {
				u, err := url.Parse(opts.Server)
				if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
					return cmdutil.FlagErrorf("--server %q is not a URL like https://10.147.17.21:6443 (or give just the host: 10.147.17.21)", opts.Server)
				}
			}
			if _, _, err := cluster.ParseLabelArgs(opts.Labels); err != nil {
				return cmdutil.FlagErrorf("--label: %s", err)
			}
			opts.Kubeconfig = cmdutil.KubeconfigLoader(cmd)
			opts.Ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return importRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "Name of the new context, cluster and user")
	cmd.Flags().StringVar(&opts.Server, "server", "", "Server URL, or host, to use instead of the file's")
	cmd.Flags().StringSliceVar(&opts.Labels, "label", nil, "Fleet labels of the new context (k=v, repeatable)")
	cmd.Flags().BoolVar(&opts.Overwrite, "overwrite", false, "Replace a context, cluster or user of that name")
	return cmd
}

func importRun(opts *ImportOptions) error {
	ctx := orBackground(opts.Ctx)
	src := opts.File
	if src == "-" {
		dir, err := os.MkdirTemp("", "fogctl-import-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		data, err := io.ReadAll(opts.IO.In)
		if err != nil {
			return fmt.Errorf("import: read standard input: %w", err)
		}
		src = filepath.Join(dir, "stdin.yaml")
		if err := os.WriteFile(src, data, 0o600); err != nil {
			return err
		}
	}
	k, err := opts.Kubeconfig()
	if err != nil {
		return err
	}
	err = k.Update(ctx, func(tx *cluster.Tx) error {
		return tx.Import(src, cluster.ImportOptions{Name: opts.Name, Server: opts.Server, Overwrite: opts.Overwrite})
	})
	if err != nil {
		return err
	}
	if len(opts.Labels) > 0 {
		set, _, _ := cluster.ParseLabelArgs(opts.Labels)
		fleet, err := opts.Fleet()
		if err == nil {
			err = fleet.UpdateEntry(ctx, opts.Name, func(e *cluster.FleetEntry) error {
				if e.Labels == nil {
					e.Labels = map[string]string{}
				}
				for k, v := range set {
					e.Labels[k] = v
				}
				return nil
			})
		}
		if err != nil {
			return fmt.Errorf("imported %q, but could not label it: %w", opts.Name, err)
		}
	}
	c, _ := k.Context(opts.Name)
	fmt.Fprintf(opts.IO.ErrOut, "✓ Imported context %s (%s) into %s\n", opts.Name, c.Server, c.File)
	return nil
}
