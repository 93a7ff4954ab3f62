package tui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fogctl/fogctl/workflow"
	"go.uber.org/goleak"
)

// syncBuffer is the terminal's output, written by bubbletea's renderer.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runGraph runs RunGraph in the background over a pipe of keys.
func runGraph(ctx context.Context, events <-chan workflow.Event) (keys *io.PipeWriter, done <-chan [2]any) {
	r, w := io.Pipe()
	out := &syncBuffer{}
	ch := make(chan [2]any, 1)
	go func() {
		quit, err := RunGraph(ctx, Config{In: r, Out: out}, diamond(), runID, events)
		ch <- [2]any{quit, err}
	}()
	return w, ch
}

func waitDone(t *testing.T, done <-chan [2]any) (bool, error) {
	t.Helper()
	select {
	case res := <-done:
		err, _ := res[1].(error)
		return res[0].(bool), err
	case <-time.After(10 * time.Second):
		t.Fatal("RunGraph did not return")
	}
	return false, nil
}

func TestRunGraphQuitWhileRunning(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	events := make(chan workflow.Event)
	keys, done := runGraph(context.Background(), events)
	events <- workflow.Event{RunID: runID, State: workflow.StateRunning, Time: t0}
	events <- workflow.Event{RunID: runID, Node: "fetch", State: workflow.StateRunning, Time: t0}
	if _, err := keys.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Write([]byte("y")); err != nil {
		t.Fatal(err)
	}
	quitEarly, err := waitDone(t, done)
	if err != nil || !quitEarly {
		t.Errorf("RunGraph = %v, %v; want quit early", quitEarly, err)
	}
	keys.Close()
	// The caller cancels and drains; the view holds no read of events.
	close(events)
}

func TestRunGraphContextEnds(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan workflow.Event, 4)
	keys, done := runGraph(ctx, events)
	defer keys.Close()
	events <- workflow.Event{RunID: runID, State: workflow.StateRunning, Time: t0}
	cancel() // SIGTERM: the engine cancels its nodes and closes the channel
	events <- workflow.Event{RunID: runID, State: workflow.StateCancelled, Time: t0.Add(time.Second)}
	close(events)
	quitEarly, err := waitDone(t, done)
	if err != nil || quitEarly {
		t.Errorf("RunGraph = %v, %v; want a plain return (the run ended by itself)", quitEarly, err)
	}
}

// TestRunGraphAltScreen: the view is drawn on the alternate screen, and
// leaves it, only when the caller asks for it.
func TestRunGraphAltScreen(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	const enter, leave = "\x1b[?1049h", "\x1b[?1049l"
	for _, alt := range []bool{true, false} {
		t.Run(fmt.Sprintf("AltScreen %v", alt), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the view quits once the engine has closed its channel
			events := make(chan workflow.Event, 2)
			events <- workflow.Event{RunID: runID, State: workflow.StateSucceeded, Time: t0}
			close(events)
			in, keys := io.Pipe()
			defer keys.Close()
			out := &syncBuffer{}
			if _, err := RunGraph(ctx, Config{In: in, Out: out, AltScreen: alt}, diamond(), runID, events); err != nil {
				t.Fatal(err)
			}
			got := out.String()
			if strings.Contains(got, enter) != alt || strings.Contains(got, leave) != alt {
				t.Errorf("alternate screen entered %v, left %v; want both %v in %q", strings.Contains(got, enter), strings.Contains(got, leave), alt, got)
			}
		})
	}
}
