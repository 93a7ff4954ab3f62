// Package workflow owns fogctl's workflow files and its DAG engine: parsing
// (fogctl's Workflow format and the reference engine's plain DAG files),
// validation that reports every problem at once with file, line and node,
// and Run, which executes one goroutine per node and reports state changes
// as Events on a channel.
//
// workflow never prints and never touches a terminal: callers read the
// event channel and render it (cmd/runcmd for plain and JSON lines, tui/
// for the live DAG).
package workflow
