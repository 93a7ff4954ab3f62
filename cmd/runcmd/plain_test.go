package runcmd

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/fogctl/fogctl/workflow"
)

// TestWritePlainNodeLine: a node's line is what the fmt-based printer
// wrote: time, "node", name, state, then "attempt n/m" and the error on
// one line.
func TestWritePlainNodeLine(t *testing.T) {
	at := time.Date(2026, 11, 23, 2, 15, 1, 500, time.FixedZone("CET", 3600))
	for _, ev := range []workflow.Event{
		{Time: at, Node: "clean", State: workflow.StateRetrying, Attempt: 1, MaxAttempts: 3, Error: "HTTP 503: warming\tup\nagain"},
		{Time: at, Node: "clean", State: workflow.StateRunning, Attempt: 2, MaxAttempts: 3},
		{Time: at, Node: "store", State: workflow.StateUpstreamFailed, Error: `dependency "clean" failed`},
		{Time: at, Node: "noop", State: workflow.StateSucceeded},
		{Time: at, Node: "x", State: workflow.StateFailed, Attempt: 1, MaxAttempts: 1, Error: "two  spaces kept"},
	} {
		var got bytes.Buffer
		writePlain(&got, ev, &runTally{})
		want := fmt.Sprintf("%s\tnode\t%s\t%s\t%s\n", ev.Time.UTC().Format(time.RFC3339), ev.Node, ev.State, oneLine(nodeDetail(ev)))
		if got.String() != want {
			t.Errorf("got  %q\nwant %q", got.String(), want)
		}
	}
}

// nodeDetail is how the node line's detail was made with fmt: the
// reference writePlain is checked against.
func nodeDetail(ev workflow.Event) string {
	d := ""
	if ev.Attempt > 0 && ev.MaxAttempts > 0 {
		d = fmt.Sprintf("attempt %d/%d", ev.Attempt, ev.MaxAttempts)
	}
	if ev.Error != "" {
		d = joinDetail(d, ev.Error)
	}
	return d
}
