package runcmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/tui"
	"github.com/fogctl/fogctl/workflow"
)

// LiveFunc renders a run as it happens on a terminal. It reads events until
// the channel is closed and returns then, or earlier when the user quits an
// interactive view: Execute then cancels the run. It prints nothing after
// it returns.
//
// DefaultLive is the TUI (package tui) when stdin and stdout are both
// terminals, and the compact status (compactStatus) otherwise.
type LiveFunc func(ctx context.Context, io *cmdutil.IOStreams, wf *workflow.Workflow, events <-chan workflow.Event) error

// lineFlushDelay is the longest a printed line waits in the buffer:
// lines written within it go out in one write(2), so a thousand nodes
// finishing at once cost a few writes rather than two thousand, and
// `fogctl run | tee` still shows every change within it.
const lineFlushDelay = 10 * time.Millisecond

// lineWriter prints lines on a goroutine of its own, so that a reader
// that does not keep up (a pager, a full pipe) never holds up the
// recording of the run: lines gather in memory, and the flusher writes
// them lineFlushDelay after the first of a burst. After a write error
// (the reader went away) it prints nothing more: the run goes on,
// recorded, unprinted.
type lineWriter struct {
	w    io.Writer
	wake chan struct{}
	done chan struct{}

	mu      sync.Mutex
	buf     []byte
	err     error
	closing bool
}

