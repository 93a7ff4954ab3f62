package runstore

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fogctl/fogctl/workflow"
)

// TestClaim: a run being written cannot be claimed; once it has ended one
// claim holds it, a second fails with ErrBusy, Running, List and Load
// still say what the run was (not running), and Release removes the
// claim file and lets the next claim in.
func TestClaim(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, data := noopWorkflow(t, 3)
	r, err := s.Create(Meta{Workflow: "/w/fan.yaml", Nodes: 3}, data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(r.ID()); !errors.Is(err, ErrBusy) {
		t.Errorf("claim of a running run: %v, want ErrBusy", err)
	}
	r.Append(workflow.Event{Time: time.Now(), State: workflow.StateFailed})
	if err := r.Close(true); err != nil {
		t.Fatal(err)
	}
	c, err := s.Claim(r.ID())
	if err != nil {
		t.Fatal(err)
	}
	// Being resumed is not running: runs list and runs show still say
	// what the run was (here failed), and prune leaves it alone.
	if s.Running(r.ID()) {
		t.Error("Running reports a claimed run as running")
	}
	if sums, err := s.List(); err != nil || len(sums) != 1 || sums[0].State != workflow.StateFailed {
		t.Errorf("List of a claimed run: %+v, %v; want one run, failed", sums, err)
	}
	if l, err := s.Load(r.ID()); err != nil || l.Summary().State != workflow.StateFailed {
		t.Errorf("Load of a claimed run: %v; want failed", err)
	}
	if !s.claimed(r.ID()) {
		t.Error("claimed does not report a claimed run")
	}
	if ids, _ := s.IDs(); len(ids) != 1 || ids[0] != r.ID() {
		t.Errorf("IDs with a claim file: %v, want [%s]", ids, r.ID())
	}
	if _, err := s.Claim(r.ID()); !errors.Is(err, ErrBusy) {
		t.Errorf("second claim: %v, want ErrBusy", err)
	}
	c.Release()
	c.Release()
	if _, err := os.Lstat(filepath.Join(s.Dir(), r.ID()+claimExt)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("claim file after Release: %v, want removed", err)
	}
	c, err = s.Claim(r.ID())
	if err != nil {
		t.Fatalf("claim after release: %v", err)
	}
	c.Release()
	if _, err := s.Claim("20991231T000000-00000000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("claim of no run: %v, want ErrNotFound", err)
	}
}

// TestSuccessors follows resumedFrom links: a run resumed twice, once of
// which was resumed again, and a killed successor read from its header.
// TestClaimInterruptedRun: a killed run claimed for resuming still
// lists as interrupted (it listed as running while the resume ran); a
// claim file a killed resume left behind neither lists as a run nor
// stops the next claim, and prune removes it with its run.
func TestClaimInterruptedRun(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, data := noopWorkflow(t, 3)
	r, err := s.Create(Meta{Workflow: "/w/fan.yaml", Nodes: 3}, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(false); err != nil { // killed: no summary line
		t.Fatal(err)
	}
	c, err := s.Claim(r.ID())
	if err != nil {
		t.Fatal(err)
	}
	sums, err := s.List()
	if err != nil || len(sums) != 1 || sums[0].State != StateInterrupted {
		t.Fatalf("List while resuming: %+v, %v; want one run, interrupted", sums, err)
	}
	c.f.Close() // the resuming process dies: the file stays, unlocked
	c.f = nil
	claimPath := filepath.Join(s.Dir(), r.ID()+claimExt)
	if _, err := os.Lstat(claimPath); err != nil {
		t.Fatal(err)
	}
	if sums, _ := s.List(); len(sums) != 1 {
		t.Errorf("List with a stale claim file: %+v, want one run", sums)
	}
	c, err = s.Claim(r.ID())
	if err != nil {
		t.Fatalf("claim over a stale claim file: %v", err)
	}
	c.Release()
	// A claim left by a killed resume goes with its run.
	c, _ = s.Claim(r.ID())
	c.f.Close()
	c.f = nil
	s.Keep, s.pruneEvery, s.pruneGrace = 1, 0, 0
	r2, err := s.Create(Meta{Workflow: "/w/fan.yaml", Nodes: 3, Created: time.Now().Add(time.Hour)}, data)
	if err != nil {
		t.Fatal(err)
	}
	r2.Append(workflow.Event{Time: time.Now(), State: workflow.StateSucceeded})
	if err := r2.Close(true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(claimPath); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("claim file of a pruned run: %v, want removed", err)
	}
}

// TestClaimKeepsRunFromPrune: prune does not remove a run being resumed.
func TestClaimKeepsRunFromPrune(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, data := noopWorkflow(t, 3)
	r, err := s.Create(Meta{Workflow: "/w/fan.yaml", Nodes: 3}, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(false); err != nil {
		t.Fatal(err)
	}
	c, err := s.Claim(r.ID())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	s.Keep, s.pruneEvery, s.pruneGrace = 1, 0, 0
	r2, err := s.Create(Meta{Workflow: "/w/fan.yaml", Nodes: 3, Created: time.Now().Add(time.Hour)}, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := r2.Close(false); err != nil {
		t.Fatal(err)
	}
	if !s.exists(r.ID()) {
		t.Error("prune removed a run being resumed")
	}
}

func TestSuccessors(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, data := noopWorkflow(t, 3)
	t0 := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	mk := func(sec int, from string, end bool) string {
		r, err := s.Create(Meta{Workflow: "/w/fan.yaml", Nodes: 3, ResumedFrom: from, Created: t0.Add(time.Duration(sec) * time.Second)}, data)
		if err != nil {
			t.Fatal(err)
		}
		if end {
			r.Append(workflow.Event{Time: time.Now(), State: workflow.StateSucceeded})
			if err := r.Close(true); err != nil {
				t.Fatal(err)
			}
		} else if err := r.Close(false); err != nil { // killed: no summary line
			t.Fatal(err)
		}
		return r.ID()
	}
	a := mk(0, "", true)
	b := mk(1, a, true)
	c := mk(2, b, false)
	d := mk(3, a, true)
	next, last, err := s.Successors(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(next) != 2 || next[0].ID != b || next[1].ID != d || last.ID != d {
		t.Errorf("successors of a: %v, last %s; want [%s %s], last %s", next, last.ID, b, d, d)
	}
	next, last, _ = s.Successors(b)
	if len(next) != 1 || next[0].ID != c || next[0].State != StateInterrupted || last.ID != c {
		t.Errorf("successors of b: %+v, last %s; want %s interrupted", next, last.ID, c)
	}
	if next, last, _ = s.Successors(c); len(next) != 0 || last.ID != "" {
		t.Errorf("successors of c: %v, last %q; want none", next, last.ID)
	}
}

// TestClaimOneHolder: claims taken and released at once by 8 goroutines
// (flock locks are per open file, so they exclude each other as
// processes do) are never held by two at a time: Release removes the
// file while it still holds the lock, and a claim that locked a removed
// file takes the new one instead.
func TestClaimOneHolder(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, data := noopWorkflow(t, 1)
	r, err := s.Create(Meta{Workflow: "/w/one.yaml", Nodes: 1}, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(false); err != nil {
		t.Fatal(err)
	}
	var held, most, got atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 300 {
				c, err := s.Claim(r.ID())
				if errors.Is(err, ErrBusy) {
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				n := held.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				got.Add(1)
				time.Sleep(20 * time.Microsecond) // held a while, as a resume holds it
				held.Add(-1)
				c.Release()
			}
		}()
	}
	wg.Wait()
	if most.Load() != 1 || got.Load() == 0 {
		t.Errorf("claims held at once: at most %d (want 1), %d claims in all", most.Load(), got.Load())
	}
}
