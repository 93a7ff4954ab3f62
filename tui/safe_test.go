package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/fogctl/fogctl/workflow"
)

// hostile is what a node could write to take over the terminal: set the
// window title, change colours, clear the screen, a C1 CSI, a carriage
// return that overwrites the line.
const hostile = "\x1b]0;pwned\x07\x1b[31mRED\x1b[2J\u009b1mC1\rover"

// TestRunViewSanitizesNodeText: no control character that a node, a
// service or a file sent reaches the terminal through the run view (the
// DAG, the events pane, the filtered list, the inspector, the filter
// line): each shows as a visible escape. Before, an exec node's stderr
// printf '\033]0;pwned\007\033[31mRED' went to the terminal raw.
func TestRunViewSanitizesNodeText(t *testing.T) {
	evil := "ev\x1b[2Jil"
	g := Graph{Nodes: []GraphNode{
		{Name: "fetch", Kind: "http"},
		{Name: evil, Kind: "exec", Deps: []string{"fetch"}},
	}}
	m := newTestModel(g, 100, 40)
	s := &script{runID: "r-\x1b]0;id\x07"}
	s.at(0, "", workflow.StateRunning).
		at(10, "fetch", workflow.StateRunning, attempt(1, 1), withInput(`{"k": "`+"\\u009b31m"+`"}`)).
		at(20, "fetch", workflow.StateSucceeded, attempt(1, 1), withOutput(`{"title": "\u001b]0;x\u0007", "c1": "`+"\u009b"+`2J"}`)).
		at(30, evil, workflow.StateRunning, attempt(1, 2)).
		at(40, evil, workflow.StateRetrying, attempt(1, 2), withErr("exit status 1: "+hostile), withStderr(hostile+"\nsecond line\n")).
		at(50, evil, workflow.StateRunning, attempt(2, 2)).
		at(60, evil, workflow.StateFailed, attempt(2, 2), withErr("exit status 1: "+hostile), withStderr(hostile+"\nsecond line\n")).
		at(70, "ghost\x1b[5m", workflow.StateFailed, withErr(hostile)).
		at(80, "", workflow.StateFailed, withErr(`node "`+evil+`" failed: `+hostile))
	send(m, s.evs...)
	m.Update(tickMsg(t0.Add(100 * time.Millisecond)))

	var frames []string
	frames = append(frames, m.View().Content) // DAG and events pane
	keys(m, "l", "enter")
	if m.mode != modeInspect || m.lay.names[m.cursor] != evil {
		t.Fatalf("mode %d on %q, want the inspector on the exec node", m.mode, m.lay.names[m.cursor])
	}
	inspector := strings.Join(m.inspectorLines(), "\n")
	frames = append(frames, m.View().Content, inspector)
	keys(m, "esc", "h", "enter") // fetch: its input and output
	frames = append(frames, strings.Join(m.inspectorLines(), "\n"))
	keys(m, "esc", "f") // failed only: the list with errors
	frames = append(frames, m.View().Content)
	keys(m, "f", "/")
	m.Update(tea.PasteMsg{Content: "\x1b[31mev"})
	frames = append(frames, m.View().Content)

	for k, f := range frames {
		if i := strings.IndexFunc(f, func(r rune) bool {
			return r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f
		}); i >= 0 {
			t.Errorf("frame %d holds control character %q at %d:\n%s", k, f[i:i+1], i, f)
		}
	}
	for _, want := range []string{`\x1b]0;pwned\x07\x1b[31mRED`, "second line", `ev\x1b[2Jil`} {
		if !strings.Contains(inspector, want) {
			t.Errorf("the inspector does not show %q visibly:\n%s", want, inspector)
		}
	}
}

// TestDashSanitizesRemoteText: the dashboard shows what files and remote
// services say (a run's workflow, a ZeroTier member's name, a cluster's
// version, an error): no control character of theirs reaches the
// terminal.
func TestDashSanitizesRemoteText(t *testing.T) {
	m := newDash(t, &fakeFleet{}, true)
	m.runs[0].Workflow = hostile
	m.members[0].Name = hostile
	p := m.probes["depot"]
	p.Version = hostile
	m.probes["depot"] = p
	m.confirm = "Authorize a1b2c3d4e5 (" + hostile + ")? (y/N)"
	frame := m.View().Content
	if i := strings.IndexFunc(frame, func(r rune) bool {
		return r < 0x20 && r != '\n' || r >= 0x7f && r <= 0x9f
	}); i >= 0 {
		t.Errorf("dashboard frame holds control character %q at %d:\n%s", frame[i:i+1], i, frame)
	}
	if !strings.Contains(frame, `\x1b]0;pwned`) {
		t.Errorf("the hostile text is not shown visibly:\n%s", frame)
	}
}

// TestRunViewReusedNode: a node reused by --resume says so in the events
// pane and the inspector, with the run it comes from, and shows no
// attempt.
func TestRunViewReusedNode(t *testing.T) {
	m := newTestModel(diamond(), 100, 40)
	s := &script{runID: "r2"}
	s.at(0, "", workflow.StateRunning).
		at(1, "fetch", workflow.StateSucceeded, withInput(`{}`), withOutput(`{"pm25":12}`), func(ev *workflow.Event) {
			ev.Reused, ev.ReusedFrom = true, "20261123T020904-b6e2df78"
		})
	send(m, s.evs...)
	if last := m.log[len(m.log)-1]; !strings.Contains(last, "fetch") || !strings.Contains(last, "succeeded  reused from 20261123T020904-b6e2df78") {
		t.Errorf("events pane: %q", last)
	}
	keys(m, "enter")
	all := strings.Join(m.inspectorLines(), "\n")
	for _, want := range []string{"reused     output of run 20261123T020904-b6e2df78 (did not run)", "none: reused", `{"pm25": 12}`} {
		if !strings.Contains(all, want) {
			t.Errorf("inspector lacks %q:\n%s", want, all)
		}
	}
}
