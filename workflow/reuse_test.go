package workflow

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReusedNodesAreMarked: on --resume, a reused node's one event says
// reused and the run it is reused from, has no attempt and carries its
// input (the merge of its reused dependencies' outputs) with its output;
// its record has no attempt. Before, it looked like a node that had run:
// "attempt 1/1", one attempt in the record, no input.
func TestReusedNodesAreMarked(t *testing.T) {
	srv, h := startEcho(t, 0)
	wf := mustParse(t, []spec{
		{name: "a", kind: "http", url: srv.URL + "/n/a", extra: "retries: 2"},
		{name: "b", kind: "http", url: srv.URL + "/n/b"},
		{name: "join", kind: "http", url: srv.URL + "/n/join", deps: []string{"a", "b"}},
		{name: "after", kind: "http", url: srv.URL + "/n/after", deps: []string{"join"}},
		{name: "fresh", kind: "http", url: srv.URL + "/n/fresh", deps: []string{"after"}},
	})
	evs, rec := collect(t, context.Background(), wf, Options{
		Input:       json.RawMessage(`{"site":"depot"}`),
		ResumedFrom: "20261123T020904-b6e2df78",
		Reuse: map[string]json.RawMessage{
			"a":     json.RawMessage(`{"a":1,"k":"a"}`),
			"b":     json.RawMessage(`{"b":2,"k":"b"}`),
			"join":  json.RawMessage(`{"join":true}`),
			"after": json.RawMessage(`{"after":true}`),
		},
	})
	if rec.State != StateSucceeded || h.calls.Load() != 1 {
		t.Fatalf("run %s (%s) with %d calls, want succeeded with one (fresh)", rec.State, rec.Error, h.calls.Load())
	}
	type seen struct {
		State               State
		Attempt, Max        int
		Reused              bool
		From, Input, Output string
	}
	got := map[string][]seen{}
	for _, ev := range evs {
		if ev.Node != "" {
			got[ev.Node] = append(got[ev.Node], seen{ev.State, ev.Attempt, ev.MaxAttempts, ev.Reused, ev.ReusedFrom, string(ev.Input), string(ev.Output)})
		}
	}
	const from = "20261123T020904-b6e2df78"
	want := map[string][]seen{
		"a":     {{StateSucceeded, 0, 0, true, from, `{"site":"depot"}`, `{"a":1,"k":"a"}`}},
		"b":     {{StateSucceeded, 0, 0, true, from, `{"site":"depot"}`, `{"b":2,"k":"b"}`}},
		"join":  {{StateSucceeded, 0, 0, true, from, `{"a":1,"b":2,"k":"b"}`, `{"join":true}`}},
		"after": {{StateSucceeded, 0, 0, true, from, `{"join":true}`, `{"after":true}`}},
		"fresh": {
			{StateRunning, 1, 1, false, "", `{"after":true}`, ""},
			{StateSucceeded, 1, 1, false, "", "", `{"after":true,"fresh":true}`},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got)\n%s", diff)
	}
	for _, name := range []string{"a", "join"} {
		n := rec.Node(name)
		if !n.Reused || n.ReusedFrom != from || len(n.Attempts) != 0 || n.State != StateSucceeded {
			t.Errorf("record of %s: reused %v from %q, %d attempts, %s; want reused from %s, no attempt", name, n.Reused, n.ReusedFrom, len(n.Attempts), n.State, from)
		}
	}
	if n := rec.Node("fresh"); n.Reused || len(n.Attempts) != 1 {
		t.Errorf("record of fresh: reused %v, %d attempts", n.Reused, len(n.Attempts))
	}
	for _, ev := range evs {
		if ev.Node == "join" {
			b, _ := json.Marshal(ev)
			if !strings.Contains(string(b), `"reused":true,"reusedFrom":"`+from+`"`) {
				t.Errorf("event JSON %s", b)
			}
		}
	}
	b, _ := json.Marshal(rec.Node("join"))
	if !strings.Contains(string(b), `"reused":true,"reusedFrom":"`+from+`"`) || strings.Contains(string(b), `"attempts"`) {
		t.Errorf("record JSON %s", b)
	}
}
