package tui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/fogctl/fogctl/workflow"
)

// frameBudget is one frame at 60 Hz: the target for a View of any run.
const frameBudget = 16 * time.Millisecond

// thousand is a 1000-node run at 200x60, half done, with colour on (the
// costlier case), the cursor in the middle of the DAG.
func thousand(b *testing.B, g Graph) *RunModel {
	b.Helper()
	m := NewRunModel(g, runID, nil, nil, colorStyles())
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	s := &script{runID: runID}
	s.at(0, "", workflow.StateRunning)
	for i, n := range g.Nodes {
		switch {
		case i < len(g.Nodes)/2:
			s.at(i, n.Name, workflow.StateRunning, attempt(1, 2))
			s.at(i+50, n.Name, workflow.StateSucceeded, attempt(1, 2))
		case i < len(g.Nodes)*3/4:
			s.at(i, n.Name, workflow.StateRunning, attempt(1, 2))
		}
	}
	send(m, s.evs...)
	m.Update(tickMsg(t0.Add(2 * time.Second)))
	for range 5 {
		keys(m, "l")
	}
	for range 40 {
		keys(m, "j")
	}
	if m.done != len(g.Nodes)/2 {
		b.Fatalf("done = %d, want %d", m.done, len(g.Nodes)/2)
	}
	return m
}

// fanOutIn is root -> n-2 parallel nodes -> sink.
func fanOutIn(n int) Graph {
	g := Graph{Nodes: []GraphNode{{Name: "root"}}}
	var mids []string
	for i := range n - 2 {
		name := fmt.Sprintf("mid-%04d", i)
		mids = append(mids, name)
		g.Nodes = append(g.Nodes, GraphNode{Name: name, Deps: []string{"root"}})
	}
	g.Nodes = append(g.Nodes, GraphNode{Name: "sink", Deps: mids})
	return g
}

// BenchmarkRunView1000 renders frames of 1000-node runs at 200x60 and
// reports each frame's time as a ratio of the 16 ms budget (target < 1).
func BenchmarkRunView1000(b *testing.B) {
	for _, tc := range []struct {
		name string
		g    Graph
	}{
		{"layered_100x10", layered(100, 10)},
		{"fan_out_in", fanOutIn(1000)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			m := thousand(b, tc.g)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				m.Update(tickMsg(t0.Add(2*time.Second + time.Duration(i)*tickEvery)))
				_ = m.View().Content
			}
			perFrame := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(perFrame/float64(frameBudget.Nanoseconds()), "ratio")
		})
	}
}

// BenchmarkRunLayout1000 is the one-off cost of laying out a 1000-node DAG.
func BenchmarkRunLayout1000(b *testing.B) {
	g := layered(100, 10)
	for b.Loop() {
		newLayout(g)
	}
}
