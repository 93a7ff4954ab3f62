package cluster

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/internal/safefile"
)

// These tests hold fogctl's kubeconfig edits to kubectl's lock protocol:
// client-go's clientcmd.ModifyConfig creates <file>.lock with O_EXCL
// before it writes a kubeconfig file, removes it afterwards, and fails
// when it exists.

// fileState is what a test compares to show that a file was not touched.
type fileState struct {
	data    string
	modTime time.Time
}

func stateOf(t *testing.T, path string) fileState {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileState{string(data), st.ModTime()}
}

// staleKubectlLock leaves path.lock behind as a killed kubectl does: an
// empty file created with O_EXCL.
func staleKubectlLock(t *testing.T, path string) string {
	t.Helper()
	lp := path + ".lock"
	f, err := os.OpenFile(lp, os.O_CREATE|os.O_EXCL, 0)
	if err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	return lp
}

// assertNoKubectlLock fails if a kubectl lock file of any of paths exists.
func assertNoKubectlLock(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Lstat(p + ".lock"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s.lock after the edit: %v, want it gone", p, err)
		}
	}
}

// eventually polls cond until it holds, failing the test after 10s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		<-tick.C
	}
}

// TestUpdateHoldsKubectlsLock runs the real kubectl while fogctl is inside
// an edit: kubectl fails on the lock file instead of writing, fogctl's
// change lands whole, and kubectl works again once fogctl is done.
func TestUpdateHoldsKubectlsLock(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed (scripts/test.sh installs it)")
	}
	cases := []struct {
		name string
		// kubectlFile is the one file kubectl edits, by its index in the
		// KUBECONFIG list fogctl edits.
		files       []string
		kubectlFile int
	}{
		{"one_file", []string{"full.yaml"}, 0},
		// fogctl changes current-context in the first file; kubectl, on
		// the second file alone, is held off as well: fogctl read it.
		{"other_file_of_the_list", []string{"multi-a.yaml", "multi-b.yaml"}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var paths []string
			for _, f := range c.files {
				paths = append(paths, fixture(t, dir, f))
			}
			kpath := paths[c.kubectlFile]
			runKubectl := func(args ...string) (string, error) {
				cmd := exec.Command(kubectl, append([]string{"config"}, args...)...)
				cmd.Env = append(os.Environ(), "HOME="+dir, "KUBECONFIG="+kpath)
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			k, err := LoadKubeconfigFiles("", paths)
			if err != nil {
				t.Fatal(err)
			}
			k.LockTimeout = time.Second
			before := stateOf(t, kpath)
			var kubectlOut string
			err = k.Update(context.Background(), func(tx *Tx) error {
				if err := tx.Use("bus-18"); err != nil {
					return err
				}
				out, err := runKubectl("use-context", "bus-17")
				if err == nil {
					t.Errorf("kubectl config use-context succeeded while fogctl held the kubeconfig:\n%s", out)
				}
				kubectlOut = out
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if want := "open " + kpath + ".lock: file exists"; !strings.Contains(kubectlOut, want) {
				t.Errorf("kubectl said %q, want it to fail with %q", kubectlOut, want)
			}
			assertNoKubectlLock(t, paths...)
			if len(paths) > 1 {
				if after := stateOf(t, kpath); after != before {
					t.Errorf("%s changed although neither fogctl nor kubectl could write it:\n%s", kpath, after.data)
				}
			}
			again, err := LoadKubeconfigFiles("", paths)
			if err != nil {
				t.Fatalf("after the edit: %v", err)
			}
			if got := again.Current(); got != "bus-18" {
				t.Errorf("current-context = %q, want fogctl's bus-18", got)
			}
			// kubectl is not held off any more.
			if out, err := runKubectl("use-context", "bus-17"); err != nil {
				t.Errorf("kubectl after fogctl's edit: %v\n%s", err, out)
			}
		})
	}
}

// TestUpdateStaleKubectlLock: a <file>.lock that nobody removes makes the
// edit fail once the lock timeout is over, naming the file to remove, and
// leaves the kubeconfig and the lock file as they were. With a list of
// files, the lock files fogctl created for the others are gone.
func TestUpdateStaleKubectlLock(t *testing.T) {
	cases := []struct {
		name  string
		files []string
		stale int // index of the file with a stale lock
	}{
		{"one_file", []string{"full.yaml"}, 0},
		{"second_of_two", []string{"multi-a.yaml", "multi-b.yaml"}, 1},
		{"first_of_two", []string{"multi-a.yaml", "multi-b.yaml"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var paths []string
			var before []fileState
			for _, f := range c.files {
				p := fixture(t, dir, f)
				paths = append(paths, p)
				before = append(before, stateOf(t, p))
			}
			lp := staleKubectlLock(t, paths[c.stale])
			lockBefore, _ := os.Stat(lp)
			k, err := LoadKubeconfigFiles("", paths)
			if err != nil {
				t.Fatal(err)
			}
			k.LockTimeout = 50 * time.Millisecond
			called := false
			err = k.Update(context.Background(), func(tx *Tx) error {
				called = true
				return tx.Use("bus-18")
			})
			var le *safefile.KubectlLockedError
			if !errors.As(err, &le) {
				t.Fatalf("Update = %v, want a *safefile.KubectlLockedError", err)
			}
			want := "kubeconfig " + paths[c.stale] + " is locked by kubectl: waited $W for " + lp + " to go (kubectl leaves it behind when killed: if no kubectl is running, remove " + lp + ")"
			if got := strings.Replace(err.Error(), le.Waited.Round(100*time.Millisecond).String(), "$W", 1); got != want {
				t.Errorf("error:\n got %s\nwant %s", got, want)
			}
			if le.Waited < k.LockTimeout {
				t.Errorf("waited %s, want the lock timeout %s", le.Waited, k.LockTimeout)
			}
			if called {
				t.Error("the edit ran without kubectl's lock")
			}
			for i, p := range paths {
				if got := stateOf(t, p); got != before[i] {
					t.Errorf("%s was written:\n%s", p, got.data)
				}
			}
			lockAfter, err := os.Stat(lp)
			if err != nil || !os.SameFile(lockBefore, lockAfter) || lockAfter.Size() != 0 {
				t.Errorf("the stale %s was touched: %v", lp, err)
			}
			for i, p := range paths {
				if i != c.stale {
					assertNoKubectlLock(t, p)
				}
			}
		})
	}
}

// TestUpdateWaitsForKubectlsLock: a <file>.lock that goes away while
// fogctl waits lets the edit go on.
func TestUpdateWaitsForKubectlsLock(t *testing.T) {
	dir := t.TempDir()
	path := fixture(t, dir, "full.yaml")
	before := stateOf(t, path)
	lp := staleKubectlLock(t, path)
	k, err := LoadKubeconfig(path)
	if err != nil {
		t.Fatal(err)
	}
	k.LockTimeout = 30 * time.Second
	removed := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- k.Update(context.Background(), func(tx *Tx) error {
			select {
			case <-removed:
			default:
				t.Errorf("the edit ran while %s existed", lp)
			}
			// The lock file is there again, and it is fogctl's.
			if data, err := os.ReadFile(lp); err != nil || !strings.Contains(string(data), " "+strconv.Itoa(os.Getpid())+" ") {
				t.Errorf("%s during the edit: %q %v, want it created by this process", lp, data, err)
			}
			return tx.Use("bus-18")
		})
	}()
	// fogctl writes its PID into its own lock file once it holds it, and
	// takes kubectl's lock right after.
	eventually(t, "fogctl to take its own lock", func() bool {
		st, err := os.Stat(path + safefile.LockSuffix)
		return err == nil && st.Size() > 0
	})
	select {
	case err := <-done:
		t.Fatalf("Update returned (%v) while %s existed", err, lp)
	default:
	}
	if got := stateOf(t, path); got != before {
		t.Fatalf("%s written while kubectl's lock existed", path)
	}
	if err := os.Remove(lp); err != nil {
		t.Fatal(err)
	}
	close(removed)
	if err := <-done; err != nil {
		t.Fatalf("Update after the lock file went: %v", err)
	}
	if k.Current() != "bus-18" {
		t.Errorf("current-context = %q, want bus-18", k.Current())
	}
	assertNoKubectlLock(t, path)
}

