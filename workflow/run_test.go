package workflow

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRunDiamond runs a -> (b, c) -> d over HTTP: d's input merges b's
// and c's outputs, and the events tell the whole story in order.
func TestRunDiamond(t *testing.T) {
	srv, _ := startEcho(t, 0)
	wf := mustParse(t, []spec{
		{name: "a", kind: "http", url: srv.URL + "/n/a"},
		{name: "b", kind: "http", url: srv.URL + "/n/b", deps: []string{"a"}},
		{name: "c", kind: "http", url: srv.URL + "/n/c", deps: []string{"a"}},
		{name: "d", kind: "http", url: srv.URL + "/n/d", deps: []string{"b", "c"}},
	})
	evs, rec := collect(t, context.Background(), wf, Options{RunID: "r1", Input: []byte(`{"in": 1}`)})
	if rec.State != StateSucceeded {
		t.Fatalf("run %s: %s", rec.State, rec.Error)
	}
	want := map[string]any{"in": 1.0, "a": true, "b": true, "c": true, "d": true}
	if diff := cmp.Diff(want, outputOf(t, rec, "d")); diff != "" {
		t.Errorf("d output (-want +got)\n%s", diff)
	}
	if string(rec.Node("d").Input) != `{"a":true,"b":true,"c":true,"in":1}` {
		t.Errorf("d input = %s", rec.Node("d").Input)
	}
	if first, last := evs[0], evs[len(evs)-1]; first.Node != "" || first.State != StateRunning || last.Node != "" || last.State != StateSucceeded {
		t.Errorf("first %+v last %+v, want run running ... run succeeded", first, last)
	}
	for i, ev := range evs {
		if ev.Seq != int64(i+1) || ev.RunID != "r1" {
			t.Errorf("event %d: seq %d run %q", i, ev.Seq, ev.RunID)
		}
	}
}
