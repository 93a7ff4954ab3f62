//go:build fogctlinits

package main

// Built with -tags fogctlinits, the floor pays at start what any program
// built on fogctl's libraries pays: it links the command-line, TUI, YAML
// and locking libraries fogctl is built on, so their package
// initialisation runs, and it registers for SIGINT and SIGTERM, as a
// runner that ends a run "cancelled" on Ctrl-C must, on a goroutine it
// never waits for (generous: fogctl waits before its first node starts).
// It uses none of the libraries otherwise. fogctl's own packages are not
// linked: what they cost is fogctl's to answer for.
import (
	"os"
	"os/signal"
	"syscall"

	_ "charm.land/bubbletea/v2"
	_ "github.com/charmbracelet/x/ansi"
	_ "github.com/gofrs/flock"
	_ "github.com/mattn/go-isatty"
	_ "github.com/spf13/cobra"
	_ "go.yaml.in/yaml/v3"
)

func init() {
	go signal.Notify(make(chan os.Signal, 1), os.Interrupt, syscall.SIGTERM)
}
