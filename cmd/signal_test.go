//go:build unix

package cmd

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
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

// TestEditsWaitForSignals: a command that edits the kubeconfig starts
// only once SIGINT and SIGTERM would cancel it (Factory.SignalsReady):
// when fogctl is told to wait, the kubeconfig is as it was and no
// kubectl lock exists yet. A command that changes nothing does not wait.
func TestEditsWaitForSignals(t *testing.T) {
	f, _, errOut := testFactory(t)
	kubeconfig := os.Getenv("KUBECONFIG")
	before := `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:6443"}
users:
- name: u
  user: {token: t}
contexts:
- name: bus-17
  context: {cluster: c, user: u}
- name: bus-18
  context: {cluster: c, user: u}
current-context: bus-17
`
	if err := os.WriteFile(kubeconfig, []byte(before), 0o600); err != nil {
		t.Fatal(err)
	}
	var waits int
	f.SignalsReady = func() {
		waits++
		if data, err := os.ReadFile(kubeconfig); err != nil || string(data) != before {
			t.Errorf("the kubeconfig changed before signals were registered: %v\n%s", err, data)
		}
		if _, err := os.Lstat(kubeconfig + ".lock"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("kubectl's lock taken before signals were registered: %v", err)
		}
	}
	if code := Run(context.Background(), f, []string{"ctx", "use", "bus-18"}); code != 0 {
		t.Fatalf("ctx use: exit %d\n%s", code, errOut)
	}
	if waits != 1 {
		t.Errorf("ctx use waited for signals %d times, want 1", waits)
	}
	if data, _ := os.ReadFile(kubeconfig); !strings.Contains(string(data), "current-context: bus-18") {
		t.Errorf("ctx use did not switch:\n%s", data)
	}
	waits = 0
	for _, args := range [][]string{{"version"}, {"runs", "list"}} {
		if code := Run(context.Background(), f, args); code != 0 {
			t.Fatalf("%s: exit %d\n%s", args, code, errOut)
		}
	}
	if waits != 0 {
		t.Errorf("read-only commands waited for signals %d times", waits)
	}
}
