package cmdutil

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

// AddOutputFlag binds -o/--output to *target, accepting only the given
// formats (for example "json", "yaml", "wide"). The empty default is the table.
func AddOutputFlag(cmd *cobra.Command, target *string, formats ...string) {
	cmd.Flags().StringVarP(target, "output", "o", "", "Output format: "+strings.Join(formats, "|"))
	_ = cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return formats, cobra.ShellCompDirectiveNoFileComp
	})
	prev := cmd.PreRunE
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		if *target != "" && !contains(formats, *target) {
			return FlagErrorf("unknown output format %q: use one of %s", *target, strings.Join(formats, ", "))
		}
		if prev != nil {
			return prev(c, args)
		}
		return nil
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// PrintJSON writes v as indented JSON with a trailing newline.
func PrintJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// PrintYAML writes v as YAML with the same field names as its JSON form, so
// -o yaml and -o json carry the same records.
func PrintYAML(w io.Writer, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var generic yaml.Node
	if err := yaml.Unmarshal(data, &generic); err != nil {
		return err
	}
	blockStyle(&generic)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&generic); err != nil {
		return err
	}
	return enc.Close()
}

// blockStyle clears the flow and quoting styles that JSON input leaves on
// every node, so the YAML comes out in block style as kubectl prints it.
// Strings that would read as another type stay quoted: the encoder quotes
// them itself.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// Table prints rows: aligned columns on a terminal, tab-separated values
// otherwise (so `cut -f` and `awk -F'\t'` work).
type Table struct {
	w   io.Writer
	tty bool
	tw  *tabwriter.Writer
}

// NewTable returns a Table writing to io.Out.
func NewTable(io *IOStreams) *Table {
	t := &Table{w: io.Out, tty: io.IsStdoutTTY()}
	if t.tty {
		t.tw = tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	}
	return t
}

// Row adds one row.
func (t *Table) Row(fields ...string) {
	line := strings.Join(fields, "\t") + "\n"
	if t.tty {
		fmt.Fprint(t.tw, line)
		return
	}
	fmt.Fprint(t.w, line)
}

// Flush writes what is buffered.
func (t *Table) Flush() error {
	if t.tw != nil {
		return t.tw.Flush()
	}
	return nil
}

// FormatTime renders t for people on a terminal ("2m ago") and as RFC 3339
// otherwise. The zero time is "never" on a terminal and "" otherwise.
func FormatTime(tty bool, now, t time.Time) string {
	if t.IsZero() {
		if tty {
			return "never"
		}
		return ""
	}
	if !tty {
		return t.UTC().Format(time.RFC3339)
	}
	return FuzzyAgo(now, t)
}

// FuzzyAgo says how long ago t was: "just now", "2m ago", "3h ago", "4d ago".
func FuzzyAgo(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return "in " + FormatDuration(-d)
	case d < 5*time.Second:
		return "just now"
	}
	return FormatDuration(d) + " ago"
}

// FormatDuration is a short human duration: "850ms", "12s", "3m", "5h", "2d".
func FormatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
