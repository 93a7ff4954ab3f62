package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/fogctl/fogctl/workflow"
)

const runID = "r-20261123-0200-7f3a"

// diamondRunning: fetch done, clean on its second attempt, enrich running.
func diamondRunning() (*RunModel, *script) {
	m := newTestModel(diamond(), 80, 24)
	s := &script{runID: runID}
	s.at(0, "", workflow.StateRunning).
		at(0, "fetch", workflow.StateRunning, attempt(1, 1), withInput(`{}`)).
		at(420, "fetch", workflow.StateSucceeded, attempt(1, 1), withOutput(`{"pm25":[12,14,80]}`)).
		at(421, "clean", workflow.StateRunning, attempt(1, 3), withInput(`{"pm25":[12,14,80]}`)).
		at(421, "enrich", workflow.StateRunning, attempt(1, 1)).
		at(650, "clean", workflow.StateRetrying, attempt(1, 3), withErr("HTTP 503: warming up")).
		at(850, "clean", workflow.StateRunning, attempt(2, 3))
	send(m, s.evs...)
	m.Update(tickMsg(t0.Add(1500 * time.Millisecond)))
	return m, s
}

func TestRunViewDiamondRunning(t *testing.T) {
	m, _ := diamondRunning()
	frame := m.View().Content
	checkFrame(t, frame, 80, 24)
	golden(t, "TestRunView_diamond_running", frame)

	if m.done != 1 || m.failed != 0 {
		t.Errorf("done, failed = %d, %d; want 1, 0", m.done, m.failed)
	}
	if got := m.nodes[m.lay.index["clean"]].attempt; got != 2 {
		t.Errorf("clean attempt = %d, want 2", got)
	}
}

// failedRun: clean fails all three attempts; store and report never run.
func failedRun() *RunModel {
	g := Graph{Nodes: []GraphNode{
		{Name: "sensor-a", Kind: "http"},
		{Name: "sensor-b", Kind: "http"},
		{Name: "clean", Kind: "http", Deps: []string{"sensor-a", "sensor-b"}},
		{Name: "store", Kind: "http", Deps: []string{"clean"}},
		{Name: "report", Kind: "exec", Deps: []string{"clean"}},
	}}
	m := newTestModel(g, 80, 24)
	s := &script{runID: runID}
	s.at(0, "", workflow.StateRunning).
		at(0, "sensor-a", workflow.StateRunning, attempt(1, 1)).
		at(0, "sensor-b", workflow.StateRunning, attempt(1, 1)).
		at(310, "sensor-a", workflow.StateSucceeded, attempt(1, 1), withOutput(`{"a":1}`)).
		at(350, "sensor-b", workflow.StateSucceeded, attempt(1, 1), withOutput(`{"b":2}`)).
		at(351, "clean", workflow.StateRunning, attempt(1, 3), withInput(`{"a":1,"b":2}`)).
		at(500, "clean", workflow.StateRetrying, attempt(1, 3), withErr("HTTP 500: disk full")).
		at(700, "clean", workflow.StateRunning, attempt(2, 3)).
		at(800, "clean", workflow.StateRetrying, attempt(2, 3), withErr("HTTP 500: disk full")).
		at(1200, "clean", workflow.StateRunning, attempt(3, 3)).
		at(1300, "clean", workflow.StateFailed, attempt(3, 3), withErr("HTTP 500: disk full")).
		at(1300, "store", workflow.StateUpstreamFailed, withErr(`dependency "clean" failed`)).
		at(1300, "report", workflow.StateUpstreamFailed, withErr(`dependency "clean" failed`)).
		at(1301, "", workflow.StateFailed, withErr(`node "clean" failed: HTTP 500: disk full`))
	m.Update(eventMsg{events: s.evs, closed: true})
	return m
}

func TestRunViewFailedUpstream(t *testing.T) {
	m := failedRun()
	frame := m.View().Content
	checkFrame(t, frame, 80, 24)
	golden(t, "TestRunView_failed_upstream", frame)
	if m.done != 5 || m.failed != 3 {
		t.Errorf("done, failed = %d, %d; want 5, 3", m.done, m.failed)
	}
	if m.running() {
		t.Error("run still going after its final event and a closed channel")
	}
}

