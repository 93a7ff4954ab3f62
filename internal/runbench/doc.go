// Package runbench measures `fogctl run` as operators and cron meet it: a
// whole process per run, process start, parsing and the durable run
// record included, against the floor (./floor), a minimal hand-written
// client that calls the same loopback services in topological order with
// maximal parallelism and merges outputs by the same rule. It holds only
// tests and benchmarks; it never ships in the fogctl binary.
package runbench
