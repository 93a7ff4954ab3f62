// Package cmdutil holds what every command shares: the Factory of lazy
// dependencies, IOStreams, error types that decide exit codes, and the -o
// output helpers. It never reaches a cluster or the network by itself.
package cmdutil
