// Package tui owns fogctl's terminal user interfaces: the live DAG of a run
// (RunWorkflow, used by `fogctl run` and `fogctl demo` on a terminal) and the
// fleet dashboard (`fogctl dash`).
//
// The run view only reads the engine's event channel: a waitForEvent command
// receives what is ready and is re-armed in Update, and time arrives as tick
// messages. tui never polls shared state, never starts a run and never
// cancels one: when the user quits early it says so, and the caller cancels.
// It never reads the environment for anything but what lipgloss and
// bubbletea read themselves (NO_COLOR, TERM, COLORTERM), and never writes
// files. It asks the terminal nothing before a view starts (bubbletea v2
// has no package init that does): its colours are the terminal's own 16,
// which suit a light or a dark background alike, so the background is
// never queried.
//
// styles.go is the only place a colour is named; keys.go holds every key
// binding with its help text.
package tui
