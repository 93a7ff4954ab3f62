package tui

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/fogctl/fogctl/workflow"
)

// tickEvery is how often the clock and spinners advance while a run goes.
const tickEvery = 100 * time.Millisecond

// maxBatch bounds how many ready events one waitForEvent delivers at once,
// so a burst of events costs one frame, not one each.
const maxBatch = 512

// maxLog bounds the state-change lines kept for the events pane.
const maxLog = 1000

// tickMsg advances the clock and the spinners.
type tickMsg time.Time

// eventMsg carries events read from the engine's channel; closed says the
// channel was closed after them.
type eventMsg struct {
	events []workflow.Event
	closed bool
}

// ctxDoneMsg says the caller's context ended (SIGTERM, Ctrl-C from outside
// the terminal): the view shows the run winding down and quits when the
// engine closes its channel.
type ctxDoneMsg struct{}

// waitForEvent reads the next event, and whatever else is ready without
// waiting, from ch. Update re-arms it after each message. It captures only
// the channels, never the model.
func waitForEvent(ch <-chan workflow.Event, stop <-chan struct{}) tea.Cmd {
	return func() tea.Msg {
		var first workflow.Event
		select {
		case ev, ok := <-ch:
			if !ok {
				return eventMsg{closed: true}
			}
			first = ev
		case <-stop:
			return nil
		}
		msg := eventMsg{events: []workflow.Event{first}}
		for len(msg.events) < maxBatch {
			select {
			case ev, ok := <-ch:
				if !ok {
					msg.closed = true
					return msg
				}
				msg.events = append(msg.events, ev)
			default:
				return msg
			}
		}
		return msg
	}
}

