package tui

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/fogctl/fogctl/workflow"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// t0 is when every test run starts.
var t0 = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

// asciiStyles are the NO_COLOR styles: goldens hold no escapes.
func asciiStyles() Styles { return NewStyles(false) }

func colorStyles() Styles { return NewStyles(true) }

// golden compares got with testdata/NAME.golden, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -update to create it)", err)
	}
	if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got, "\n")); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s\ngot:\n%s", path, diff, got)
	}
}

// checkFrame asserts what every frame must be: exactly h lines, none wider
// than w cells.
func checkFrame(t *testing.T, frame string, w, h int) {
	t.Helper()
	lines := strings.Split(frame, "\n")
	if len(lines) != h {
		t.Errorf("frame has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line %d is %d cells wide, want at most %d: %q", i+1, lw, w, l)
		}
	}
}

// diamond is a -> b, c -> d.
func diamond() Graph {
	return Graph{Nodes: []GraphNode{
		{Name: "fetch", Kind: "http"},
		{Name: "clean", Kind: "http", Deps: []string{"fetch"}},
		{Name: "enrich", Kind: "exec", Deps: []string{"fetch"}},
		{Name: "store", Kind: "http", Deps: []string{"clean", "enrich"}},
	}}
}

// script builds events at fixed times.
type script struct {
	runID string
	seq   int64
	evs   []workflow.Event
}

func (s *script) at(ms int, node string, state workflow.State, mod ...func(*workflow.Event)) *script {
	s.seq++
	ev := workflow.Event{Seq: s.seq, Time: t0.Add(time.Duration(ms) * time.Millisecond), RunID: s.runID, Node: node, State: state}
	for _, f := range mod {
		f(&ev)
	}
	s.evs = append(s.evs, ev)
	return s
}

func attempt(n, of int) func(*workflow.Event) {
	return func(ev *workflow.Event) { ev.Attempt, ev.MaxAttempts = n, of }
}

func withErr(msg string) func(*workflow.Event) {
	return func(ev *workflow.Event) { ev.Error = msg }
}

func withInput(v string) func(*workflow.Event) {
	return func(ev *workflow.Event) { ev.Input = json.RawMessage(v) }
}

func withOutput(v string) func(*workflow.Event) {
	return func(ev *workflow.Event) { ev.Output = json.RawMessage(v) }
}

func withStderr(v string) func(*workflow.Event) {
	return func(ev *workflow.Event) { ev.Stderr = v }
}

// newTestModel is a run view at w x h fed by no channel: tests hand it
// messages directly.
func newTestModel(g Graph, w, h int) *RunModel {
	m := NewRunModel(g, "r-20261123-0200-7f3a", nil, nil, asciiStyles())
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

func send(m *RunModel, evs ...workflow.Event) {
	m.Update(eventMsg{events: evs})
}

func keys(m *RunModel, ks ...string) {
	for _, k := range ks {
		m.Update(keyMsg(k))
	}
}

// keyMsg turns "enter", "esc", "ctrl+c", "up" or literal text into a key
// press, as bubbletea's input decoder makes it.
func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	}
	return textMsg(k)
}

// textMsg is a press carrying text: one character, or several that
// arrived in one read.
func textMsg(text string) tea.KeyPressMsg {
	if r := []rune(text); len(r) == 1 {
		return tea.KeyPressMsg{Code: r[0], Text: text}
	}
	return tea.KeyPressMsg{Code: tea.KeyExtended, Text: text}
}

// layered is a DAG of width x depth nodes: each node of layer k > 0 needs
// two nodes of layer k-1.
func layered(width, depth int) Graph {
	var g Graph
	for k := range depth {
		for i := range width {
			n := GraphNode{Name: fmt.Sprintf("n%02d-%02d", k, i), Kind: "noop"}
			if k > 0 {
				n.Deps = []string{fmt.Sprintf("n%02d-%02d", k-1, i), fmt.Sprintf("n%02d-%02d", k-1, (i+1)%width)}
			}
			g.Nodes = append(g.Nodes, n)
		}
	}
	return g
}
