package tui

import (
	"context"
	"errors"
	"fmt"
	"io"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/fogctl/fogctl/workflow"
)

// Config says how a TUI talks to its terminal.
type Config struct {
	In  io.Reader
	Out io.Writer
	// Color false writes no colour or attribute at all (NO_COLOR); true
	// lets the terminal's own capabilities decide (TERM, COLORTERM: the
	// terminal is never asked).
	Color bool
	// AltScreen draws on the terminal's alternate screen, as full-screen
	// tools do, leaving the scrollback as it was.
	AltScreen bool
}

// options are the bubbletea options every TUI runs with.
func (c Config) options() []tea.ProgramOption {
	opts := []tea.ProgramOption{
		tea.WithInput(c.In),
		tea.WithOutput(c.Out),
		// Signals reach the caller's context (cmd.Main), which cancels
		// what runs; the view follows through its context.
		tea.WithoutSignalHandler(),
	}
	if !c.Color {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	return opts
}

// RunWorkflow shows the live DAG of a run of wf on a terminal until the user
// quits. Colour follows the terminal and NO_COLOR. See RunGraph.
func RunWorkflow(ctx context.Context, in io.Reader, out io.Writer, wf *workflow.Workflow, runID string, events <-chan workflow.Event) (quitEarly bool, err error) {
	return RunGraph(ctx, Config{In: in, Out: out, Color: true, AltScreen: true}, GraphOf(wf), runID, events)
}

// RunGraph shows the live DAG of a run on a terminal. It reads events until
// the channel closes, and returns when the user quits, or when ctx ends and
// the engine has closed the channel.
//
// quitEarly is true when the user quit while the run was still going: the
// caller must then cancel the run's context and drain events (an event the
// view had already read when it quit is dropped). RunGraph itself never
// cancels a run.
func RunGraph(ctx context.Context, cfg Config, g Graph, runID string, events <-chan workflow.Event) (quitEarly bool, err error) {
	stop := make(chan struct{})
	m := NewRunModel(g, runID, events, stop, NewStyles(cfg.Color))
	m.altScreen = cfg.AltScreen
	p := tea.NewProgram(m, cfg.options()...)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-ctx.Done():
			p.Send(ctxDoneMsg{})
		case <-stop:
		}
	}()
	final, err := p.Run()
	close(stop)
	<-watched
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return false, fmt.Errorf("run view: %w", err)
	}
	if fm, ok := final.(*RunModel); ok {
		return fm.QuitEarly(), nil
	}
	return false, nil
}

// GraphOf is the shape of wf that the run view lays out.
func GraphOf(wf *workflow.Workflow) Graph {
	g := Graph{Nodes: make([]GraphNode, len(wf.Nodes))}
	for i, n := range wf.Nodes {
		g.Nodes[i] = GraphNode{Name: n.Name, Kind: n.Kind, Deps: n.Dependencies}
	}
	return g
}

// RunDash shows the fleet dashboard until the user quits. ctx bounds every
// probe and request it makes.
func RunDash(ctx context.Context, cfg Config, src DashSource) error {
	m := NewDashModel(ctx.Done(), src, NewStyles(cfg.Color))
	m.altScreen = cfg.AltScreen
	if _, err := tea.NewProgram(m, append(cfg.options(), tea.WithContext(ctx))...).Run(); err != nil {
		if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("dashboard: %w", err)
	}
	return nil
}
