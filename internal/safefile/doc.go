// Package safefile writes files that people care about without ever
// leaving them half-written: an advisory lock shared by concurrent fogctl
// processes (it dies with its holder), kubectl's O_EXCL lock file of a
// kubeconfig (LockKubectl), a temporary file in the same directory with
// the same mode, fsync, rename, fsync of the directory, and one backup of
// the previous version.
//
// safefile never decides what goes into a file, never prints, and never
// removes a lock file another program created.
package safefile