func newLineWriter(w io.Writer) *lineWriter {
	l := &lineWriter{w: w, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go l.flusher()
	return l
}

// print appends ev's line, made by format, and never blocks on the reader.
func (l *lineWriter) print(format func([]byte, workflow.Event) []byte, ev workflow.Event) {
	l.mu.Lock()
	if l.err == nil {
		l.buf = format(l.buf, ev)
	}
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (l *lineWriter) flusher() {
	defer close(l.done)
	delay := time.NewTimer(time.Hour)
	delay.Stop()
	var out []byte
	for range l.wake {
		l.mu.Lock()
		closing := l.closing
		l.mu.Unlock()
		if !closing {
			delay.Reset(lineFlushDelay)
			select {
			case <-delay.C:
			case <-l.wake: // close() asked for the rest now
				delay.Stop()
			}
		}
		l.mu.Lock()
		out, l.buf = l.buf, out[:0]
		closing = l.closing
		l.mu.Unlock()
		if len(out) > 0 {
			if _, err := l.w.Write(out); err != nil {
				l.mu.Lock()
				l.err = err
				l.buf = nil
				l.mu.Unlock()
			}
		}
		if closing {
			l.mu.Lock()
			empty := len(l.buf) == 0
			l.mu.Unlock()
			if empty {
				return
			}
		}
	}
}

// close writes what is left and returns the first write error.
func (l *lineWriter) close() error {
	l.mu.Lock()
	l.closing = true
	l.mu.Unlock()
	// Twice: one wakes the flusher, the other cuts its delay short.
	for range 2 {
		select {
		case l.wake <- struct{}{}:
		case <-l.done:
		}
	}
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// printEvents follows every event and prints it through lw with format:
// plain lines (for pipes, files and cron) or JSON lines (-o jsonl). It
// returns when events is closed and every line is written, with the first
// write error, if any.
//
// A plain line is tab-separated: RFC 3339 time, "run" or "node", the run
// ID or node name, the state, and what there is to say (attempt, error,
// counts).
//
//	2026-11-23T02:15:01Z	node	clean	retrying	attempt 1/3: HTTP 503: warming up
func printEvents(events <-chan workflow.Event, follow func(workflow.Event), lw *lineWriter, format func([]byte, workflow.Event) []byte) error {
	for ev := range events {
		follow(ev)
		lw.print(format, ev)
	}
	return lw.close()
}

// appendJSONLine appends ev as one JSON object a line (-o jsonl).
func appendJSONLine(b []byte, ev workflow.Event) []byte {
	data, err := json.Marshal(ev)
	if err != nil {
		return b // an Event always marshals
	}
	b = append(b, data...)
	return append(b, '\n')
}

func appendPlain(b []byte, ev workflow.Event, t *runTally) []byte {
	b = ev.Time.UTC().AppendFormat(b, time.RFC3339)
	if ev.Node == "" {
		detail := ""
		if ev.State.Terminal() {
			detail = t.counts()
		}
		if ev.Error != "" {
			detail = joinDetail(detail, ev.Error)
		}
		b = append(b, "\trun\t"...)
		b = append(b, ev.RunID...)
		b = append(b, '\t')
		b = append(b, ev.State...)
		b = append(b, '\t')
		b = append(b, oneLine(detail)...)
	} else {
		// "attempt 2/3" and the error, if any, on one line, without fmt
		// (TestAppendPlainNodeLine checks it against fmt): this runs for
		// every event of every piped run.
		b = append(b, "\tnode\t"...)
		b = append(b, ev.Node...)
		b = append(b, '\t')
		b = append(b, ev.State...)
		b = append(b, '\t')
		if ev.Reused {
			// It did not run: its output is the resumed run's.
			b = append(b, "reused"...)
			if ev.ReusedFrom != "" {
				b = append(b, " from "...)
				b = append(b, ev.ReusedFrom...)
			}
		} else if ev.Attempt > 0 && ev.MaxAttempts > 0 {
			b = append(b, "attempt "...)
			b = strconv.AppendInt(b, int64(ev.Attempt), 10)
			b = append(b, '/')
			b = strconv.AppendInt(b, int64(ev.MaxAttempts), 10)
			if ev.Error != "" {
				b = append(b, ": "...)
			}
		}
		b = append(b, oneLine(ev.Error)...)
	}
	return append(b, '\n')
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + ": " + b
}

// oneLine keeps a line a line, and a terminal a terminal: what a node
// wrote (an error quoting a response, a program's last stderr line) has
// its control characters made visible escapes (workflow.SafeText: an
// escape sequence must not set a terminal's title or colours), and its
// newlines and tabs become spaces.
func oneLine(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		// A CR (a Windows program's CRLF, a progress line) is white
		// space here, as it was before SafeText, not a visible \x0d.
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	s = workflow.SafeText(s)
	if !strings.ContainsAny(s, "\t\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// drain reads events to the end so the run is never blocked by a printer
// that stopped (a closed pipe).
func drain(events <-chan workflow.Event) {
	for range events {
	}
}

// runTally follows a run's events for the printers: node states, who was
// retried, the run's state and its first failure.
type runTally struct {
	state     workflow.State
	nodes     map[string]workflow.State
	order     []string
	retried   map[string]bool
	attempts  map[string]int
	firstFail workflow.Event
	started   time.Time
	finished  time.Time
}

func (t *runTally) add(ev workflow.Event) {
	if t.nodes == nil {
		t.nodes = map[string]workflow.State{}
		t.retried = map[string]bool{}
		t.attempts = map[string]int{}
	}
	if ev.Node == "" {
		t.state = ev.State
		if ev.State == workflow.StateRunning && t.started.IsZero() {
			t.started = ev.Time
		}
		if ev.State.Terminal() {
			t.finished = ev.Time
		}
		return
	}
	if _, ok := t.nodes[ev.Node]; !ok {
		t.order = append(t.order, ev.Node)
	}
	t.nodes[ev.Node] = ev.State
	if ev.Attempt > t.attempts[ev.Node] {
		t.attempts[ev.Node] = ev.Attempt
	}
	if ev.State == workflow.StateRetrying || ev.Attempt > 1 {
		t.retried[ev.Node] = true
	}
	if ev.State == workflow.StateFailed && t.firstFail.Node == "" {
		t.firstFail = ev
	}
}

// count returns how many nodes are in state s.
func (t *runTally) count(s workflow.State) int {
	n := 0
	for _, st := range t.nodes {
		if st == s {
			n++
		}
	}
	return n
}

// counts is "6 nodes: 5 succeeded, 1 failed (1 retried)", or "1 node: 1
// succeeded".
func (t *runTally) counts() string {
	var parts []string
	for _, s := range []workflow.State{workflow.StateSucceeded, workflow.StateFailed, workflow.StateUpstreamFailed, workflow.StateCancelled, workflow.StateRunning, workflow.StateRetrying, workflow.StatePending} {
		if n := t.count(s); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	s := fmt.Sprintf("%d nodes", len(t.nodes))
	if len(t.nodes) == 1 {
		s = "1 node"
	}
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	if n := len(t.retried); n > 0 {
		s += fmt.Sprintf(" (%d retried)", n)
	}
	return s
}

// DefaultLive is the live view `fogctl run` uses on a terminal, for other
// commands that run workflows the same way (`fogctl demo`).
func DefaultLive(ctx context.Context, ios *cmdutil.IOStreams, wf *workflow.Workflow, events <-chan workflow.Event) error {
	if !ios.CanPrompt() {
		return compactStatus(ctx, ios, wf, events)
	}
	cfg := tui.Config{In: ios.In, Out: ios.Out, Color: ios.ColorEnabled(), AltScreen: true}
	_, err := tui.RunGraph(ctx, cfg, tui.GraphOf(wf), "", events)
	return err
}