func TestRunViewInspector(t *testing.T) {
	m, s := diamondRunning()
	s.at(1600, "clean", workflow.StateSucceeded, attempt(2, 3), withOutput(`{"pm25":[12,14],"dropped":1}`)).
		at(1700, "enrich", workflow.StateSucceeded, attempt(1, 1), withOutput(`{"site":"depot"}`), withStderr("enrich: 3 readings without site, defaulted\n"))
	send(m, s.evs[len(s.evs)-2:]...)
	m.Update(tickMsg(t0.Add(1800 * time.Millisecond)))
	keys(m, "l", "enter") // fetch -> clean
	if m.mode != modeInspect || m.lay.names[m.cursor] != "clean" {
		t.Fatalf("mode %d on %q, want the inspector on clean", m.mode, m.lay.names[m.cursor])
	}
	frame := m.View().Content
	checkFrame(t, frame, 80, 24)
	golden(t, "TestRunView_inspector", frame)
	for _, want := range []string{"#1/3", "#2/3", "HTTP 503: warming up", `"dropped": 1`} {
		if !strings.Contains(frame, want) {
			t.Errorf("inspector lacks %q", want)
		}
	}
	keys(m, "esc", "j", "enter") // clean -> enrich (exec: stderr shown)
	all := strings.Join(m.inspectorLines(), "\n")
	if !strings.Contains(all, "Stderr") || !strings.Contains(all, "without site") {
		t.Errorf("exec node inspector lacks its stderr:\n%s", all)
	}
}

func TestRunViewHelp(t *testing.T) {
	m, _ := diamondRunning()
	keys(m, "?")
	frame := m.View().Content
	checkFrame(t, frame, 80, 24)
	golden(t, "TestRunView_help", frame)
	keys(m, "?")
	if m.mode != modeDAG {
		t.Errorf("? again left mode %d, want the DAG", m.mode)
	}
}

// hundred is a 20x5 layered DAG partway through its run: taller and wider
// than 80x24, so the view scrolls both ways.
func hundred(w, h int) *RunModel {
	m := newTestModel(layered(20, 5), w, h)
	s := &script{runID: runID}
	s.at(0, "", workflow.StateRunning)
	ms := 0
	for k := range 3 {
		for i := range 20 {
			name := fmt.Sprintf("n%02d-%02d", k, i)
			s.at(ms, name, workflow.StateRunning, attempt(1, 3))
			switch {
			case k < 2:
				s.at(ms+100, name, workflow.StateSucceeded, attempt(1, 3))
			case i == 3:
				s.at(ms+150, name, workflow.StateRetrying, attempt(1, 3), withErr("exit status 1"))
			}
		}
		ms += 200
	}
	send(m, s.evs...)
	m.Update(tickMsg(t0.Add(900 * time.Millisecond)))
	return m
}

func TestRunView100Nodes80x24(t *testing.T) {
	m := hundred(80, 24)
	frame := m.View().Content
	checkFrame(t, frame, 80, 24)
	golden(t, "TestRunView_100_nodes_80x24", frame)

	// The cursor walks right and down; the view follows it.
	keys(m, "l", "l", "l", "l")
	for range 19 {
		keys(m, "j")
	}
	if got := m.lay.names[m.cursor]; got[:3] != "n04" {
		t.Errorf("cursor on %s after 4 moves right, want layer n04", got)
	}
	if m.layerOff == 0 || m.rowOff == 0 {
		t.Errorf("view did not scroll to the cursor: layerOff %d rowOff %d", m.layerOff, m.rowOff)
	}
	frame = m.View().Content
	checkFrame(t, frame, 80, 24)
	if !strings.Contains(frame, "›") {
		t.Errorf("cursor not on screen after scrolling:\n%s", frame)
	}
}

func TestRunViewFilter(t *testing.T) {
	m := hundred(80, 24)
	keys(m, "/", "0", "3", "-", "1")
	if got := len(m.list); got != 10 {
		t.Fatalf("filter \"03-1\" keeps %d nodes, want 10 (n03-10 .. n03-19)", got)
	}
	keys(m, "backspace", "backspace", "backspace", "enter")
	if m.editingFilter || m.filter != "0" {
		t.Fatalf("after enter: editing %v filter %q", m.editingFilter, m.filter)
	}
	keys(m, "esc")
	if m.filtering() {
		t.Fatal("esc did not clear the filter")
	}

	m = failedRun()
	keys(m, "f")
	var names []string
	for _, i := range m.list {
		names = append(names, m.lay.names[i])
	}
	if got := strings.Join(names, ","); got != "clean,store,report" {
		t.Errorf("failed only lists %s, want clean,store,report", got)
	}
	frame := m.View().Content
	checkFrame(t, frame, 80, 24)
	if !strings.Contains(frame, "HTTP 500: disk full") {
		t.Errorf("failed list lacks the error:\n%s", frame)
	}
	keys(m, "j", "enter")
	if m.mode != modeInspect || m.lay.names[m.cursor] != "store" {
		t.Errorf("enter in the list inspects %q (mode %d), want store", m.lay.names[m.cursor], m.mode)
	}
}

