package runcmd

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fogctl/fogctl/workflow"
)

// TestAppendPlainNodeLine: a node's line is what the fmt-based printer
// wrote: time, "node", name, state, then "attempt n/m" and the error on
// one line.
func TestAppendPlainNodeLine(t *testing.T) {
	at := time.Date(2026, 11, 23, 2, 15, 1, 500, time.FixedZone("CET", 3600))
	for _, ev := range []workflow.Event{
		{Time: at, Node: "clean", State: workflow.StateRetrying, Attempt: 1, MaxAttempts: 3, Error: "HTTP 503: warming\tup\nagain"},
		{Time: at, Node: "clean", State: workflow.StateRunning, Attempt: 2, MaxAttempts: 3},
		{Time: at, Node: "store", State: workflow.StateUpstreamFailed, Error: `dependency "clean" failed`},
		{Time: at, Node: "noop", State: workflow.StateSucceeded},
		{Time: at, Node: "x", State: workflow.StateFailed, Attempt: 1, MaxAttempts: 1, Error: "two  spaces kept"},
		{Time: at, Node: "fetch", State: workflow.StateSucceeded, Reused: true, ReusedFrom: "20261123T021501-3f9a1c2d"},
		{Time: at, Node: "fetch", State: workflow.StateSucceeded, Reused: true},
	} {
		got := bytes.NewBuffer(appendPlain(nil, ev, &runTally{}))
		want := fmt.Sprintf("%s\tnode\t%s\t%s\t%s\n", ev.Time.UTC().Format(time.RFC3339), ev.Node, ev.State, oneLine(nodeDetail(ev)))
		if got.String() != want {
			t.Errorf("got  %q\nwant %q", got.String(), want)
		}
	}
}

// nodeDetail is how the node line's detail was made with fmt: the
// reference appendPlain is checked against.
func nodeDetail(ev workflow.Event) string {
	d := ""
	if ev.Reused {
		d = strings.TrimSuffix("reused from "+ev.ReusedFrom, " from ")
	} else if ev.Attempt > 0 && ev.MaxAttempts > 0 {
		d = fmt.Sprintf("attempt %d/%d", ev.Attempt, ev.MaxAttempts)
	}
	if ev.Error != "" {
		d = joinDetail(d, ev.Error)
	}
	return d
}

// blockedWriter blocks every Write until release is closed.
type blockedWriter struct {
	release chan struct{}
	mu      sync.Mutex
	got     bytes.Buffer
}

func (w *blockedWriter) Write(p []byte) (int, error) {
	<-w.release
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.got.Write(p)
}

// TestLineWriterNeverBlocksTheRun: a reader that does not read (a pager,
// a full pipe) holds up the lines, not the goroutine that records the
// run; every line is written once it reads again.
func TestLineWriterNeverBlocksTheRun(t *testing.T) {
	w := &blockedWriter{release: make(chan struct{})}
	lw := newLineWriter(w)
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		for i := range 10000 {
			lw.print(func(b []byte, _ workflow.Event) []byte { return fmt.Appendf(b, "line %d\n", i) }, workflow.Event{})
		}
	}()
	select {
	case <-printed:
	case <-time.After(30 * time.Second):
		t.Fatal("print blocked behind a writer that does not write")
	}
	close(w.release)
	if err := lw.close(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(w.got.String(), "\n"); n != 10000 {
		t.Errorf("%d lines written, want 10000", n)
	}
}
