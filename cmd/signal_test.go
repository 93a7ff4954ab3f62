package cmd

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// TestCancelOnSignal: once ready returns, the signal cancels the context
// instead of ending the process (SIGUSR1 here, whose default action would
// end the test binary).
func TestCancelOnSignal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := cancelOnSignal(cancel, syscall.SIGUSR1)
	ready()
	ready() // a second wait returns at once
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SIGUSR1 did not cancel the context")
	}
}
