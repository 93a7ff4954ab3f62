package runstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fogctl/fogctl/workflow"
	"github.com/google/go-cmp/cmp"
)

// noopWorkflow returns a fan-out/fan-in workflow of n noop nodes: a root,
// n-2 middle nodes, and a sink depending on all of them.
func noopWorkflow(t testing.TB, n int) (*workflow.Workflow, []byte) {
	t.Helper()
	var b strings.Builder
	b.WriteString("apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: fan\nspec:\n  nodes:\n")
	b.WriteString("    - {name: root, kind: noop}\n")
	var mids []string
	for i := 0; i < n-2; i++ {
		name := fmt.Sprintf("m%04d", i)
		mids = append(mids, name)
		fmt.Fprintf(&b, "    - {name: %s, kind: noop, dependencies: [root]}\n", name)
	}
	fmt.Fprintf(&b, "    - {name: sink, kind: noop, dependencies: [%s]}\n", strings.Join(mids, ", "))
	data := []byte(b.String())
	wf, err := workflow.Parse("fan.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return wf, data
}

// runRecorded runs wf with the store recording it, as `fogctl run` does,
// and returns the run's ID and the record built from its events.
func runRecorded(t testing.TB, s *Store, wf *workflow.Workflow, data []byte) (string, *workflow.Record) {
	t.Helper()
	run, err := s.Create(Meta{Workflow: "/work/fan.yaml", Nodes: len(wf.Nodes), Input: json.RawMessage(`{"site":"depot"}`)}, data)
	if err != nil {
		t.Fatal(err)
	}
	rec := workflow.NewRecord(wf, run.ID())
	for ev := range workflow.Run(context.Background(), wf, workflow.Options{RunID: run.ID(), Input: json.RawMessage(`{"site":"depot"}`)}) {
		rec.Apply(ev)
		run.Append(ev)
	}
	if err := run.Close(true); err != nil {
		t.Fatal(err)
	}
	return run.ID(), rec
}

func TestRecordRoundTrip(t *testing.T) {
	s := openStore(t)
	wf, data := noopWorkflow(t, 50)
	id, want := runRecorded(t, s, wf, data)

	// A run is one file, private to its user, ended by its summary
	// (beside it, retention's mark).
	all, err := os.ReadDir(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	var entries []os.DirEntry
	for _, e := range all {
		if e.Name() != pruneMark {
			entries = append(entries, e)
		}
	}
	if len(entries) != 1 || entries[0].Name() != id+".jsonl" {
		t.Fatalf("runs directory holds %v, want only %s.jsonl", entries, id)
	}
	fi, err := entries[0].Info()
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v, want 0600", fi.Mode().Perm())
	}
	last, err := lastLine(filepath.Join(s.Dir(), id+".jsonl"))
	if err != nil || !strings.HasPrefix(string(last), `{"summary":{"id":"`+id+`"`) {
		t.Errorf("last line %.80s (%v), want the run's summary", last, err)
	}

	got, err := s.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	// The record read back names the workflow by the absolute path the
	// run recorded, whatever path it was parsed under.
	want.File = "/work/fan.yaml"
	if diff := cmp.Diff(want, got.Record, cmp.AllowUnexported(workflow.Record{}), cmp.FilterPath(func(p cmp.Path) bool {
		return p.Last().String() == ".index"
	}, cmp.Ignore())); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	if got.State != workflow.StateSucceeded {
		t.Errorf("state %q, want succeeded", got.State)
	}
	for _, ev := range got.Events {
		if ev.RunID != id {
			t.Fatalf("replayed event %d has run ID %q, want %q (from the header)", ev.Seq, ev.RunID, id)
		}
	}
	if len(got.Events) != 50+2 { // a noop node succeeds in one event; the run runs and succeeds
		t.Errorf("replayed %d events, want %d", len(got.Events), 50+2)
	}
	if string(got.WorkflowData) != string(data) || string(got.Meta.Input) != `{"site":"depot"}` {
		t.Errorf("meta or workflow copy not kept: %s / %.40q", got.Meta.Input, got.WorkflowData)
	}
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	wantSum := Summary{ID: id, Workflow: "/work/fan.yaml", State: workflow.StateSucceeded, Created: got.Meta.Created, Finished: want.Ended, Nodes: 50, Succeeded: 50}
	if diff := cmp.Diff([]Summary{wantSum}, list); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
}

// TestKilledRunReplaysJournal writes a journal as a killed process leaves
// it, the last line torn, and checks Load replays what was complete and
// calls the run interrupted.
func TestKilledRunReplaysJournal(t *testing.T) {
	s := openStore(t)
	_, data := noopWorkflow(t, 4)
	run, err := s.Create(Meta{Workflow: "/work/fan.yaml", Nodes: 4}, data)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 23, 2, 15, 1, 0, time.UTC)
	evs := []workflow.Event{
		{Seq: 1, Time: t0, RunID: run.ID(), State: workflow.StateRunning},
		{Seq: 2, Time: t0, RunID: run.ID(), Node: "root", State: workflow.StateSucceeded, Output: json.RawMessage(`{"a":1}`)},
		{Seq: 3, Time: t0, RunID: run.ID(), Node: "m0000", State: workflow.StateRunning, Attempt: 1, MaxAttempts: 1},
	}
	for _, ev := range evs {
		run.Append(ev)
	}
	// Stop the writer without compacting, as a kill would, then tear a
	// line on the end the way a write cut short does.
	stopWriter(run)
	if _, err := run.file.WriteString(`{"seq":4,"time":"2026-11-23T02:15:02Z","node":"m0`); err != nil {
		t.Fatal(err)
	}

	got, err := s.Load(run.ID())
	if err != nil {
		t.Fatal(err)
	}
	if got.State != workflow.StateRunning {
		t.Errorf("state while the lock is held: %q, want running", got.State)
	}
	run.file.Close() // the kernel does this for a killed process, and the lock goes with it
	<-run.pruned

	got, err = s.Load(run.ID())
	if err != nil {
		t.Fatal(err)
	}
	if got.State != StateInterrupted {
		t.Errorf("state %q, want %q", got.State, StateInterrupted)
	}
	if len(got.Events) != 3 {
		t.Errorf("replayed %d events, want 3 (the torn fourth dropped)", len(got.Events))
	}
	states := map[string]workflow.State{}
	for _, n := range got.Record.Nodes {
		states[n.Name] = n.State
	}
	want := map[string]workflow.State{"root": "succeeded", "m0000": "running", "m0001": "pending", "sink": "pending"}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Errorf("node states (-want +got):\n%s", diff)
	}
	list, err := s.List()
	if err != nil || len(list) != 1 || list[0].State != StateInterrupted || list[0].Succeeded != 1 {
		t.Errorf("List = %+v, %v; want one interrupted run with 1 succeeded", list, err)
	}
}

func TestCorruptJournalLineNamesIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), journalFile)
	os.WriteFile(path, []byte("{\"meta\":{}}\n{\"seq\":1}\nnot json\n{\"seq\":3}\n"), 0o600)
	_, _, _, err := readJournal(path)
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("error %v, want one naming line 3", err)
	}
	os.WriteFile(path, []byte(`{"meta":{"id":"x",`), 0o600)
	if _, _, _, err := readJournal(path); err == nil || !strings.Contains(err.Error(), "killed as it started") {
		t.Errorf("journal without header: %v", err)
	}
}

func TestConcurrentCreateUniqueIDs(t *testing.T) {
	s := openStore(t)
	const n = 40
	ids := make([]string, n)
	var wg sync.WaitGroup
	now := time.Now()
	for i := range n {
		wg.Go(func() {
			r, err := s.Create(Meta{Created: now}, []byte("x"))
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = r.ID()
			r.Close(false)
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("ID %s given twice", id)
		}
		seen[id] = true
	}
}

func TestRetentionKeepsNewest(t *testing.T) {
	s := openStore(t)
	s.Keep = 3
	s.pruneEvery, s.pruneGrace = 0, 0 // every Create prunes, however new the runs
	t0 := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	var ids []string
	var held *Run
	for i := range 6 {
		r, err := s.Create(Meta{Created: t0.Add(time.Duration(i) * time.Second)}, []byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID())
		if i == 0 {
			held = r // still running: never removed
			continue
		}
		r.Close(false)
	}
	defer held.Close(false)
	got, err := s.IDs()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{ids[5], ids[4], ids[3], ids[0]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runs kept (-want +got):\n%s", diff)
	}
}

// TestRetentionAtMostEveryInterval: retention lists the runs directory at
// most every pruneEvery, so a burst of runs costs one listing; once the
// interval has passed, the next run prunes down to Keep.
func TestRetentionAtMostEveryInterval(t *testing.T) {
	s := openStore(t)
	s.Keep, s.pruneGrace = 2, 0
	// Run IDs sort by their start second: one second apart, newest last.
	t0 := time.Now().Add(-time.Hour)
	n := 0
	create := func() {
		t.Helper()
		n++
		record(t, s, t0.Add(time.Duration(n)*time.Second), false)
	}
	for range 5 {
		create()
	}
	ids, _ := s.IDs()
	if len(ids) != 5 {
		t.Errorf("%d runs after a burst of 5 with Keep 2: want all 5 (one prune, before any was over)", len(ids))
	}
	mark := filepath.Join(s.Dir(), pruneMark)
	old := time.Now().Add(-2 * s.pruneEvery)
	if err := os.Chtimes(mark, old, old); err != nil {
		t.Fatalf("retention left no mark: %v", err)
	}
	create()
	ids, _ = s.IDs()
	if len(ids) != 2 {
		t.Errorf("%d runs once the interval passed, want Keep (2)", len(ids))
	}
	// A mark from the future (a clock set back) does not stop retention.
	create()
	future := time.Now().Add(time.Hour)
	os.Chtimes(mark, future, future)
	create()
	if ids, _ = s.IDs(); len(ids) != 2 {
		t.Errorf("%d runs after a clock set back, want 2", len(ids))
	}
}

func TestResolve(t *testing.T) {
	s := openStore(t)
	if _, err := s.Resolve("latest"); err == nil || !strings.Contains(err.Error(), "no runs recorded yet") {
		t.Errorf("latest of nothing: %v", err)
	}
	t0 := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	_, data := noopWorkflow(t, 3)
	var ids []string
	for i := range 3 {
		r, err := s.Create(Meta{Created: t0.Add(time.Duration(i) * time.Minute)}, data)
		if err != nil {
			t.Fatal(err)
		}
		r.Close(false)
		ids = append(ids, r.ID())
	}
	tests := []struct {
		name, in, want, err string
	}{
		{"latest", "latest", ids[2], ""},
		{"exact", ids[0], ids[0], ""},
		{"prefix", ids[1][:len("20261123T0201")], ids[1], ""},
		{"ambiguous", "20261123", "", "ambiguous"},
		{"unknown", "20991231T000000-00000000", "", "no such run"},
		{"path", "../../etc", "", "no such run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Resolve(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("Resolve(%q) = %q, %v; want error with %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Resolve(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestJournalKeepsEveryEventInOrder appends faster than the writer
// drains, so batches form, and checks every event lands once, in order.
func TestJournalKeepsEveryEventInOrder(t *testing.T) {
	s := openStore(t)
	run, err := s.Create(Meta{}, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	for i := 1; i <= 10000; i++ {
		st := workflow.StateRunning
		if i%2 == 0 {
			st = workflow.StateSucceeded
		}
		run.Append(workflow.Event{Seq: int64(i), Node: fmt.Sprint("n", i/2), State: st})
	}
	stopWriter(run)
	// Group commit: at most one fsync per syncInterval, however many
	// events and batches.
	if most := int32(time.Since(t0)/s.syncInterval) + 1; run.syncs.Load() > most {
		t.Errorf("%d fsyncs in %v: want at most %d", run.syncs.Load(), time.Since(t0), most)
	}
	_, evs, torn, err := readJournal(run.Path())
	if err != nil || torn || len(evs) != 10000 {
		t.Fatalf("journal: %d events, torn %v, %v; want 10000", len(evs), torn, err)
	}
	for i, ev := range evs {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d: out of order", i, ev.Seq)
		}
	}
	run.file.Close()
	<-run.pruned
}

// TestRunningRunIsFsyncedWithinTheInterval: an event written while the
// run goes is fsynced within about syncInterval, not only at Close, so a
// power cut during a long run loses at most that much; and a run that
// ends sooner costs no fsync but Close's.
func TestRunningRunIsFsyncedWithinTheInterval(t *testing.T) {
	s := openStore(t)
	t0 := time.Now()
	short, err := s.Create(Meta{}, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	short.Append(workflow.Event{Seq: 1, Node: "a", State: workflow.StateSucceeded})
	if err := short.Close(false); err != nil {
		t.Fatal(err)
	}
	if n := short.syncs.Load(); n != 0 && time.Since(t0) < s.syncInterval {
		t.Errorf("a run shorter than %v had %d fsyncs before Close, want 0", s.syncInterval, n)
	}

	long, err := s.Create(Meta{}, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	defer long.Close(false)
	t0 = time.Now()
	long.Append(workflow.Event{Seq: 1, Node: "a", State: workflow.StateSucceeded})
	for long.syncs.Load() == 0 {
		if time.Since(t0) > 10*s.syncInterval {
			t.Fatalf("no fsync %v after an event was appended", time.Since(t0))
		}
		time.Sleep(s.syncInterval / 20) // polling a counter, bounded above
	}
	if d := time.Since(t0); d < s.syncInterval/2 {
		t.Errorf("fsynced after %v: want group commit, about %v after the first write", d, s.syncInterval)
	}
}

// TestRunEndIsFsyncedBeforeClose: the run's terminal event goes to disk
// with the summary line and an fsync as soon as the writer has it, while
// the caller is still printing; Close then has nothing left to fsync. A
// run closed before it ran still has its header made durable.
func TestRunEndIsFsyncedBeforeClose(t *testing.T) {
	s := openStore(t)
	// No fsync on the interval while this test runs: one before Close
	// can only be the one the run's end asks for.
	s.syncInterval = time.Hour
	run, err := s.Create(Meta{}, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	run.Append(workflow.Event{Seq: 1, RunID: run.ID(), State: workflow.StateRunning})
	run.Append(workflow.Event{Seq: 2, RunID: run.ID(), Node: "a", State: workflow.StateSucceeded})
	run.Append(workflow.Event{Seq: 3, RunID: run.ID(), State: workflow.StateSucceeded})
	deadline := time.Now().Add(time.Minute)
	for run.durable.Load() < run.written.Load() || run.durable.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the run's end not fsynced a minute after it was appended (durable %d of %d bytes)", run.durable.Load(), run.written.Load())
		}
		time.Sleep(time.Millisecond) // polling a counter, bounded above
	}
	last, err := lastLine(run.Path())
	if err != nil || !strings.HasPrefix(string(last), `{"summary":`) {
		t.Errorf("last line %.60s (%v), want the summary, written with the end", last, err)
	}
	before := run.written.Load()
	if err := run.Close(true); err != nil {
		t.Fatal(err)
	}
	if run.written.Load() != before {
		t.Errorf("Close wrote %d more bytes: the summary was already there", run.written.Load()-before)
	}

	empty, err := s.Create(Meta{}, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := empty.Close(false); err != nil {
		t.Fatal(err)
	}
	if empty.durable.Load() == 0 || empty.durable.Load() != empty.written.Load() {
		t.Errorf("a run closed before it ran: %d of %d bytes fsynced, want its header", empty.durable.Load(), empty.written.Load())
	}
}

// stopWriter drains and stops a run's writer without compacting, leaving
// the journal as a killed process would.
func stopWriter(run *Run) {
	run.mu.Lock()
	run.closing = true
	run.mu.Unlock()
	close(run.closeCh)
	select {
	case run.wake <- struct{}{}:
	default:
	}
	<-run.done
	<-run.synced
}

// TestBytesWrittenLinearInRunSize records fan-out/fan-in runs of 100 and
// 1000 noop nodes: the journal and the record each grow about tenfold,
// not a hundredfold (no rewrite of the whole status per step).
func TestBytesWrittenLinearInRunSize(t *testing.T) {
	s := openStore(t)
	written := func(n int) (journal, record int64) {
		wf, data := noopWorkflow(t, n)
		run, err := s.Create(Meta{Nodes: n}, data)
		if err != nil {
			t.Fatal(err)
		}
		rec := workflow.NewRecord(wf, run.ID())
		for ev := range workflow.Run(context.Background(), wf, workflow.Options{RunID: run.ID()}) {
			rec.Apply(ev)
			run.Append(ev)
		}
		if err := run.Close(true); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(run.Path())
		if err != nil {
			t.Fatal(err)
		}
		l, err := s.Load(run.ID())
		if err != nil {
			t.Fatal(err)
		}
		shown, err := json.Marshal(l.Record)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size() - int64(len(data)), int64(len(shown))
	}
	j100, r100 := written(100)
	j1000, r1000 := written(1000)
	for name, ratio := range map[string]float64{"journal": float64(j1000) / float64(j100), "record": float64(r1000) / float64(r100)} {
		if ratio < 8 || ratio > 13 {
			t.Errorf("%s: 1000 nodes write %.1fx what 100 nodes write; want about 10x", name, ratio)
		}
	}
}

// TestLegacyRunDirectoriesStillRead: runs recorded before a run was one
// file are directories, runs/<id>/ with record.json and summary.json once
// compacted, or journal.jsonl alone when the process died. They are
// listed, shown and resolved as before, and retention removes them.
func TestLegacyRunDirectoriesStillRead(t *testing.T) {
	s := openStore(t)
	wf, data := noopWorkflow(t, 4)
	id, _ := runRecorded(t, s, wf, data)
	l, err := s.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	journal, err := os.ReadFile(filepath.Join(s.Dir(), id+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(s.Dir(), id+".jsonl")); err != nil {
		t.Fatal(err)
	}
	write := func(dir, file string, data []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(s.Dir(), dir), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(s.Dir(), dir, file), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const compactedID, killedID = "20200101T000001-0000000a", "20200101T000002-0000000b"
	meta := l.Meta
	meta.ID = compactedID
	rec := *l.Record
	rec.ID = compactedID
	c, err := json.Marshal(compacted{Meta: meta, Workflow: string(data), Record: &rec})
	if err != nil {
		t.Fatal(err)
	}
	write(compactedID, recordFile, c)
	sum := l.Summary()
	sum.ID, sum.Created = compactedID, meta.Created
	sj, _ := json.Marshal(sum)
	write(compactedID, summaryFile, sj)
	// The killed one: the journal without its summary line, under its ID.
	lines := strings.SplitAfter(string(journal), "\n")
	killed := strings.ReplaceAll(strings.Join(lines[:len(lines)-3], ""), id, killedID)
	write(killedID, journalFile, []byte(killed))

	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]workflow.State{}
	for _, r := range list {
		got[r.ID] = r.State
	}
	want := map[string]workflow.State{compactedID: workflow.StateSucceeded, killedID: StateInterrupted}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List states (-want +got):\n%s", diff)
	}
	for _, id := range []string{compactedID, killedID} {
		l, err := s.Load(id)
		if err != nil {
			t.Fatalf("Load(%s): %v", id, err)
		}
		if l.Record.Node("root").State != workflow.StateSucceeded || l.Workflow == nil {
			t.Errorf("Load(%s): root %s, workflow %v", id, l.Record.Node("root").State, l.Workflow != nil)
		}
	}
	if r, err := s.Resolve("20200101T000002"); err != nil || r != killedID {
		t.Errorf("Resolve prefix = %q, %v; want %s", r, err, killedID)
	}

	// Retention removes legacy directories like any old run.
	s.Keep, s.pruneEvery, s.pruneGrace = 1, 0, 0
	runRecorded(t, s, wf, data)
	ids, err := s.IDs()
	if err != nil || len(ids) != 1 {
		t.Errorf("after retention with Keep 1: %v, %v", ids, err)
	}
	for _, id := range []string{compactedID, killedID} {
		if _, err := os.Stat(filepath.Join(s.Dir(), id)); !os.IsNotExist(err) {
			t.Errorf("legacy run %s not removed: %v", id, err)
		}
	}
}

func TestLastLine(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("x", 5000)
	for name, tc := range map[string]struct {
		data, want, err string
	}{
		"one line":          {"a\n", "a", ""},
		"two":               {"a\nb\n", "b", ""},
		"long last line":    {"a\n" + long + "\n", long, ""},
		"long before short": {long + "\nend\n", "end", ""},
		"torn":              {"a\nb", "", "torn"},
		"too long":          {strings.Repeat("y", 70<<10) + "\n" + strings.Repeat("z", 70<<10) + "\n", "", "too long"},
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
			if err := os.WriteFile(p, []byte(tc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := lastLine(p)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("lastLine = %.20q, %v; want error %q", got, err, tc.err)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Errorf("lastLine = %.40q, %v; want %.40q", got, err, tc.want)
			}
		})
	}
}

// TestResolveLatestWithinASecond: runs started in the same second are
// ordered by their start time, not by their IDs' random part.
func TestResolveLatestWithinASecond(t *testing.T) {
	s := openStore(t)
	t0 := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 6 {
		ids = append(ids, record(t, s, t0.Add(time.Duration(i)*time.Millisecond), true))
	}
	record(t, s, t0.Add(-time.Hour), true)
	got, err := s.Resolve("latest")
	if err != nil || got != ids[5] {
		t.Errorf("latest = %q, %v; want %q, the last created of %v", got, err, ids[5], ids)
	}
}

// TestResolveLatestSkipsUnreadable: "latest" is the newest run that can
// be read. A journal cut short as its run started (empty: no header),
// and what an operator keeps in the runs directory (archive/, notes.txt)
// are passed over, by List too.
func TestResolveLatestSkipsUnreadable(t *testing.T) {
	s := openStore(t)
	t0 := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	r, err := s.Create(Meta{Created: t0}, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	r.Close(true)
	cut := NewID(t0.Add(time.Minute))
	if err := os.WriteFile(filepath.Join(s.Dir(), cut+".jsonl"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(s.Dir(), "archive"), 0o700)
	os.WriteFile(filepath.Join(s.Dir(), "notes.txt"), []byte("x"), 0o600)
	if got, err := s.Resolve("latest"); err != nil || got != r.ID() {
		t.Errorf("latest = %q, %v; want %q (the newest readable run)", got, err, r.ID())
	}
	list, err := s.List()
	if err != nil || len(list) != 1 || list[0].ID != r.ID() {
		t.Errorf("List = %+v, %v; want only %s", list, err, r.ID())
	}
}

// TestOneSummaryLine: a batch with two terminal run events (which the
// engine never sends) still ends the journal with one summary line, and
// closing a run twice is an error, not a panic.
func TestOneSummaryLine(t *testing.T) {
	s := openStore(t)
	run, err := s.Create(Meta{}, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	run.mu.Lock() // both events land in one batch
	run.queue = append(run.queue,
		workflow.Event{Seq: 1, State: workflow.StateSucceeded},
		workflow.Event{Seq: 2, State: workflow.StateFailed})
	run.mu.Unlock()
	if err := run.Close(true); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(run.Path())
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), `{"summary":`); n != 1 {
		t.Errorf("%d summary lines, want 1:\n%s", n, data)
	}
	if err := run.Close(false); err == nil || !strings.Contains(err.Error(), "closed twice") {
		t.Errorf("second Close: %v, want an error saying so", err)
	}
}

// TestRetentionSparesANewUnlockedRun: a journal written in the last
// minute is not removed even when no lock is held on it and its ID sorts
// among the oldest (its process's clock behind, between its O_EXCL
// create and its flock).
func TestRetentionSparesANewUnlockedRun(t *testing.T) {
	s := openStore(t)
	s.Keep, s.pruneEvery = 1, 0
	t0 := time.Now()
	behind := NewID(t0.Add(-24 * time.Hour))
	if err := os.WriteFile(filepath.Join(s.Dir(), behind+".jsonl"), []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		record(t, s, t0.Add(time.Duration(i)*time.Second), false)
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), behind+".jsonl")); err != nil {
		t.Errorf("a run created moments ago was removed: %v", err)
	}
	old := t0.Add(-2 * time.Minute)
	os.Chtimes(filepath.Join(s.Dir(), behind+".jsonl"), old, old)
	record(t, s, t0.Add(time.Minute), false)
	if _, err := os.Stat(filepath.Join(s.Dir(), behind+".jsonl")); !os.IsNotExist(err) {
		t.Errorf("a run unlocked for two minutes beyond Keep was kept: %v", err)
	}
}

// openStore opens a store in a temporary directory.
func openStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// record creates a run started at created and closes it (ran: as a run
// that ran, with its summary line), and returns its ID.
func record(t testing.TB, s *Store, created time.Time, ran bool) string {
	t.Helper()
	r, err := s.Create(Meta{Created: created}, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(true); err != nil {
		t.Fatal(err)
	}
	return r.ID()
}

// TestReservation: a reserved journal is locked and empty; while it waits
// for its run, readers skip it and retention keeps it. CreateFrom gives
// the run the reservation's ID and time; Abandon then does nothing. A
// reservation abandoned instead leaves nothing behind and cannot be
// used.
func TestReservation(t *testing.T) {
	s := openStore(t)
	s.Keep, s.pruneEvery, s.pruneGrace = 1, 0, 0 // retention at every run, of any age
	t0 := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	done := record(t, s, t0, true)

	res, err := s.Reserve(t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Running(res.ID()) {
		t.Errorf("a reserved journal is not locked: retention could remove it")
	}
	if got, err := s.Resolve("latest"); err != nil || got != done {
		t.Errorf("latest = %q, %v; want %s, not the reservation", got, err, done)
	}
	if list, err := s.List(); err != nil || len(list) != 1 || list[0].ID != done {
		t.Errorf("List = %+v, %v; want only %s", list, err, done)
	}
	if ids, err := s.IDs(); err != nil || len(ids) != 1 || ids[0] != done {
		t.Errorf("IDs (shell completion) = %v, %v; want only %s", ids, err, done)
	}
	if _, err := s.Load(res.ID()); err == nil || !strings.Contains(err.Error(), "never started") {
		t.Errorf("Load of a reservation: %v, want it to say the run never started", err)
	}
	// Another process's retention, keeping 1 run: an older reservation
	// is beyond it, and stays.
	old, err := s.Reserve(t0.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	s.prune(done)
	if _, err := os.Stat(filepath.Join(s.Dir(), old.ID()+".jsonl")); err != nil {
		t.Errorf("retention removed a reserved journal: %v", err)
	}
	old.Abandon()

	run, err := s.CreateFrom(res, Meta{Created: t0.Add(time.Hour)}, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	res.Abandon() // after CreateFrom: nothing
	if run.ID() != res.ID() || !run.Meta().Created.Equal(t0.Add(time.Minute)) {
		t.Errorf("run %s created %s; want the reservation's %s at %s", run.ID(), run.Meta().Created, res.ID(), t0.Add(time.Minute))
	}
	if err := run.Close(true); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Resolve("latest"); err != nil || got != run.ID() {
		t.Errorf("latest = %q, %v; want %s", got, err, run.ID())
	}

	gone, err := s.Reserve(t0.Add(2 * time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	gone.Abandon()
	gone.Abandon()
	if _, err := os.Stat(filepath.Join(s.Dir(), gone.ID()+".jsonl")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an abandoned reservation is left: %v", err)
	}
	if _, err := s.CreateFrom(gone, Meta{}, []byte("x")); err == nil {
		t.Errorf("CreateFrom took an abandoned reservation")
	}
}
