// Package versioncmd implements `fogctl version`.
package versioncmd

import (
	"fmt"
	"runtime"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdVersion builds `fogctl version`.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "version",
		Short:   "Print fogctl's version",
		Args:    cobra.NoArgs,
		Example: "  fogctl version\n  fogctl version -o json",
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := struct {
				Version   string `json:"version"`
				GoVersion string `json:"goVersion"`
				Platform  string `json:"platform"`
			}{f.Version, runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH}
			switch output {
			case "json":
				return cmdutil.PrintJSON(f.IOStreams.Out, info)
			case "yaml":
				return cmdutil.PrintYAML(f.IOStreams.Out, info)
			}
			_, err := fmt.Fprintf(f.IOStreams.Out, "fogctl %s (%s, %s)\n", info.Version, info.GoVersion, info.Platform)
			return err
		},
	}
	cmdutil.AddOutputFlag(cmd, &output, "json", "yaml")
	return cmd
}
