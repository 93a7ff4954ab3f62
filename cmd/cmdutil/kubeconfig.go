package cmdutil

import (
	"sort"
	"strings"

	"github.com/fogctl/fogctl/cluster"
	"github.com/spf13/cobra"
)

// KubeconfigFlag is the name of the flag that names one kubeconfig file,
// as kubectl's --kubeconfig.
const KubeconfigFlag = "kubeconfig"

// AddKubeconfigFlag adds --kubeconfig as a persistent flag of cmd, so
// every subcommand takes it.
func AddKubeconfigFlag(cmd *cobra.Command) {
	cmd.PersistentFlags().String(KubeconfigFlag, "", "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
}

// KubeconfigPath returns the --kubeconfig value visible from cmd when it
// runs ("" when the flag is unset or not defined).
func KubeconfigPath(cmd *cobra.Command) string {
	if fl := cmd.Flag(KubeconfigFlag); fl != nil {
		return fl.Value.String()
	}
	return ""
}

// KubeconfigLoader returns the Kubeconfig dependency of a command: it
// reads the files kubectl would read, honouring --kubeconfig.
func KubeconfigLoader(cmd *cobra.Command) func() (*cluster.Kubeconfig, error) {
	return func() (*cluster.Kubeconfig, error) {
		return cluster.LoadKubeconfig(KubeconfigPath(cmd))
	}
}

// FleetLoader returns the Fleet dependency of a command: the fleet file
// in fogctl's config directory.
func FleetLoader(f *Factory) func() (*cluster.Fleet, error) {
	return func() (*cluster.Fleet, error) {
		dir, err := f.ConfigDir()
		if err != nil {
			return nil, err
		}
		return cluster.LoadFleet(dir)
	}
}

// SelectContexts loads the kubeconfig and the fleet file and returns the
// contexts that selector (kubectl's -l syntax) and names (--contexts)
// pick. A selection error comes back as it is: callers decide whether it
// is a usage error.
func SelectContexts(kubeconfig func() (*cluster.Kubeconfig, error), fleet func() (*cluster.Fleet, error), selector string, names []string) (*cluster.Kubeconfig, *cluster.Fleet, []cluster.Context, error) {
	k, err := kubeconfig()
	if err != nil {
		return nil, nil, nil, err
	}
	fl, err := fleet()
	if err != nil {
		return nil, nil, nil, err
	}
	sel, err := k.Select(fl, selector, names)
	if err != nil {
		return nil, nil, nil, &selectError{err}
	}
	return k, fl, sel, nil
}

// selectError marks an error of the selection itself (a bad -l or an
// unknown --contexts name), as opposed to a file that does not load.
type selectError struct{ error }

func (e *selectError) Unwrap() error { return e.error }

// IsSelectError reports whether err came from the selection, not from
// loading the files.
func IsSelectError(err error) bool {
	_, ok := err.(*selectError)
	return ok
}

// SeenLoader returns the loader of last-seen times, kept in the state dir.
func SeenLoader(f *Factory) func() (*cluster.Seen, error) {
	return func() (*cluster.Seen, error) {
		dir, err := f.StateDir()
		if err != nil {
			return nil, err
		}
		return cluster.LoadSeen(dir)
	}
}

// AddSelectorFlags adds -l/--selector and --contexts to a command that
// acts on several contexts, with shell completion of label keys and
// context names.
func AddSelectorFlags(f *Factory, cmd *cobra.Command, selector *string, contexts *[]string) {
	cmd.Flags().StringVarP(selector, "selector", "l", "", "Only contexts whose fleet labels match, as kubectl -l: role=edge,line!=12,gpu")
	cmd.Flags().StringSliceVar(contexts, "contexts", nil, "Only these contexts (comma-separated names)")
	_ = cmd.RegisterFlagCompletionFunc("selector", func(c *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return CompleteSelector(f, toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	})
	_ = cmd.RegisterFlagCompletionFunc("contexts", func(c *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		prefix := ""
		if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
			prefix = toComplete[:i+1]
		}
		var out []string
		for _, n := range CompleteContextNames(c, toComplete[len(prefix):]) {
			out = append(out, prefix+n)
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	})
}

// CompleteContextNames returns the context names that start with prefix.
func CompleteContextNames(cmd *cobra.Command, prefix string) []string {
	k, err := cluster.LoadKubeconfig(KubeconfigPath(cmd))
	if err != nil {
		return nil
	}
	var out []string
	for _, c := range k.Contexts() {
		if strings.HasPrefix(c.Name, prefix) {
			out = append(out, c.Name)
		}
	}
	return out
}

// CompleteSelector completes the last requirement of a label selector:
// label keys, then key=value pairs with the values in use.
func CompleteSelector(f *Factory, toComplete string) []string {
	fl, err := FleetLoader(f)()
	if err != nil {
		return nil
	}
	prefix, last := "", toComplete
	if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
		prefix, last = toComplete[:i+1], toComplete[i+1:]
	}
	var out []string
	if key, val, ok := strings.Cut(last, "="); ok {
		neg := strings.HasSuffix(key, "!")
		key = strings.TrimSuffix(key, "!")
		seen := map[string]bool{}
		for _, n := range fl.Names() {
			if v, ok := fl.Entry(n).Labels[key]; ok && !seen[v] && strings.HasPrefix(v, val) {
				seen[v] = true
				op := "="
				if neg {
					op = "!="
				}
				out = append(out, prefix+key+op+v)
			}
		}
		sort.Strings(out)
		return out
	}
	neg := strings.HasPrefix(last, "!")
	for _, k := range fl.LabelKeys() {
		if strings.HasPrefix(k, strings.TrimPrefix(last, "!")) {
			if neg {
				out = append(out, prefix+"!"+k)
			} else {
				out = append(out, prefix+k)
			}
		}
	}
	return out
}