func TestRunViewKeysTypedTogether(t *testing.T) {
	m := hundred(80, 24)
	m.Update(textMsg("/n04"))
	if !m.editingFilter || m.filter != "n04" || len(m.list) != 20 {
		t.Errorf("\"/n04\" in one read: editing %v filter %q (%d nodes); want editing \"n04\" (20 nodes)", m.editingFilter, m.filter, len(m.list))
	}
}

// TestRunViewPaste: pasted text goes into the filter being typed, and is
// never taken for keys ("q" pasted does not quit).
func TestRunViewPaste(t *testing.T) {
	m := hundred(80, 24)
	if _, cmd := m.Update(tea.PasteMsg{Content: "qy"}); cmd != nil || m.confirmQuit || m.editingFilter {
		t.Fatalf("a paste outside the filter acted as keys (confirmQuit %v, editing %v)", m.confirmQuit, m.editingFilter)
	}
	keys(m, "/")
	m.Update(tea.PasteMsg{Content: "n04\n"})
	if !m.editingFilter || m.filter != "n04" || len(m.list) != 20 {
		t.Errorf("pasted \"n04\\n\" into the filter: editing %v filter %q (%d nodes); want editing \"n04\" (20 nodes)", m.editingFilter, m.filter, len(m.list))
	}
}

func TestRunViewQuitAsksWhileRunning(t *testing.T) {
	m, _ := diamondRunning()
	_, cmd := m.Update(keyMsg("q"))
	if cmd != nil || !m.confirmQuit {
		t.Fatal("q while running did not ask first")
	}
	if !strings.Contains(m.View().Content, "Quit and cancel it?") {
		t.Error("no question on screen")
	}
	m.Update(keyMsg("n"))
	if m.confirmQuit {
		t.Fatal("n did not dismiss the question")
	}
	m.Update(keyMsg("ctrl+c"))
	_, cmd = m.Update(keyMsg("y"))
	if cmd == nil || !isQuit(cmd) || !m.QuitEarly() {
		t.Fatalf("y did not quit early (quitEarly %v)", m.QuitEarly())
	}

	m = failedRun()
	_, cmd = m.Update(keyMsg("q"))
	if !isQuit(cmd) || m.QuitEarly() {
		t.Errorf("q after the run ended: quit %v, quitEarly %v; want quit without asking", isQuit(cmd), m.QuitEarly())
	}
}

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

func TestRunViewTicks(t *testing.T) {
	m, _ := diamondRunning()
	before := m.View().Content
	_, cmd := m.Update(tickMsg(t0.Add(2500 * time.Millisecond)))
	if cmd == nil {
		t.Fatal("tick while running did not re-arm")
	}
	after := m.View().Content
	if before == after {
		t.Error("a tick changed nothing on screen (elapsed and spinner should move)")
	}
	if !strings.Contains(after, "2.5s") {
		t.Errorf("header elapsed not 2.5s after the tick:\n%s", after)
	}
	m = failedRun()
	if _, cmd := m.Update(tickMsg(t0.Add(5 * time.Second))); cmd != nil {
		t.Error("tick re-armed after the run ended")
	}
}

func TestRunViewResize(t *testing.T) {
	m, _ := diamondRunning()
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {40, 12}, {200, 60}, {80, 24}} {
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		for _, mode := range []string{"", "?", "enter", "/"} {
			if mode != "" {
				keys(m, mode)
			}
			checkFrame(t, m.View().Content, sz[0], sz[1])
			keys(m, "esc")
		}
	}
}

