package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitFor reads events until one satisfies ok, failing after 10s.
func waitFor(t *testing.T, ch <-chan Event, ok func(Event) bool) []Event {
	t.Helper()
	var seen []Event
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev, open := <-ch:
			if !open {
				t.Fatalf("channel closed before the awaited event; saw %d events", len(seen))
			}
			seen = append(seen, ev)
			if ok(ev) {
				return seen
			}
		case <-deadline:
			t.Fatalf("no awaited event in 10s; saw %d events", len(seen))
		}
	}
}

// TestCancelLeavesNoGoroutines cancels a run while an http node waits on
// a silent service and an exec node sleeps: both end cancelled, nodes not
// started are cancelled, the run ends cancelled, quickly, and no goroutine
// of the run is left (checked with goleak).
func TestCancelLeavesNoGoroutines(t *testing.T) {
	silent := silentServer(t)
	srv, _ := startEcho(t, 0)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	wf := mustParse(t, []spec{
		{name: "hang", kind: "http", url: silent + "/x", extra: "timeout: 1h"},
		{name: "sleep", kind: "exec", extra: "argv: [sh, -c, 'sleep 60; echo {}']\ntimeout: 1h"},
		{name: "fast", kind: "http", url: srv.URL + "/n/fast"},
		{name: "after", kind: "http", url: srv.URL + "/n/after", deps: []string{"hang", "sleep"}},
		{name: "last", kind: "noop", deps: []string{"after"}},
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := Run(ctx, wf, Options{RunID: "c1"})
	rec := NewRecord(wf, "c1")
	running := map[string]bool{}
	for _, ev := range waitFor(t, ch, func(ev Event) bool {
		if ev.State == StateRunning && ev.Node != "" {
			running[ev.Node] = true
		}
		return running["hang"] && running["sleep"]
	}) {
		rec.Apply(ev)
	}
	start := time.Now()
	cancel()
	for ev := range ch {
		rec.Apply(ev)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancelled run took %s to end", d)
	}
	got := map[string]State{}
	for _, n := range rec.Nodes {
		got[n.Name] = n.State
	}
	want := map[string]State{"hang": StateCancelled, "sleep": StateCancelled, "fast": StateSucceeded, "after": StateCancelled, "last": StateCancelled}
	if rec.Node("fast").State != StateSucceeded {
		// fast may have been cancelled too if it had not answered yet.
		want["fast"] = rec.Node("fast").State
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("states (-want +got)\n%s", diff)
	}
	if rec.State != StateCancelled || rec.Error != "run cancelled" {
		t.Errorf("run %s %q", rec.State, rec.Error)
	}
}

// TestCancelWithStalledReader: a reader that cancels and stops reading
// does not keep the engine alive: every send selects on ctx.Done, and the
// final flush gives up after its grace period.
func TestCancelWithStalledReader(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var nodes []spec
	for i := range 20000 {
		nodes = append(nodes, spec{name: fmt.Sprint("n", i), kind: "noop"})
	}
	wf := mustParse(t, nodes)
	// The run's goroutines are those that did not exist before Run.
	// (runtime.NumGoroutine is no measure of them: a goroutine of an
	// earlier test ending meanwhile hid a live engine, and the test then
	// read the events it had to leave unread.)
	before := goleak.IgnoreCurrent()
	ctx, cancel := context.WithCancel(context.Background())
	ch := Run(ctx, wf, Options{RunID: "stall"})
	<-ch // the engine now fills the buffer and blocks
	cancel()
	deadline := time.Now().Add(10 * time.Second)
	left := goleak.Find(before) // retries with its own bounded backoff
	for left != nil && time.Now().Before(deadline) {
		left = goleak.Find(before)
	}
	if left != nil {
		t.Fatalf("the run's goroutines are left 10s after cancel while the reader stalls: %v", left)
	}
	n := 0
	for range ch {
		n++
	}
	if n == 0 || n >= 20001 {
		t.Errorf("read %d buffered events after the engine stopped", n)
	}
}

func TestExec(t *testing.T) {
	tests := []struct {
		name       string
		argv       string
		state      State
		out, err   string
		stderrPart string
	}{
		{"stdin to stdout", `[cat]`, StateSucceeded, `{"in":1}`, "", ""},
		{"output and stderr", `[sh, -c, 'cat >/dev/null; echo "warming up" >&2; echo "{\"ok\": true}"']`, StateSucceeded, `{"ok": true}`, "", "warming up\n"},
		{"empty stdout", `[true]`, StateSucceeded, `{}`, "", ""},
		{"exit status", `[sh, -c, 'echo "no sensor" >&2; exit 3']`, StateFailed, "", "exit status 3: no sensor", "no sensor\n"},
		{"not JSON", `[echo, hello]`, StateFailed, "", `stdout is not JSON: "hello"`, ""},
		{"no such program", `[/nonexistent/prog]`, StateFailed, "", "fork/exec /nonexistent/prog: no such file or directory", ""},
		{"timeout", "[sleep, '30']\ntimeout: 100ms", StateFailed, "", "timed out after 100ms", ""},
		{"no such dir", "[env]\ndir: /nonexistent/dir", StateFailed, "", "dir: stat /nonexistent/dir: no such file or directory", ""},
		{"dir is a file", "[env]\ndir: /etc/passwd", StateFailed, "", "dir /etc/passwd is not a directory", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf := mustParse(t, []spec{{name: "x", kind: "exec", extra: "argv: " + tt.argv}})
			start := time.Now()
			_, rec := collect(t, context.Background(), wf, Options{Input: []byte(`{"in":1}`)})
			n := rec.Node("x")
			if n.State != tt.state || string(n.Output) != tt.out || n.Error != tt.err {
				t.Errorf("got %s %s %q, want %s %s %q", n.State, n.Output, n.Error, tt.state, tt.out, tt.err)
			}
			if !strings.Contains(n.Stderr, tt.stderrPart) {
				t.Errorf("stderr %q, want it to contain %q", n.Stderr, tt.stderrPart)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

// TestReuse: --resume's reused nodes are not called again and pass their
// recorded outputs on; a truncated or broken record is not reused.
func TestReuse(t *testing.T) {
	srv, h := startEcho(t, 0)
	wf := mustParse(t, []spec{
		{name: "a", kind: "http", url: srv.URL + "/n/a"},
		{name: "b", kind: "http", url: srv.URL + "/n/b"},
		{name: "c", kind: "http", url: srv.URL + "/n/c"},
		{name: "d", kind: "http", url: srv.URL + "/n/d", deps: []string{"a", "b", "c"}},
	})
	evs, rec := collect(t, context.Background(), wf, Options{Reuse: map[string]json.RawMessage{
		"a": json.RawMessage(`{"a": "recorded"}`),
		"b": json.RawMessage(`{"fogctl.truncated":{"bytes":300000,"excerpt":"..."}}`),
		"c": json.RawMessage(`{"broken`),
	}})
	if rec.State != StateSucceeded {
		t.Fatalf("run %s: %s", rec.State, rec.Error)
	}
	if diff := cmp.Diff(map[string]any{"a": "recorded", "b": true, "c": true, "d": true}, outputOf(t, rec, "d")); diff != "" {
		t.Errorf("d (-want +got)\n%s", diff)
	}
	if calls := h.calls.Load(); calls != 3 {
		t.Errorf("%d calls, want 3 (b, c, d)", calls)
	}
	for _, ev := range evs {
		if ev.Node == "a" && ev.State != StateSucceeded {
			t.Errorf("reused node a went %s", ev.State)
		}
	}
}

// TestReuseOnlyDownstreamOfReused: a recorded output is reused only when
// every dependency of its node was reused too. A node whose dependency
// runs again runs again (its input may differ), and is upstream-failed,
// not succeeded from the record, when that dependency fails now.
func TestReuseOnlyDownstreamOfReused(t *testing.T) {
	srv, h := startEcho(t, 0)
	wf := mustParse(t, []spec{
		{name: "a", kind: "http", url: srv.URL + "/n/a"},
		{name: "b", kind: "http", url: srv.URL + "/status/500"},
		{name: "fromA", kind: "http", url: srv.URL + "/n/fromA", deps: []string{"a"}},
		{name: "fromB", kind: "http", url: srv.URL + "/n/fromB", deps: []string{"b"}},
		{name: "cleanup", kind: "http", url: srv.URL + "/n/cleanup", deps: []string{"b"}, extra: "when: always"},
		{name: "rerun", kind: "http", url: srv.URL + "/n/rerun", deps: []string{"c"}},
		{name: "c", kind: "http", url: srv.URL + "/n/c"},
	})
	recorded := func(name string) json.RawMessage { return json.RawMessage(`{"recorded": "` + name + `"}`) }
	_, rec := collect(t, context.Background(), wf, Options{Reuse: map[string]json.RawMessage{
		"a": recorded("a"), "fromA": recorded("fromA"),
		// Recorded as succeeded, but downstream of nodes that run again
		// (b fails again; c runs again, as a node edited into the file
		// would).
		"fromB": recorded("fromB"), "cleanup": recorded("cleanup"), "rerun": recorded("rerun"),
	}})
	want := map[string]State{
		"a": StateSucceeded, "fromA": StateSucceeded, "b": StateFailed,
		"fromB": StateUpstreamFailed, "cleanup": StateSucceeded, "c": StateSucceeded, "rerun": StateSucceeded,
	}
	got := map[string]State{}
	for _, n := range rec.Nodes {
		got[n.Name] = n.State
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("states (-want +got)\n%s", diff)
	}
	// Reused: a and fromA. Called: b (once, no retries), cleanup, c, rerun.
	if calls := h.calls.Load(); calls != 4 {
		t.Errorf("%d calls, want 4 (b, cleanup, c, rerun)", calls)
	}
	if diff := cmp.Diff(map[string]any{"recorded": "fromA"}, outputOf(t, rec, "fromA")); diff != "" {
		t.Errorf("fromA (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"c": true, "rerun": true}, outputOf(t, rec, "rerun")); diff != "" {
		t.Errorf("rerun ran on c's new output (-want +got)\n%s", diff)
	}
}

// TestReuseThroughComputedNoop: a noop node computed from reused outputs
// alone (here a join whose merged output was too large for the record)
// does not make the nodes after it run again; a root noop node counts as
// reused only when the earlier record has it (resumeJob leaves roots out
// when --input changes).
func TestReuseThroughComputedNoop(t *testing.T) {
	srv, h := startEcho(t, 0)
	big := func(k string) json.RawMessage {
		return json.RawMessage(`{"` + k + `":"` + strings.Repeat("x", 100<<10) + `"}`)
	}
	wf := mustParse(t, []spec{
		{name: "a1", kind: "http", url: srv.URL + "/n/a1"},
		{name: "a2", kind: "http", url: srv.URL + "/n/a2"},
		{name: "a3", kind: "http", url: srv.URL + "/n/a3"},
		{name: "join", kind: "noop", deps: []string{"a1", "a2", "a3"}},
		{name: "b", kind: "http", url: srv.URL + "/n/b", deps: []string{"join"}},
	})
	_, rec := collect(t, context.Background(), wf, Options{Reuse: map[string]json.RawMessage{
		"a1": big("a1"), "a2": big("a2"), "a3": big("a3"),
		"join": json.RawMessage(`{"fogctl.truncated":{"bytes":307215,"excerpt":"..."}}`),
		"b":    json.RawMessage(`{"recorded":"b"}`),
	}})
	if rec.State != StateSucceeded || h.calls.Load() != 0 {
		t.Errorf("run %s with %d calls; want succeeded with none (b reused after the computed join)", rec.State, h.calls.Load())
	}

	root := mustParse(t, []spec{
		{name: "start", kind: "noop"},
		{name: "c", kind: "http", url: srv.URL + "/n/c", deps: []string{"start"}},
	})
	_, rec = collect(t, context.Background(), root, Options{Reuse: map[string]json.RawMessage{
		"start": json.RawMessage(`{}`), "c": json.RawMessage(`{"recorded":"c"}`),
	}})
	if h.calls.Load() != 0 {
		t.Errorf("c called though the recorded root start was reused")
	}
	_, rec = collect(t, context.Background(), root, Options{Input: json.RawMessage(`{"site":"new"}`), Reuse: map[string]json.RawMessage{
		"c": json.RawMessage(`{"recorded":"c"}`), // start left out: the input changed
	}})
	if h.calls.Load() != 1 || rec.State != StateSucceeded {
		t.Errorf("%d calls, run %s; want c run again on the new input", h.calls.Load(), rec.State)
	}
}

// TestExecEnvAndDir: an exec node runs in its dir, which a file gives
// relative to itself, with its env added to fogctl's own and winning over
// it.
func TestExecEnvAndDir(t *testing.T) {
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FOGCTL_TEST_INHERITED", "from fogctl")
	t.Setenv("FOGCTL_TEST_KEPT", "kept")
	file := filepath.Join(dir, "wf.yaml")
	data := `apiVersion: fogctl.io/v1alpha1
kind: Workflow
spec:
  nodes:
    - name: x
      kind: exec
      dir: work
      env: {STATION: depot-north, FOGCTL_TEST_INHERITED: overridden}
      argv: [sh, -c, 'printf "{\"station\":\"%s\",\"inherited\":\"%s\",\"kept\":\"%s\",\"pwd\":\"%s\"}" "$STATION" "$FOGCTL_TEST_INHERITED" "$FOGCTL_TEST_KEPT" "$(pwd -P)"']
`
	if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	// Loaded by a relative path from elsewhere: dir is still the file's.
	t.Chdir(filepath.Dir(dir))
	wf, err := Load(filepath.Join(filepath.Base(dir), "wf.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	_, rec := collect(t, context.Background(), wf, Options{})
	if rec.State != StateSucceeded {
		t.Fatalf("run %s: %s %s", rec.State, rec.Error, rec.Node("x").Error)
	}
	real, err := filepath.EvalSymlinks(work)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"station": "depot-north", "inherited": "overridden", "kept": "kept", "pwd": real}
	if diff := cmp.Diff(want, outputOf(t, rec, "x")); diff != "" {
		t.Errorf("output (-want +got)\n%s", diff)
	}
}

// TestConcurrentRuns: runs of one workflow at the same time each see only
// their own input and outputs.
func TestConcurrentRuns(t *testing.T) {
	srv, _ := startEcho(t, time.Millisecond)
	wf := mustParse(t, fanOutIn(srv.URL, 20))
	var wg sync.WaitGroup
	// Errors are gathered, not sent on a channel: a reader blocked on a
	// full error channel stops reading its run, and the run (its context
	// never done) then waits for it forever.
	var mu sync.Mutex
	var errs []string
	report := func(format string, args ...any) {
		mu.Lock()
		errs = append(errs, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	for k := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprint("run-", k)
			rec := NewRecord(wf, id)
			for ev := range Run(context.Background(), wf, Options{RunID: id, Input: []byte(fmt.Sprintf(`{"run": %d}`, k))}) {
				if ev.RunID != id {
					report("%s got an event of %s", id, ev.RunID)
				}
				rec.Apply(ev)
			}
			var out map[string]any
			json.Unmarshal(rec.Node("sink").Output, &out)
			if out["run"] != float64(k) || len(out) != 23 {
				report("%s: sink output %s", id, rec.Node("sink").Output)
			}
		}()
	}
	wg.Wait()
	for _, e := range errs {
		t.Error(e)
	}
}

// TestRunEndsAfterLastNode: the channel closes once the last node is
// done, also when every event went straight into the channel and nothing
// was queued to wake the run's goroutine while it waited. A build of the
// engine whose release did not wake it then hung in make test for 21
// minutes (TestExec/stdin_to_stdout, the loop parked on r.wake with
// context.Background); here such a run fails within seconds.
func TestRunEndsAfterLastNode(t *testing.T) {
	srv, _ := startEcho(t, 0)
	cat := spec{name: "x", kind: "exec", extra: "argv: [cat]"}
	tests := []struct {
		name   string
		nodes  []spec
		events int // the run's running and succeeded, and each node's
	}{
		{"exec", []spec{cat}, 4},
		{"http", []spec{{name: "x", kind: "http", url: srv.URL + "/n/x"}}, 4},
		// a noop settles on the spot, with a single succeeded event
		{"exec then noop", []spec{cat, {name: "y", kind: "noop", deps: []string{"x"}}}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf := mustParse(t, tt.nodes)
			for i := range 20 {
				evs := readRun(t, Run(context.Background(), wf, Options{RunID: fmt.Sprint("end-", i)}), 10*time.Second)
				if len(evs) != tt.events {
					t.Fatalf("run %d: %d events, want %d: %+v", i, len(evs), tt.events, evs)
				}
				if last := evs[len(evs)-1]; last.Node != "" || last.State != StateSucceeded {
					t.Fatalf("run %d: last event %+v, want the run succeeded", i, last)
				}
			}
		})
	}
}

// TestEventCaps: events carry at most MaxEventData of a node's output,
// but the next node gets all of it.
func TestEventCaps(t *testing.T) {
	big := `{"blob": "` + strings.Repeat("x", MaxEventData) + `"}`
	var gotLen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			io.WriteString(w, big)
			return
		}
		b, _ := io.ReadAll(r.Body)
		gotLen.Store(int64(len(b)))
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	wf := mustParse(t, []spec{
		{name: "big", kind: "http", url: srv.URL + "/big"},
		{name: "next", kind: "http", url: srv.URL + "/next", deps: []string{"big"}},
		{name: "stderr", kind: "exec", extra: fmt.Sprintf("argv: [sh, -c, 'head -c %d /dev/zero | tr \"\\\\0\" e >&2; echo END >&2']", 3*MaxStderr)},
	})
	evs, rec := collect(t, context.Background(), wf, Options{})
	if gotLen.Load() != int64(len(big)) {
		t.Errorf("next got %d bytes, want all %d", gotLen.Load(), len(big))
	}
	n := rec.Node("big")
	if !n.Truncated || !IsTruncated(n.Output) || !json.Valid(n.Output) || len(n.Output) > 2000 {
		t.Errorf("big output in record: truncated %v, %.100s", n.Truncated, n.Output)
	}
	if !strings.Contains(string(n.Output), fmt.Sprintf(`"bytes":%d`, len(big))) {
		t.Errorf("marker does not give the size: %.200s", n.Output)
	}
	if in := rec.Node("next").Input; !IsTruncated(in) {
		t.Errorf("next input in record is not truncated: %.100s", in)
	}
	s := rec.Node("stderr").Stderr
	if len(s) > MaxStderr+100 || !strings.HasSuffix(s, "eeeEND\n") || !strings.HasPrefix(s, "[earlier output dropped]\n") {
		t.Errorf("stderr (%d bytes) %.40q...%q", len(s), s, s[max(0, len(s)-20):])
	}
	for _, ev := range evs {
		if len(ev.Input) > MaxEventData || len(ev.Output) > MaxEventData || len(ev.Stderr) > MaxStderr+64 {
			t.Errorf("event %d of %s carries %d/%d/%d bytes", ev.Seq, ev.Node, len(ev.Input), len(ev.Output), len(ev.Stderr))
		}
	}
}

// TestPlainDAGRuns: the reference engine's file runs unchanged.
func TestPlainDAGRuns(t *testing.T) {
	srv, _ := startEcho(t, 0)
	data, err := os.ReadFile("../testdata/workflows/examples/plain-dag.json")
	if err != nil {
		t.Fatal(err)
	}
	data = []byte(strings.ReplaceAll(string(data), "http://127.0.0.1:8080/", srv.URL+"/n/"))
	wf, err := Parse("plain-dag.json", data)
	if err != nil {
		t.Fatal(err)
	}
	_, rec := collect(t, context.Background(), wf, Options{})
	want := map[string]any{"fetch": true, "left": true, "right": true, "join": true}
	if diff := cmp.Diff(want, outputOf(t, rec, "join")); diff != "" {
		t.Errorf("join (-want +got)\n%s", diff)
	}
}

// TestRecordJSON pins the record's JSON field names, a public contract.
func TestRecordJSON(t *testing.T) {
	wf := mustParse(t, []spec{
		{name: "a", kind: "http", url: "http://127.0.0.1:9/a", extra: "retries: 1"},
		{name: "b", kind: "noop", deps: []string{"a"}},
	})
	t0 := time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	rec := NewRecord(wf, "r-1")
	for _, ev := range []Event{
		{Seq: 1, Time: at(0), RunID: "r-1", State: StateRunning},
		{Seq: 2, Time: at(1), RunID: "r-1", Node: "a", State: StateRunning, Attempt: 1, MaxAttempts: 2, Input: json.RawMessage(`{}`)},
		{Seq: 3, Time: at(5), RunID: "r-1", Node: "a", State: StateRetrying, Attempt: 1, MaxAttempts: 2, Error: "HTTP 503: \"busy\"; retrying in 150ms"},
		{Seq: 4, Time: at(160), RunID: "r-1", Node: "a", State: StateRunning, Attempt: 2, MaxAttempts: 2},
		{Seq: 5, Time: at(170), RunID: "r-1", Node: "a", State: StateSucceeded, Attempt: 2, MaxAttempts: 2, Output: json.RawMessage(`{"a":1}`)},
		{Seq: 6, Time: at(171), RunID: "r-1", Node: "b", State: StateSucceeded, Attempt: 1, MaxAttempts: 1, Input: json.RawMessage(`{"a":1}`), Output: json.RawMessage(`{"a":1}`)},
		{Seq: 7, Time: at(172), RunID: "r-1", State: StateSucceeded},
	} {
		rec.Apply(ev)
	}
	got, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "id": "r-1",
  "workflow": "generated",
  "file": "gen.yaml",
  "state": "succeeded",
  "started": "2026-11-23T04:00:00Z",
  "ended": "2026-11-23T04:00:00.172Z",
  "nodes": [
    {
      "name": "a",
      "kind": "http",
      "state": "succeeded",
      "attempts": [
        {
          "n": 1,
          "started": "2026-11-23T04:00:00.001Z",
          "ended": "2026-11-23T04:00:00.005Z",
          "error": "HTTP 503: \"busy\"; retrying in 150ms"
        },
        {
          "n": 2,
          "started": "2026-11-23T04:00:00.16Z",
          "ended": "2026-11-23T04:00:00.17Z"
        }
      ],
      "input": {},
      "output": {
        "a": 1
      },
      "started": "2026-11-23T04:00:00.001Z",
      "ended": "2026-11-23T04:00:00.17Z"
    },
    {
      "name": "b",
      "kind": "noop",
      "dependencies": [
        "a"
      ],
      "state": "succeeded",
      "attempts": [
        {
          "n": 1,
          "started": "2026-11-23T04:00:00.171Z",
          "ended": "2026-11-23T04:00:00.171Z"
        }
      ],
      "input": {
        "a": 1
      },
      "output": {
        "a": 1
      },
      "started": "2026-11-23T04:00:00.171Z",
      "ended": "2026-11-23T04:00:00.171Z"
    }
  ],
  "lastSeq": 7
}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("record JSON (-want +got)\n%s", diff)
	}
	ev, _ := json.Marshal(Event{Seq: 3, Time: at(5), RunID: "r-1", Node: "a", State: StateRetrying, Attempt: 1, MaxAttempts: 2, Error: "e", Stderr: "s", Truncated: true})
	if want := `{"seq":3,"time":"2026-11-23T04:00:00.005Z","runId":"r-1","node":"a","state":"retrying","attempt":1,"maxAttempts":2,"error":"e","stderr":"s","truncated":true}`; string(ev) != want {
		t.Errorf("event JSON\n got %s\nwant %s", ev, want)
	}
	// A record read back from JSON still finds its nodes.
	var back Record
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if n := back.Node("b"); n == nil || n.State != StateSucceeded {
		t.Errorf("Node(b) after a JSON round trip = %v", n)
	}
}

// TestEventOrder: every node's events come after its dependencies'
// final events, Seq has no gaps, and the run's final event is last.
func TestEventOrder(t *testing.T) {
	srv, _ := startEcho(t, 0)
	wf := mustParse(t, layered(srv.URL, 5, 8))
	evs, _ := collect(t, context.Background(), wf, Options{Parallel: 3})
	final := map[string]int64{}
	for i, ev := range evs {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
		if ev.Node == "" {
			continue
		}
		for _, d := range wf.Node(ev.Node).Dependencies {
			if f, ok := final[d]; !ok || f > ev.Seq {
				t.Errorf("%s %s (seq %d) before dependency %s finished", ev.Node, ev.State, ev.Seq, d)
			}
		}
		if ev.State.Terminal() {
			final[ev.Node] = ev.Seq
		}
	}
	if len(final) != len(wf.Nodes) {
		t.Errorf("%d nodes finished, want %d", len(final), len(wf.Nodes))
	}
	if last := evs[len(evs)-1]; last.Node != "" || last.State != StateSucceeded {
		t.Errorf("last event %+v", last)
	}
}

// TestAlwaysWithNoSuccess: a when: always node whose every dependency
// failed runs with {}, not the run's input.
func TestAlwaysWithNoSuccess(t *testing.T) {
	srv, _ := startEcho(t, 0)
	wf := mustParse(t, []spec{
		{name: "bad", kind: "http", url: srv.URL + "/status/500"},
		{name: "cleanup", kind: "http", url: srv.URL + "/n/cleanup", deps: []string{"bad"}, extra: "when: always"},
	})
	_, rec := collect(t, context.Background(), wf, Options{Input: []byte(`{"secret": 1}`)})
	if n := rec.Node("cleanup"); n.State != StateSucceeded || string(n.Input) != `{}` {
		t.Errorf("cleanup: %s, input %s", n.State, n.Input)
	}
	if rec.State != StateFailed {
		t.Errorf("run %s", rec.State)
	}
}

// TestNoop10k: a 10,000-node noop fan-out/fan-in passes the run's input
// through every node (its speed and memory are BenchmarkNoop10k's).
func TestNoop10k(t *testing.T) {
	nodes := []spec{{name: "root", kind: "noop"}}
	var mids []string
	for i := range 9998 {
		mids = append(mids, fmt.Sprint("m", i))
		nodes = append(nodes, spec{name: mids[i], kind: "noop", deps: []string{"root"}})
	}
	nodes = append(nodes, spec{name: "sink", kind: "noop", deps: mids})
	wf := mustParse(t, nodes)
	evs, rec := collect(t, context.Background(), wf, Options{Input: []byte(`{"station": "depot-3", "pm25": 12.5}`)})
	if rec.State != StateSucceeded || len(evs) != 10002 {
		t.Fatalf("run %s with %d events", rec.State, len(evs))
	}
	if got := string(rec.Node("sink").Output); got != `{"pm25":12.5,"station":"depot-3"}` {
		t.Errorf("sink output %s", got)
	}
}

// TestHTTPRequest: an http node sends its method, headers and input as
// the JSON body; GET with an empty input sends no body.
func TestHTTPRequest(t *testing.T) {
	type seen struct {
		method, host, ctype, auth, body string
	}
	var mu sync.Mutex
	got := map[string]seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got[r.URL.Path] = seen{r.Method, r.Host, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), string(b)}
		mu.Unlock()
		io.WriteString(w, `{"from": "`+r.URL.Path+`"}`)
	}))
	defer srv.Close()
	wf := mustParse(t, []spec{
		{name: "get", kind: "http", url: srv.URL + "/get", extra: "method: get\nheaders: {Authorization: Bearer t0ken, Host: sensors.depot}"},
		{name: "put", kind: "http", url: srv.URL + "/put", deps: []string{"get"}, extra: "method: PUT"},
	})
	_, rec := collect(t, context.Background(), wf, Options{})
	if rec.State != StateSucceeded {
		t.Fatalf("run %s: %s", rec.State, rec.Error)
	}
	want := map[string]seen{
		"/get": {"GET", "sensors.depot", "", "Bearer t0ken", ""},
		"/put": {"PUT", strings.TrimPrefix(srv.URL, "http://"), "application/json", "", `{"from": "/get"}`},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(seen{})); diff != "" {
		t.Errorf("requests (-want +got)\n%s", diff)
	}
}

