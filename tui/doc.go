// Package tui owns fogctl's terminal user interfaces: the live DAG of a run
// (RunWorkflow, used by `fogctl run` and `fogctl demo` on a terminal) and the
// fleet dashboard (`fogctl dash`).
//
// The run view only reads the engine's event channel: a waitForEvent command
// receives what is ready and is re-armed in Update, and time arrives as tick
// messages. tui never polls shared state, never starts a run and never
// cancels one: when the user quits early it says so, and the caller cancels.
// It never reads the environment for anything but what bubbletea reads
// itself when a view starts (NO_COLOR, TERM, COLORTERM), and never writes
// files. Nothing it links probes the terminal in a package init (bubbletea
// v2 does not; lipgloss is not linked, styles are x/ansi SGR sequences), so
// a command that shows no view pays nothing for it. Its colours are the
// terminal's own 16, which suit a light or a dark background alike: the
// background is never queried.
//
// styles.go is the only place a colour is named; keys.go holds every key
// binding with its help text.
package tui
