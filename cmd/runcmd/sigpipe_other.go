//go:build !unix

package runcmd

// keepRunningOnClosedPipe: only Unix kills a process that writes to a
// closed pipe.
func keepRunningOnClosedPipe() {}
