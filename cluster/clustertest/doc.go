// Package clustertest starts real Kubernetes control planes for tests:
// kube-apiserver and etcd processes on 127.0.0.1, each plane with its own
// CA, serving certificate, admin token and admin client certificate. Every
// plane sits behind a loopback TCP proxy that a test can cut (refuse, or
// black-hole) and restore, to play a bus that drives out of coverage.
//
// The binaries are built once from their Go modules by
// scripts/kube-testenv.sh (`make testenv`) and found through
// FOGCTL_KUBE_ASSETS or the default cache directory. When they are missing
// Start fails the test: it never skips, since a skipped test proves nothing.
//
// clustertest owns the processes it starts and stops them by PID in
// t.Cleanup. It talks only to loopback addresses, and it is test code: it is
// never imported by the fogctl binary.
package clustertest
