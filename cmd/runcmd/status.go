package runcmd

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/workflow"
)

// statusRedraw is how often the compact status redraws at most.
const statusRedraw = 100 * time.Millisecond

// statusMaxActive is how many running nodes the status lists by name.
const statusMaxActive = 5

// statusMaxNodes is the largest run whose nodes the final summary lists
// one a line; a larger run ends with the counts alone.
const statusMaxNodes = 30

// compactStatus is the live view of a run on a terminal until the TUI
// replaces it: a few lines redrawn in place (the run, and the nodes
// running now), a line printed above them for each retry and failure, and
// a summary when the run ends. It draws on io.Out with plain ANSI cursor
// movement and no colour.
func compactStatus(ctx context.Context, ios *cmdutil.IOStreams, wf *workflow.Workflow, events <-chan workflow.Event) error {
	s := newStatusView(ios, wf)
	tick := time.NewTicker(statusRedraw)
	defer tick.Stop()
	dirty := false
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				// Execute prints the summary, for every live view.
				s.clear()
				return s.w.Flush()
			}
			s.add(ev)
			dirty = true
		case <-tick.C:
			if dirty || s.tally.state == workflow.StateRunning {
				s.draw()
				dirty = false
				if err := s.w.Flush(); err != nil {
					drain(events)
					return err
				}
			}
		}
	}
}

func newStatusView(ios *cmdutil.IOStreams, wf *workflow.Workflow) *statusView {
	return &statusView{
		w:     bufio.NewWriter(ios.Out),
		width: ios.TerminalWidth(),
		wf:    wf,
		now:   time.Now,
		nodes: map[string]*nodeStatus{},
	}
}

// printSummary writes the run's summary, as a live view ends: one line
// per node for a small run, then the outcome.
func (s *statusView) printSummary() error {
	s.finish()
	return s.w.Flush()
}

type nodeStatus struct {
	name     string
	state    workflow.State
	attempt  int
	max      int
	started  time.Time
	finished time.Time
	err      string
	reused   bool // did not run: its output is the resumed run's
}

type statusView struct {
	w     *bufio.Writer
	width int
	wf    *workflow.Workflow
	now   func() time.Time
	runID string
	tally runTally
	nodes map[string]*nodeStatus
	drawn int // lines of the redrawn region now on screen
	// quiet follows the run without printing as it goes (the summary
	// Execute prints after a live view).
	quiet bool
}

func (s *statusView) add(ev workflow.Event) {
	s.tally.add(ev)
	if ev.RunID != "" {
		s.runID = ev.RunID
	}
	if ev.Node == "" {
		return
	}
	n := s.nodes[ev.Node]
	if n == nil {
		n = &nodeStatus{name: ev.Node}
		s.nodes[ev.Node] = n
	}
	n.state = ev.State
	if ev.Attempt > 0 {
		n.attempt, n.max = ev.Attempt, ev.MaxAttempts
	}
	if ev.State == workflow.StateRunning && n.started.IsZero() {
		n.started = ev.Time
	}
	if ev.State.Terminal() {
		n.finished = ev.Time
	}
	if ev.Error != "" {
		n.err = ev.Error
	}
	n.reused = ev.Reused
	if s.quiet {
		return
	}
	switch ev.State {
	case workflow.StateRetrying:
		s.above(fmt.Sprintf("↻ %s attempt %s failed: %s; retrying", ev.Node, attemptOf(ev.Attempt, ev.MaxAttempts), oneLine(ev.Error)))
	case workflow.StateFailed:
		s.above(fmt.Sprintf("✗ %s failed: %s", ev.Node, oneLine(ev.Error)))
	case workflow.StateSucceeded:
		if ev.Attempt > 1 {
			s.above(fmt.Sprintf("✓ %s succeeded on attempt %s", ev.Node, attemptOf(ev.Attempt, ev.MaxAttempts)))
		}
	}
}

func attemptOf(a, max int) string {
	if max > 0 {
		return fmt.Sprintf("%d/%d", a, max)
	}
	return fmt.Sprint(a)
}

// above prints a line that stays, above the redrawn region.
func (s *statusView) above(line string) {
	s.clear()
	fmt.Fprintln(s.w, s.fit(line))
}

// clear erases the redrawn region and leaves the cursor where it began.
func (s *statusView) clear() {
	if s.drawn > 0 {
		fmt.Fprintf(s.w, "\x1b[%dF\x1b[J", s.drawn)
		s.drawn = 0
	}
}