func tick(d time.Duration) tea.Cmd {
	return tea.Tick(d, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// attemptView is one attempt of a node as the inspector shows it.
type attemptView struct {
	n          int
	start, end time.Time
	state      workflow.State
	err        string
}

// nodeView is what the run view knows of one node, built from events only.
type nodeView struct {
	state       workflow.State
	attempt     int
	maxAttempts int
	start, end  time.Time
	attempts    []attemptView
	input       string // pretty-printed
	output      string // pretty-printed
	err         string
	stderr      string
	reused      bool   // did not run: its output is an earlier run's
	reusedFrom  string // that run's ID, when known
}

type runMode int

const (
	modeDAG runMode = iota
	modeInspect
	modeHelp
)

// RunModel is the bubbletea model of a live run.
type RunModel struct {
	st     Styles
	keys   runKeys
	lay    *layout
	runID  string
	events <-chan workflow.Event
	stop   <-chan struct{}

	nodes  []nodeView
	done   int // nodes in a final state
	failed int // nodes failed or upstream-failed

	width, height int
	now           time.Time
	frame         int

	runState         workflow.State
	runStart, runEnd time.Time
	closed           bool
	cancelling       bool

	log []string

	// geometry of the DAG cells
	nameW, cellW int
	nameCells    []string // per node, the name padded or cut to nameW

	cursor           int // node index
	layerOff, rowOff int
	mode             runMode
	confirmQuit      bool
	filter           string
	editingFilter    bool
	failedOnly       bool
	list             []int // nodes the filter shows, in layout order
	listCur, listOff int
	inspectOff       int
	helpOff          int
	quitEarly        bool
	// drawn counts the node cells the last frame drew: only visible ones.
	drawn int
	// altScreen draws on the alternate screen.
	altScreen bool
}

// NewRunModel returns the run view of graph g, fed by events. stop, when
// closed, releases a waiting read of events (nil in tests).
func NewRunModel(g Graph, runID string, events <-chan workflow.Event, stop <-chan struct{}, st Styles) *RunModel {
	m := &RunModel{
		st:     st,
		keys:   newRunKeys(),
		lay:    newLayout(g),
		runID:  runID,
		events: events,
		stop:   stop,
		width:  80,
		height: 24,
	}
	m.nodes = make([]nodeView, len(m.lay.names))
	for i := range m.nodes {
		m.nodes[i].state = workflow.StatePending
	}
	longest := 0
	for _, n := range m.lay.shown {
		longest = max(longest, ansi.StringWidth(n))
	}
	m.nameW = min(max(longest, 6), 20)
	// mark, glyph, space, name, space, detail(5)
	m.cellW = m.nameW + 9
	m.nameCells = make([]string, len(m.lay.shown))
	for i, n := range m.lay.shown {
		m.nameCells[i] = fit(n, m.nameW)
	}
	if len(m.lay.layers) > 0 && len(m.lay.layers[0]) > 0 {
		m.cursor = m.lay.layers[0][0].node
	}
	return m
}

// fit cuts s to w cells (with an ellipsis) or pads it with spaces.
func fit(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

// QuitEarly reports whether the user quit while the run was still going.
func (m *RunModel) QuitEarly() bool { return m.quitEarly }

// Init starts reading events and the clock.
func (m *RunModel) Init() tea.Cmd {
	return tea.Batch(waitForEvent(m.events, m.stop), tick(tickEvery))
}

func (m *RunModel) running() bool {
	return !m.closed && !m.runState.Terminal()
}

// Update applies one message.
func (m *RunModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = max(msg.Width, 20), max(msg.Height, 8)
		m.follow()
		return m, nil
	case tickMsg:
		t := time.Time(msg)
		if t.After(m.now) {
			m.now = t
		}
		m.frame++
		if m.running() {
			return m, tick(tickEvery)
		}
		return m, nil
	case eventMsg:
		for _, ev := range msg.events {
			m.apply(ev)
		}
		if msg.closed {
			m.closed = true
		}
		if m.filtering() {
			m.refilter()
		}
		if m.closed {
			if m.cancelling {
				return m, tea.Quit
			}
			return m, nil
		}
		return m, waitForEvent(m.events, m.stop)
	case ctxDoneMsg:
		m.cancelling = true
		if !m.running() {
			return m, tea.Quit
		}
		return m, nil
	case tea.KeyPressMsg:
		// Keys typed faster than a read (over SSH, or tmux send-keys)
		// may arrive as one message: handle them one at a time.
		if keys := splitText(msg); keys != nil && !m.editingFilter {
			var cmds []tea.Cmd
			for _, k := range keys {
				_, cmd := m.key(k)
				cmds = append(cmds, cmd)
			}
			return m, tea.Batch(cmds...)
		}
		return m.key(msg)
	case tea.PasteMsg:
		// Pasted text goes into the filter being typed, never to the keys.
		if m.editingFilter {
			m.filter += workflow.SafeText(oneLine(msg.Content))
			m.refilter()
		}
	}
	return m, nil
}

// splitText splits a key press holding text of more than one character
// into one press a character, or returns nil.
func splitText(msg tea.KeyPressMsg) []tea.KeyPressMsg {
	if utf8.RuneCountInString(msg.Text) < 2 || msg.Mod&(tea.ModCtrl|tea.ModAlt) != 0 {
		return nil
	}
	var keys []tea.KeyPressMsg
	for _, r := range msg.Text {
		keys = append(keys, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return keys
}

// typed is the text a key press adds to a line being typed ("" for none).
func typed(msg tea.KeyPressMsg) string {
	if msg.Mod&(tea.ModCtrl|tea.ModAlt) != 0 {
		return ""
	}
	return msg.Text
}

// apply folds one engine event into the view. Whatever text it keeps from
// the event (names, errors, stderr, inputs, outputs) goes through
// workflow.SafeText: nodes and the services they call write it, and it
// must not reach the terminal as escapes.
func (m *RunModel) apply(ev workflow.Event) {
	ev.Error = workflow.SafeText(ev.Error)
	if !ev.Time.IsZero() && ev.Time.After(m.now) {
		m.now = ev.Time
	}
	if m.runStart.IsZero() && !ev.Time.IsZero() {
		m.runStart = ev.Time
	}
	if ev.Node == "" {
		if m.runID == "" {
			m.runID = workflow.SafeText(ev.RunID)
		}
		if ev.State.Terminal() {
			m.runState, m.runEnd = ev.State, ev.Time
		} else if m.runState == "" {
			m.runState = ev.State
		}
		m.logf(ev, "run", string(ev.State), ev.Error)
		return
	}
	i, ok := m.lay.index[ev.Node]
	if !ok {
		m.logf(ev, workflow.SafeText(ev.Node), string(ev.State), ev.Error)
		return
	}
	n := &m.nodes[i]
	wasDone, wasFailed := n.state.Terminal(), isFailed(n.state)
	if ev.Attempt > 0 {
		n.attempt = ev.Attempt
	}
	if ev.MaxAttempts > 0 {
		n.maxAttempts = ev.MaxAttempts
	}
	closeAttempt := func(s workflow.State) {
		if k := len(n.attempts) - 1; k >= 0 && n.attempts[k].end.IsZero() {
			n.attempts[k].end, n.attempts[k].state, n.attempts[k].err = ev.Time, s, ev.Error
		}
	}
	detail := ev.Error
	switch ev.State {
	case workflow.StateRunning:
		if n.start.IsZero() {
			n.start = ev.Time
		}
		closeAttempt(workflow.StateFailed)
		n.attempts = append(n.attempts, attemptView{n: max(ev.Attempt, len(n.attempts)+1), start: ev.Time, state: workflow.StateRunning})
		if len(ev.Input) > 0 {
			n.input = workflow.SafeText(pretty(ev.Input))
		}
		if n.maxAttempts > 1 {
			detail = fmt.Sprintf("attempt %d/%d", n.attempt, n.maxAttempts)
		}
	case workflow.StateRetrying:
		closeAttempt(workflow.StateFailed)
		detail = fmt.Sprintf("%d/%d: %s", ev.Attempt, max(n.maxAttempts-1, ev.Attempt), ev.Error)
	case workflow.StateSucceeded:
		closeAttempt(workflow.StateSucceeded)
		n.end, n.err = ev.Time, ""
		if ev.Reused {
			n.reused, n.reusedFrom = true, workflow.SafeText(ev.ReusedFrom)
			if n.start.IsZero() {
				n.start = ev.Time
			}
			detail = "reused"
			if n.reusedFrom != "" {
				detail += " from " + n.reusedFrom
			}
			if len(ev.Input) > 0 {
				n.input = workflow.SafeText(pretty(ev.Input))
			}
		}
		if len(ev.Output) > 0 {
			n.output = workflow.SafeText(pretty(ev.Output))
		}
	case workflow.StateFailed, workflow.StateCancelled:
		closeAttempt(ev.State)
		n.end = ev.Time
	case workflow.StateUpstreamFailed:
		n.end = ev.Time
	}
	if ev.Error != "" && ev.State != workflow.StateRunning {
		n.err = ev.Error
	}
	if ev.Stderr != "" {
		n.stderr = workflow.SafeText(ev.Stderr)
	}
	n.state = ev.State
	if !wasDone && n.state.Terminal() {
		m.done++
	} else if wasDone && !n.state.Terminal() {
		m.done--
	}
	if !wasFailed && isFailed(n.state) {
		m.failed++
	} else if wasFailed && !isFailed(n.state) {
		m.failed--
	}
	m.logf(ev, m.lay.shown[i], string(ev.State), detail)
}

func isFailed(s workflow.State) bool {
	return s == workflow.StateFailed || s == workflow.StateUpstreamFailed
}

func (m *RunModel) logf(ev workflow.Event, who, what, detail string) {
	at := "      "
	if !m.runStart.IsZero() && !ev.Time.IsZero() {
		at = fmt.Sprintf("%6s", "+"+shortDur(ev.Time.Sub(m.runStart)))
	}
	line := fmt.Sprintf("%s  %-*s  %s", at, min(m.nameW, 24), who, what)
	if detail != "" {
		line += "  " + strings.ReplaceAll(detail, "\n", " ")
	}
	if len(m.log) >= maxLog {
		m.log = append(m.log[:0], m.log[len(m.log)-maxLog/2:]...)
	}
	m.log = append(m.log, line)
}

// shortDur fits a duration in five cells: "0.9s", "12s", "1m02s", "1h02m".
func shortDur(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// elapsed is how long node i has run so far, or ran.
func (m *RunModel) elapsed(i int) (time.Duration, bool) {
	n := &m.nodes[i]
	if n.start.IsZero() {
		return 0, false
	}
	end := n.end
	if end.IsZero() {
		end = m.now
	}
	return end.Sub(n.start), true
}

// ---- keys ----

func (m *RunModel) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	if m.confirmQuit {
		switch {
		case key.Matches(msg, k.Yes):
			m.quitEarly = m.running()
			return m, tea.Quit
		case key.Matches(msg, k.No):
			m.confirmQuit = false
		}
		return m, nil
	}
	if key.Matches(msg, k.Interrupt) {
		return m.quit()
	}
	if m.editingFilter {
		switch {
		case key.Matches(msg, k.FilterKeep):
			m.editingFilter = false
		case key.Matches(msg, k.FilterClear):
			m.editingFilter = false
			m.filter = ""
			m.refilter()
		case key.Matches(msg, k.Erase):
			if r := []rune(m.filter); len(r) > 0 {
				m.filter = string(r[:len(r)-1])
				m.refilter()
			}
		case typed(msg) != "":
			m.filter += workflow.SafeText(typed(msg))
			m.refilter()
		case msg.Code == tea.KeyUp:
			m.moveList(-1)
		case msg.Code == tea.KeyDown:
			m.moveList(1)
		}
		return m, nil
	}
	switch m.mode {
	case modeHelp:
		switch {
		case key.Matches(msg, k.Help), key.Matches(msg, k.Close):
			m.mode = modeDAG
		case key.Matches(msg, k.Down):
			m.helpOff++
		case key.Matches(msg, k.Up):
			m.helpOff = max(0, m.helpOff-1)
		}
		return m, nil
	case modeInspect:
		body := m.bodyHeight()
		switch {
		case key.Matches(msg, k.Close):
			m.mode = modeDAG
		case key.Matches(msg, k.Down):
			m.inspectOff++
		case key.Matches(msg, k.Up):
			m.inspectOff--
		case key.Matches(msg, k.PageDown):
			m.inspectOff += body - 1
		case key.Matches(msg, k.PageUp):
			m.inspectOff -= body - 1
		case key.Matches(msg, k.Top):
			m.inspectOff = 0
		case key.Matches(msg, k.Bottom):
			m.inspectOff = 1 << 30
		case key.Matches(msg, k.Help):
			m.mode = modeHelp
		}
		m.inspectOff = max(0, min(m.inspectOff, len(m.inspectorLines())-body))
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.mode, m.helpOff = modeHelp, 0
	case key.Matches(msg, k.Filter):
		m.editingFilter = true
		m.refilter()
	case key.Matches(msg, k.FailedOnly):
		m.failedOnly = !m.failedOnly
		m.refilter()
	case key.Matches(msg, k.Back):
		if m.filtering() {
			m.filter, m.failedOnly = "", false
			m.refilter()
		}
	case key.Matches(msg, k.Inspect):
		if m.filtering() {
			if len(m.list) == 0 {
				return m, nil
			}
			m.cursor = m.list[m.listCur]
		}
		if len(m.nodes) > 0 {
			m.mode, m.inspectOff = modeInspect, 0
		}
	case m.filtering():
		switch {
		case key.Matches(msg, k.Up):
			m.moveList(-1)
		case key.Matches(msg, k.Down):
			m.moveList(1)
		case key.Matches(msg, k.PageUp):
			m.moveList(-m.dagHeight())
		case key.Matches(msg, k.PageDown):
			m.moveList(m.dagHeight())
		case key.Matches(msg, k.Top):
			m.moveList(-len(m.list))
		case key.Matches(msg, k.Bottom):
			m.moveList(len(m.list))
		}
	default:
		m.moveDAG(msg)
	}
	return m, nil
}

func (m *RunModel) quit() (tea.Model, tea.Cmd) {
	if m.running() {
		m.confirmQuit = true
		return m, nil
	}
	return m, tea.Quit
}

// ---- DAG navigation ----

func (m *RunModel) moveDAG(msg tea.KeyPressMsg) {
	if len(m.nodes) == 0 {
		return
	}
	k := m.keys
	l := m.lay
	layer, row := l.layerOf[m.cursor], l.rowOf[m.cursor]
	switch {
	case key.Matches(msg, k.Up):
		m.stepRow(layer, row, -1, 1)
	case key.Matches(msg, k.Down):
		m.stepRow(layer, row, 1, 1)
	case key.Matches(msg, k.PageUp):
		m.stepRow(layer, row, -1, m.dagHeight())
	case key.Matches(msg, k.PageDown):
		m.stepRow(layer, row, 1, m.dagHeight())
	case key.Matches(msg, k.Top):
		m.cursor = l.layers[0][0].node
	case key.Matches(msg, k.Bottom):
		last := l.layers[len(l.layers)-1]
		for r := len(last) - 1; r >= 0; r-- {
			if last[r].node >= 0 {
				m.cursor = last[r].node
				break
			}
		}
	case key.Matches(msg, k.Left):
		m.stepLayer(layer, row, -1)
	case key.Matches(msg, k.Right):
		m.stepLayer(layer, row, 1)
	}
	m.follow()
}

// stepRow moves the cursor n nodes up (dir -1) or down in its layer,
// skipping pass-through rows.
func (m *RunModel) stepRow(layer, row, dir, n int) {
	slots := m.lay.layers[layer]
	for r := row + dir; r >= 0 && r < len(slots) && n > 0; r += dir {
		if slots[r].node >= 0 {
			m.cursor = slots[r].node
			n--
		}
	}
}

// stepLayer moves to the nearest node by row in the next layer that has one.
func (m *RunModel) stepLayer(layer, row, dir int) {
	for j := layer + dir; j >= 0 && j < len(m.lay.layers); j += dir {
		best, bestD := -1, 0
		for r, s := range m.lay.layers[j] {
			if s.node < 0 {
				continue
			}
			d := r - row
			if d < 0 {
				d = -d
			}
			if best < 0 || d < bestD {
				best, bestD = s.node, d
			}
		}
		if best >= 0 {
			m.cursor = best
			return
		}
	}
}

// follow scrolls so the cursor is on screen.
func (m *RunModel) follow() {
	if len(m.nodes) == 0 {
		return
	}
	layer, row := m.lay.layerOf[m.cursor], m.lay.rowOf[m.cursor]
	colW := m.cellW + gutterWidth
	if layer < m.layerOff {
		m.layerOff = layer
	}
	for m.layerOff < layer && (layer-m.layerOff)*colW+m.cellW > m.width {
		m.layerOff++
	}
	h := m.dagHeight()
	if row < m.rowOff {
		m.rowOff = row
	}
	if row >= m.rowOff+h {
		m.rowOff = row - h + 1
	}
	m.rowOff = max(0, min(m.rowOff, m.lay.rows-h))
}

// ---- filter ----

func (m *RunModel) filtering() bool {
	return m.filter != "" || m.failedOnly || m.editingFilter
}

func (m *RunModel) refilter() {
	prev := -1
	if m.listCur < len(m.list) {
		prev = m.list[m.listCur]
	}
	m.list = m.list[:0]
	needle := strings.ToLower(m.filter)
	for _, layer := range m.lay.layers {
		for _, s := range layer {
			if s.node < 0 {
				continue
			}
			if m.failedOnly && !isFailed(m.nodes[s.node].state) {
				continue
			}
			if needle != "" && !strings.Contains(strings.ToLower(m.lay.names[s.node]), needle) {
				continue
			}
			m.list = append(m.list, s.node)
		}
	}
	m.listCur = 0
	for i, n := range m.list {
		if n == prev {
			m.listCur = i
		}
	}
	m.moveList(0)
}

func (m *RunModel) moveList(d int) {
	m.listCur = max(0, min(m.listCur+d, len(m.list)-1))
	h := m.dagHeight() - 1
	if m.listCur < m.listOff {
		m.listOff = m.listCur
	}
	if m.listCur >= m.listOff+h {
		m.listOff = m.listCur - h + 1
	}
	m.listOff = max(0, m.listOff)
}
