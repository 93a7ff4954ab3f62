// Package ctxcmd implements `fogctl ctx`: the kubeconfig contexts of the
// fleet (list, use, current, rename, delete, ns, merge, import, label and
// status). It parses flags into Options and leaves reading and editing
// kubeconfigs and the fleet file to package cluster; it never writes a
// kubeconfig by itself.
package ctxcmd