func TestRunViewEventsThroughChannel(t *testing.T) {
	ch := make(chan workflow.Event, 8)
	m := NewRunModel(diamond(), "", ch, nil, asciiStyles())
	s := &script{runID: runID}
	s.at(0, "", workflow.StateRunning).at(0, "fetch", workflow.StateRunning, attempt(1, 1))
	for _, ev := range s.evs {
		ch <- ev
	}
	close(ch)
	msg := waitForEvent(ch, nil)()
	em, ok := msg.(eventMsg)
	if !ok || len(em.events) != 2 || !em.closed {
		t.Fatalf("waitForEvent = %#v, want both events and closed", msg)
	}
	_, cmd := m.Update(em)
	if cmd != nil {
		t.Error("re-armed after the channel closed")
	}
	if m.runID != runID {
		t.Errorf("run ID %q, want it from the events", m.runID)
	}
}

func TestRunViewColour(t *testing.T) {
	m, _ := diamondRunning()
	if strings.Contains(m.View().Content, "\x1b[") {
		t.Error("NO_COLOR frame holds escapes")
	}
	c := NewRunModel(diamond(), runID, nil, nil, colorStyles())
	c.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if !strings.Contains(c.View().Content, "\x1b[") {
		t.Error("colour frame holds no escapes")
	}
}

// TestRunViewOnlyVisibleIsRendered: a frame of a 1000-node DAG draws the
// cells on screen and no other, wherever the view has scrolled to.
func TestRunViewOnlyVisibleIsRendered(t *testing.T) {
	m := NewRunModel(layered(100, 10), runID, nil, nil, asciiStyles())
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	colW := m.cellW + gutterWidth
	maxCells := (80/colW + 1) * m.dagHeight()
	for _, moves := range [][]string{nil, {"l", "l", "l", "l", "l"}, {"G"}, {"pgdown", "pgdown", "l"}} {
		keys(m, moves...)
		frame := m.View().Content
		checkFrame(t, frame, 80, 24)
		if m.drawn == 0 || m.drawn > maxCells {
			t.Errorf("after %v the frame drew %d node cells, want 1..%d (what fits on screen)", moves, m.drawn, maxCells)
		}
		cur := m.lay.names[m.cursor]
		if !regexp.MustCompile(`›\S ` + cur).MatchString(frame) {
			t.Errorf("after %v the cursor (%s) is not on screen:\n%s", moves, cur, frame)
		}
	}
}

// TestRunViewContextEnds: SIGTERM or Ctrl-C from outside the terminal ends
// the caller's context; the view says so and quits once the engine has
// closed its channel, without asking.
func TestRunViewContextEnds(t *testing.T) {
	m, s := diamondRunning()
	if _, cmd := m.Update(ctxDoneMsg{}); cmd != nil {
		t.Fatal("quit before the engine closed its channel")
	}
	if !strings.Contains(m.View().Content, "cancelling…") {
		t.Errorf("header does not say the run is being cancelled:\n%s", m.View().Content)
	}
	s.at(1600, "clean", workflow.StateCancelled, attempt(2, 3), withErr("context canceled")).
		at(1600, "enrich", workflow.StateCancelled, attempt(1, 1), withErr("context canceled")).
		at(1601, "", workflow.StateCancelled)
	_, cmd := m.Update(eventMsg{events: s.evs[len(s.evs)-3:], closed: true})
	if !isQuit(cmd) || m.QuitEarly() {
		t.Errorf("after the channel closed: quit %v, quitEarly %v; want quit, not early", isQuit(cmd), m.QuitEarly())
	}
	if !strings.Contains(m.View().Content, "⊗ cancelled") {
		t.Errorf("header does not show the run cancelled:\n%s", m.View().Content)
	}
}

// TestRunViewSkipLayerEdges: an edge that skips layers (fetch -> store)
// runs through the layers between as a line of its own.
func TestRunViewSkipLayerEdges(t *testing.T) {
	g := Graph{Nodes: []GraphNode{
		{Name: "fetch"}, {Name: "clean", Deps: []string{"fetch"}}, {Name: "enrich", Deps: []string{"clean"}},
		{Name: "store", Deps: []string{"enrich", "fetch"}}, {Name: "audit", Deps: []string{"fetch"}},
	}}
	m := newTestModel(g, 80, 24)
	frame := m.View().Content
	checkFrame(t, frame, 80, 24)
	golden(t, "TestRunView_skip_layer_edges", frame)
	if m.lay.skipped != 0 {
		t.Errorf("%d edges not drawn, want all drawn", m.lay.skipped)
	}
}