// TestExamplesRun runs every example.
func TestExamplesRun(t *testing.T) {
	host, _ := os.Hostname()
	tests := map[string]map[string]string{
		"exec.yaml": {"echo-input": `{"host":"` + host + `"}`},
		"noop.yaml": {"join": `{"station":"depot-3"}`, "cleanup": `{"station":"depot-3"}`},
	}
	// The http examples call 127.0.0.1:8080: point them at an echo
	// service, which adds each path as a key.
	srv, _ := startEcho(t, 0)
	tests["air-quality.yaml"] = map[string]string{"report": `{"/aggregate":true,"/sensors/no2":true,"/sensors/pm25":true,"station":"depot-3"}`}
	tests["http.yaml"] = map[string]string{"store": `{"/sensors/pm25":true,"/store":true,"station":"depot-3"}`}
	tests["plain-dag.yaml"] = map[string]string{"load": `{"/fetch":true,"/load":true,"/transform":true,"station":"depot-3"}`}
	tests["plain-dag.json"] = map[string]string{"join": `{"/fetch":true,"/join":true,"/left":true,"/right":true,"station":"depot-3"}`}
	for file, want := range tests {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile("../testdata/workflows/examples/" + file)
			if err != nil {
				t.Fatal(err)
			}
			wf, err := Parse(file, []byte(strings.ReplaceAll(string(data), "http://127.0.0.1:8080", srv.URL)))
			if err != nil {
				t.Fatal(err)
			}
			_, rec := collect(t, context.Background(), wf, Options{Input: []byte(`{"station":"depot-3"}`)})
			if rec.State != StateSucceeded {
				t.Fatalf("run %s: %s", rec.State, rec.Error)
			}
			for node, out := range want {
				if got := string(rec.Node(node).Output); got != out {
					t.Errorf("%s output %s, want %s", node, got, out)
				}
			}
		})
	}
}

