package runstore

import (
	"errors"
	"testing"
	"time"

	"github.com/fogctl/fogctl/workflow"
)

// TestClaim: a run being written cannot be claimed; once it has ended one
// claim holds it, a second fails with ErrBusy and Running reports it, and
// Release lets the next claim in.
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
	if !s.Running(r.ID()) {
		t.Error("Running does not report a claimed run")
	}
	if _, err := s.Claim(r.ID()); !errors.Is(err, ErrBusy) {
		t.Errorf("second claim: %v, want ErrBusy", err)
	}
	c.Release()
	c.Release()
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
