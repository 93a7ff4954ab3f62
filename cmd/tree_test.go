package cmd

import (
	"testing"

	"github.com/spf13/cobra"
)

// TestNoCommandTwice: no command has two subcommands answering to the
// same name or alias (`fogctl ctx --help` listed status twice, and shell
// completion offered it twice).
func TestNoCommandTwice(t *testing.T) {
	f, _, _ := testFactory(t)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		seen := map[string]string{}
		for _, sub := range c.Commands() {
			for _, name := range append([]string{sub.Name()}, sub.Aliases...) {
				if prev, ok := seen[name]; ok {
					t.Errorf("%q has two subcommands answering to %q: %s and %s", c.CommandPath(), name, prev, sub.Use)
				}
				seen[name] = sub.Use
			}
			walk(sub)
		}
	}
	walk(NewCmdRoot(f))
}