func (s *statusView) fit(line string) string {
	r := []rune(line)
	if s.width > 1 && len(r) >= s.width {
		return string(r[:s.width-2]) + "…"
	}
	return line
}

func (s *statusView) draw() {
	s.clear()
	t := &s.tally
	done := 0
	for _, st := range t.nodes {
		if st.Terminal() {
			done++
		}
	}
	elapsed := ""
	if !t.started.IsZero() {
		elapsed = " · " + shortDuration(s.now().Sub(t.started))
	}
	lines := []string{fmt.Sprintf("▸ %s · run %s · %d/%d done%s", s.wf.Name, s.runID, done, len(s.wf.Nodes), elapsed)}
	var active []*nodeStatus
	for _, n := range s.nodes {
		if n.state == workflow.StateRunning || n.state == workflow.StateRetrying {
			active = append(active, n)
		}
	}
	sort.Slice(active, func(i, j int) bool {
		if !active[i].started.Equal(active[j].started) {
			return active[i].started.Before(active[j].started)
		}
		return active[i].name < active[j].name
	})
	for i, n := range active {
		if i == statusMaxActive {
			lines = append(lines, fmt.Sprintf("  … and %d more running", len(active)-i))
			break
		}
		line := fmt.Sprintf("  %s %s", n.name, n.state)
		if n.max > 1 {
			line += " attempt " + attemptOf(n.attempt, n.max)
		}
		if !n.started.IsZero() {
			line += " · " + shortDuration(s.now().Sub(n.started))
		}
		lines = append(lines, line)
	}
	for _, l := range lines {
		fmt.Fprintln(s.w, s.fit(l))
	}
	s.drawn = len(lines)
}

// finish replaces the region with the run's summary: one line per node
// for a small run, then the outcome.
func (s *statusView) finish() {
	s.clear()
	t := &s.tally
	if len(s.wf.Nodes) <= statusMaxNodes {
		tw := newAligned(s.w)
		for _, node := range s.wf.Nodes {
			n := s.nodes[node.Name]
			if n == nil {
				tw.row("  "+symbol(workflow.StatePending), node.Name, string(workflow.StatePending), "", "", "")
				continue
			}
			attempts := ""
			if n.reused {
				attempts = "reused"
			} else if n.attempt > 0 {
				attempts = fmt.Sprintf("%d attempt", n.attempt)
				if n.attempt > 1 {
					attempts += "s"
				}
			}
			took := ""
			if !n.started.IsZero() && !n.finished.IsZero() {
				// Right-aligned, fixed width: the columns do not move
				// with the digits.
				took = fmt.Sprintf("%6s", shortDuration(n.finished.Sub(n.started)))
			}
			errText := ""
			if n.state != workflow.StateSucceeded {
				errText = oneLine(n.err)
			}
			tw.row("  "+symbol(n.state), node.Name, string(n.state), attempts, took, errText)
		}
		tw.flush(s.width)
	}
	took := ""
	if !t.started.IsZero() && !t.finished.IsZero() {
		took = " in " + shortDuration(t.finished.Sub(t.started))
	}
	fmt.Fprintf(s.w, "%s run %s %s%s: %s\n", symbol(t.state), s.runID, t.state, took, t.counts())
}

func symbol(s workflow.State) string {
	switch s {
	case workflow.StateSucceeded:
		return "✓"
	case workflow.StateFailed:
		return "✗"
	case workflow.StateUpstreamFailed, workflow.StateCancelled:
		return "-"
	case workflow.StateRunning, workflow.StateRetrying:
		return "▸"
	}
	return "·"
}

// aligned lays out rows in columns separated by two spaces, trimming the
// last column to the terminal width.
type aligned struct {
	w    io.Writer
	rows [][]string
}

func newAligned(w io.Writer) *aligned { return &aligned{w: w} }

func (a *aligned) row(cells ...string) { a.rows = append(a.rows, cells) }

func (a *aligned) flush(width int) {
	var widths []int
	for _, r := range a.rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			if n := len([]rune(c)); n > widths[i] {
				widths[i] = n
			}
		}
	}
	for _, r := range a.rows {
		var b strings.Builder
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(c))))
			}
		}
		line := strings.TrimRight(b.String(), " ")
		if r := []rune(line); width > 1 && len(r) >= width {
			line = string(r[:width-2]) + "…"
		}
		fmt.Fprintln(a.w, line)
	}
	a.rows = nil
}

// shortDuration is a duration for the live status: "45ms", "1.9s", "2m5s".
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}
