package runcmd_test

import (
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/cmd/runcmd"
	"github.com/fogctl/fogctl/internal/golden"
	"github.com/fogctl/fogctl/workflow/runstore"
	"github.com/google/go-cmp/cmp"
)

// chainWorkflow runs in a fixed order: fetch, then merge (noop), then
// publish and a flaky-free archive one after the other.
const chainWorkflow = `apiVersion: fogctl.io/v1alpha1
kind: Workflow
metadata:
  name: depot-sync
spec:
  defaults:
    timeout: 5s
  nodes:
    - name: fetch
      kind: http
      url: {{URL}}/ok/fetch
    - name: merge
      kind: noop
      dependencies: [fetch]
    - name: publish
      kind: http
      url: {{URL}}/ok/publish
      dependencies: [merge]
`

// failingWorkflow fails at its second node: the third is upstream-failed.
const failingWorkflow = `apiVersion: fogctl.io/v1alpha1
kind: Workflow
metadata:
  name: depot-backup
spec:
  defaults:
    timeout: 5s
    retries: 1
    backoff: 10ms
  nodes:
    - name: snapshot
      kind: http
      url: {{URL}}/ok/snapshot
    - name: upload
      kind: http
      url: {{URL}}/fail/upload
      dependencies: [snapshot]
    - name: prune
      kind: http
      url: {{URL}}/ok/prune
      dependencies: [upload]
`

func TestRun(t *testing.T) {
	svc := startService(t)
	dir := t.TempDir()
	chain := writeWorkflow(t, dir, "chain.yaml", chainWorkflow, svc)
	failing := writeWorkflow(t, dir, "failing.yaml", failingWorkflow, svc)
	input := writeWorkflow(t, dir, "input.json", `{"depot": "north"}`, nil)

	tests := []struct {
		name   string
		tty    bool
		args   []string
		stdin  string
		code   int
		stdout func(string) string // what of stdout goes to the golden
	}{
		{name: "pipe", args: []string{"run", chain}, code: 0},
		{name: "pipe_failed", args: []string{"run", failing}, code: 1},
		{name: "tty", tty: true, args: []string{"run", chain}, code: 0, stdout: screen},
		{name: "tty_failed", tty: true, args: []string{"run", failing}, code: 1, stdout: screen},
		{name: "tty_no_tui", tty: true, args: []string{"run", chain, "--no-tui"}, code: 0},
		{name: "json", args: []string{"run", chain, "-o", "json", "--input", input}, code: 0},
		{name: "jsonl", args: []string{"run", chain, "-o", "jsonl", "--input", "-"}, stdin: `{"depot": "south"}`, code: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, in, out, errOut := testFactory(t, tt.tty)
			in.WriteString(tt.stdin)
			code := run(t, f, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, errOut)
			}
			stdout := out.String()
			if tt.stdout != nil {
				stdout = tt.stdout(stdout)
			}
			golden.Assert(t, "TestRun_"+tt.name, normalize("stdout:\n"+stdout+"\nstderr:\n"+errOut.String(), dir))
		})
	}
}