// TestUpdateLeavesNoKubectlLock: whatever way an edit ends, it leaves no
// <file>.lock of its own behind.
func TestUpdateLeavesNoKubectlLock(t *testing.T) {
	errCallback := errors.New("callback failed")
	cases := []struct {
		name string
		// prepare runs after the kubeconfig is loaded and before Update.
		prepare func(t *testing.T, paths []string)
		fn      func(tx *Tx) error
		wantErr string
	}{
		{name: "changed", fn: func(tx *Tx) error { return tx.Use("bus-18") }},
		{name: "unchanged", fn: func(tx *Tx) error { return tx.Use("bus-17") }},
		{name: "callback_fails", fn: func(tx *Tx) error {
			if err := tx.Use("bus-18"); err != nil {
				return err
			}
			return errCallback
		}, wantErr: "callback failed"},
		{name: "edit_refused", fn: func(tx *Tx) error { return tx.Use("no-such-context") }, wantErr: "no-such-context"},
		{
			name: "file_broken_after_load",
			prepare: func(t *testing.T, paths []string) {
				if err := os.WriteFile(paths[1], []byte("contexts: [\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			fn:      func(tx *Tx) error { return tx.Use("bus-18") },
			wantErr: "multi-b.yaml",
		},
		{
			name: "fogctl_lock_held",
			prepare: func(t *testing.T, paths []string) {
				unlock, err := safefile.Lock(context.Background(), paths[1], time.Second)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(unlock)
			},
			fn:      func(tx *Tx) error { return tx.Use("bus-18") },
			wantErr: "is locked by",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			paths := []string{fixture(t, dir, "multi-a.yaml"), fixture(t, dir, "multi-b.yaml")}
			k, err := LoadKubeconfigFiles("", paths)
			if err != nil {
				t.Fatal(err)
			}
			k.LockTimeout = 50 * time.Millisecond
			if c.prepare != nil {
				c.prepare(t, paths)
			}
			err = k.Update(context.Background(), c.fn)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("Update: %v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("Update = %v, want an error containing %q", err, c.wantErr)
			}
			assertNoKubectlLock(t, paths...)
		})
	}
}
