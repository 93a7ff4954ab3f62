// Package ctxproc holds the tests of `fogctl ctx` that need the fogctl
// binary as real processes: the stress test of concurrent writers killed
// with SIGKILL, and the benchmarks against kubectl. It has no code of its
// own outside tests.
package ctxproc