// TestRerunNamedNodes: Options.Rerun runs a node again though Reuse holds
// its output, and every node after it, a noop included (its output would
// be the same, but the operator asked for what follows it to run again);
// what comes before it is reused.
func TestRerunNamedNodes(t *testing.T) {
	srv, h := startEcho(t, 0)
	wf := mustParse(t, []spec{
		{name: "fetch", kind: "http", url: srv.URL + "/n/fetch"},
		{name: "merge", kind: "noop", deps: []string{"fetch"}},
		{name: "publish", kind: "http", url: srv.URL + "/n/publish", deps: []string{"merge"}},
	})
	recorded := func(name string) json.RawMessage { return json.RawMessage(`{"recorded": "` + name + `"}`) }
	reuse := map[string]json.RawMessage{"fetch": recorded("fetch"), "merge": recorded("merge"), "publish": recorded("publish")}
	for _, tc := range []struct {
		rerun string
		calls int64
	}{
		{"merge", 1},   // publish
		{"publish", 1}, // publish
		{"fetch", 2},   // fetch, publish
	} {
		t.Run(tc.rerun, func(t *testing.T) {
			before := h.calls.Load()
			_, rec := collect(t, context.Background(), wf, Options{Reuse: reuse, Rerun: map[string]bool{tc.rerun: true}})
			if calls := h.calls.Load() - before; calls != tc.calls {
				t.Errorf("%d calls, want %d", calls, tc.calls)
			}
			if diff := cmp.Diff(map[string]any{"recorded": "fetch"}, outputOf(t, rec, "fetch")); tc.rerun != "fetch" && diff != "" {
				t.Errorf("fetch was not reused (-want +got)\n%s", diff)
			}
			if out := outputOf(t, rec, "publish"); out["publish"] != true {
				t.Errorf("publish was reused, not called: %v", out)
			}
		})
	}
}