func TestRunInvalidInput(t *testing.T) {
	dir := t.TempDir()
	good := writeWorkflow(t, dir, "ok.yaml", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n    - {name: a, kind: noop}\n", nil)
	badInput := writeWorkflow(t, dir, "input.json", `{"depot": `, nil)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing file", []string{"run", filepath.Join(dir, "nope.yaml")}, "nope.yaml: no such file or directory"},
		{"invalid workflow", []string{"run", "testdata/invalid.yaml"}, `testdata/invalid.yaml:12: node "merge": dependencies: unknown dependency "fetch-east"`},
		{"input not JSON", []string{"run", good, "--input", badInput}, "input.json: byte 9: unexpected end of JSON input (want a JSON object)"},
		{"input not an object", []string{"run", good, "--input", "-"}, "error: input stdin: must be a JSON object, not an array\n"},
		{"no file", []string{"run"}, "name the workflow file to run, or give --resume ID"},
		{"unknown run", []string{"run", "--resume", "20990101T000000-00000000"}, `resume: run "20990101T000000-00000000": no such run`},
		{"bad parallel", []string{"run", good, "--parallel", "-1"}, "--parallel must be 0 (no limit) or more"},
		{"zero timeout", []string{"run", good, "--timeout", "0s"}, "--timeout must be more than 0, got 0s"},
		{"negative timeout", []string{"run", good, "--timeout", "-1s"}, "--timeout must be more than 0, got -1s"},
		{"bad output", []string{"run", good, "-o", "yaml"}, `unknown output format "yaml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, in, out, errOut := testFactory(t, false)
			in.WriteString(`[1, 2]`)
			if code := run(t, f, tt.args...); code != cmdutil.ExitUsage {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("stderr does not say %q:\n%s", tt.want, errOut)
			}
			if out.Len() != 0 {
				t.Errorf("stdout not empty: %q", out)
			}
			// The journal created beside the reading of the workflow is
			// removed: nothing ran, nothing is listed.
			state, err := f.StateDir()
			if err != nil {
				t.Fatal(err)
			}
			if left, _ := filepath.Glob(filepath.Join(state, "runs", "*.jsonl")); len(left) != 0 {
				t.Errorf("a run that never started left %s", left)
			}
		})
	}
}

func TestRunFlags(t *testing.T) {
	f, _, _, _ := testFactory(t, false)
	var got *runcmd.RunOptions
	c := runcmd.NewCmdRun(f, func(o *runcmd.RunOptions) error { got = o; return nil })
	c.SetArgs([]string{"pipeline.yaml", "--input", "-", "--parallel", "8", "--timeout", "10s", "-o", "jsonl", "--no-tui"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"File": "pipeline.yaml", "Input": "-", "Parallel": 8, "Timeout": "10s", "Output": "jsonl", "NoTUI": true, "Resume": ""}
	gotMap := map[string]any{"File": got.File, "Input": got.Input, "Parallel": got.Parallel, "Timeout": got.Timeout.String(), "Output": got.Output, "NoTUI": got.NoTUI, "Resume": got.Resume}
	if diff := cmp.Diff(want, gotMap); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
}

// TestRunJSONRecord checks the -o json record's contract: field names and
// what a failed run says.
func TestRunJSONRecord(t *testing.T) {
	svc := startService(t)
	failing := writeWorkflow(t, t.TempDir(), "failing.yaml", failingWorkflow, svc)
	f, _, out, _ := testFactory(t, false)
	if code := run(t, f, "run", failing, "-o", "json"); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	var rec struct {
		ID    string `json:"id"`
		State string `json:"state"`
		Nodes []struct {
			Name     string            `json:"name"`
			State    string            `json:"state"`
			Attempts []json.RawMessage `json:"attempts"`
			Error    string            `json:"error"`
		} `json:"nodes"`
	}
	if err := json.Unmarshal(out.Bytes(), &rec); err != nil {
		t.Fatalf("stdout is not one JSON record: %v\n%s", err, out)
	}
	got := map[string]string{"run": rec.State}
	for _, n := range rec.Nodes {
		got[n.Name] = n.State
		if n.Name == "upload" {
			if len(n.Attempts) != 2 || !strings.Contains(n.Error, "HTTP 500") || !strings.Contains(n.Error, "disk full on depot-db") {
				t.Errorf("upload: %d attempts, error %q; want 2 attempts and the status and body", len(n.Attempts), n.Error)
			}
		}
	}
	want := map[string]string{"run": "failed", "snapshot": "succeeded", "upload": "failed", "prune": "upstream-failed"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	if svc.Calls("/ok/prune") != 0 {
		t.Errorf("prune was called after its dependency failed")
	}
}

func TestCompletion(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"workflow file", []string{"__complete", "run", ""}, "yaml\nyml\njson\n:8\n"},
		{"validate file", []string{"__complete", "validate", ""}, "yaml\nyml\njson\n:8\n"},
		{"graph format", []string{"__complete", "graph", "x.yaml", "--format", ""}, "dot\ntext\n:4\n"},
		{"resume id, none yet", []string{"__complete", "run", "--resume", ""}, "latest\n:4\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, out, _ := testFactory(t, false)
			if code := run(t, f, tt.args...); code != 0 {
				t.Fatalf("exit %d", code)
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("completions (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRunWaitsForSignalsBeforeItsNodes: a run's nodes start only once
// SIGINT and SIGTERM would cancel the run rather than kill fogctl
// (Factory.SignalsReady), and the run's journal is already made then.
func TestRunWaitsForSignalsBeforeItsNodes(t *testing.T) {
	svc := startService(t)
	wf := writeWorkflow(t, t.TempDir(), "chain.yaml", chainWorkflow, svc)
	f, _, _, errOut := testFactory(t, false)
	state, err := f.StateDir()
	if err != nil {
		t.Fatal(err)
	}
	waits := 0
	f.SignalsReady = func() {
		waits++
		if n := svc.Calls("/ok/fetch"); n != 0 {
			t.Errorf("fetch was called %d times before signals were registered", n)
		}
		if journals, _ := filepath.Glob(filepath.Join(state, "runs", "*.jsonl")); len(journals) != 1 {
			t.Errorf("journals when the run waits for signals: %v, want the run's", journals)
		}
	}
	if code := run(t, f, "run", wf); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if waits != 1 || svc.Calls("/ok/fetch") != 1 {
		t.Errorf("waited %d times, fetch called %d times; want 1 and 1", waits, svc.Calls("/ok/fetch"))
	}
}

// firstRead notes when its reader is first read.
type firstRead struct {
	r    io.Reader
	at   time.Time
	read bool
}

func (f *firstRead) Read(p []byte) (int, error) {
	if !f.read {
		f.read, f.at = true, time.Now()
	}
	return f.r.Read(p)
}

// TestRunCreatedAfterItsInput: a run whose input comes on stdin is
// created once the input has come (what `runs list` shows as its start),
// not when fogctl started waiting for it.
func TestRunCreatedAfterItsInput(t *testing.T) {
	dir := t.TempDir()
	wf := writeWorkflow(t, dir, "ok.yaml", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n    - {name: a, kind: noop}\n", nil)
	f, _, _, errOut := testFactory(t, false)
	stdin := &firstRead{r: strings.NewReader(`{"depot": "north"}`)}
	f.IOStreams.In = stdin
	if code := run(t, f, "run", wf, "--input", "-"); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	state, err := f.StateDir()
	if err != nil {
		t.Fatal(err)
	}
	store, err := runstore.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := store.List()
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs: %+v, %v", runs, err)
	}
	if runs[0].Created.Before(stdin.at) {
		t.Errorf("run created %s, before fogctl read its input at %s", runs[0].Created.Format(time.RFC3339Nano), stdin.at.Format(time.RFC3339Nano))
	}
}
