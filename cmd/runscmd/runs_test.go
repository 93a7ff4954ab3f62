package runscmd_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/cmd"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/internal/golden"
	"github.com/fogctl/fogctl/workflow"
	"github.com/fogctl/fogctl/workflow/runstore"
	"github.com/google/go-cmp/cmp"
)

const depotWorkflow = `apiVersion: fogctl.io/v1alpha1
kind: Workflow
metadata:
  name: depot-sync
spec:
  nodes:
    - {name: fetch, kind: http, url: "http://127.0.0.1:9/fetch"}
    - {name: clean, kind: http, url: "http://127.0.0.1:9/clean", dependencies: [fetch], retries: 2}
    - {name: store, kind: http, url: "http://127.0.0.1:9/store", dependencies: [clean]}
`

var t0 = time.Date(2026, 11, 23, 2, 15, 1, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// record puts a run into the store from the given events, as `fogctl run`
// would; with finish false it is left as a killed process leaves it.
func record(t *testing.T, s *runstore.Store, created time.Time, finish bool, evs []workflow.Event) string {
	t.Helper()
	run, err := s.Create(runstore.Meta{Workflow: "/srv/depot-sync.yaml", Nodes: 3, Input: []byte(`{"depot":"north"}`), Created: created}, []byte(depotWorkflow))
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range evs {
		ev.Seq, ev.RunID = int64(i+1), run.ID()
		run.Append(ev)
	}
	if err := run.Close(finish); err != nil {
		t.Fatal(err)
	}
	return run.ID()
}

// fixture records two runs: one failed after clean was retried, and a
// newer one killed while clean ran.
func fixture(t *testing.T) (state, failed, killed string) {
	state = t.TempDir()
	s, err := runstore.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	failed = record(t, s, t0, true, []workflow.Event{
		{Time: at(0), State: workflow.StateRunning},
		{Time: at(0), Node: "fetch", State: workflow.StateRunning, Attempt: 1, MaxAttempts: 1},
		{Time: at(120), Node: "fetch", State: workflow.StateSucceeded, Attempt: 1, MaxAttempts: 1, Output: []byte(`{"readings":4}`)},
		{Time: at(120), Node: "clean", State: workflow.StateRunning, Attempt: 1, MaxAttempts: 3},
		{Time: at(200), Node: "clean", State: workflow.StateRetrying, Attempt: 1, MaxAttempts: 3, Error: "HTTP 503: warming up"},
		{Time: at(500), Node: "clean", State: workflow.StateRunning, Attempt: 2, MaxAttempts: 3},
		{Time: at(700), Node: "clean", State: workflow.StateSucceeded, Attempt: 2, MaxAttempts: 3, Output: []byte(`{"clean":3}`)},
		{Time: at(700), Node: "store", State: workflow.StateRunning, Attempt: 1, MaxAttempts: 1},
		{Time: at(900), Node: "store", State: workflow.StateFailed, Attempt: 1, MaxAttempts: 1, Error: "HTTP 500: disk full"},
		{Time: at(900), State: workflow.StateFailed, Error: `node "store" failed: HTTP 500: disk full`},
	})
	killed = record(t, s, t0.Add(10*time.Minute), false, []workflow.Event{
		{Time: at(600000), State: workflow.StateRunning},
		{Time: at(600000), Node: "fetch", State: workflow.StateRunning, Attempt: 1, MaxAttempts: 1},
		{Time: at(600100), Node: "fetch", State: workflow.StateSucceeded, Attempt: 1, MaxAttempts: 1, Output: []byte(`{"readings":4}`)},
		{Time: at(600100), Node: "clean", State: workflow.StateRunning, Attempt: 1, MaxAttempts: 3},
	})
	return state, failed, killed
}

func testFactory(t *testing.T, state string, tty bool) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := cmdutil.Test()
	ios.SetTTY(tty)
	return &cmdutil.Factory{
		IOStreams:  ios,
		Version:    "test",
		Now:        func() time.Time { return time.Date(2026, 11, 23, 2, 30, 0, 0, time.UTC) },
		HTTPClient: func() (*http.Client, error) { return &http.Client{}, nil },
		StateDir:   func() (string, error) { return state, nil },
		ConfigDir:  func() (string, error) { return t.TempDir(), nil },
		Executable: os.Executable,
	}, out, errOut
}

var reRunID = regexp.MustCompile(`\d{8}T\d{6}-[0-9a-f]{8}`)

// assertRuns compares got with its golden file, the random part of run
// ids replaced.
func assertRuns(t *testing.T, name, got string) {
	t.Helper()
	golden.Assert(t, name, reRunID.ReplaceAllStringFunc(got, func(id string) string { return id[:len("20261123T021501")] + "-RANDOM" }))
}

func TestRuns(t *testing.T) {
	state, failed, _ := fixture(t)
	tests := []struct {
		name string
		tty  bool
		args []string
		code int
	}{
		{"list_tty", true, []string{"runs", "list"}, 0},
		{"list_pipe", false, []string{"runs", "list"}, 0},
		{"list_json", false, []string{"runs", "list", "-o", "json"}, 0},
		{"show_failed_tty", true, []string{"runs", "show", failed}, 0},
		{"show_failed_pipe", false, []string{"runs", "show", failed}, 0},
		{"show_failed_json", false, []string{"runs", "show", failed, "-o", "json"}, 0},
		{"show_failed_yaml", false, []string{"runs", "show", failed, "-o", "yaml"}, 0},
		{"show_latest_tty", true, []string{"runs", "show", "latest"}, 0},
		{"show_latest_pipe", false, []string{"runs", "show", "latest"}, 0},
		{"show_prefix", false, []string{"runs", "show", failed[:len("20261123T0215")]}, 0},
		{"show_unknown", false, []string{"runs", "show", "20991231T000000"}, 2},
		{"show_ambiguous", false, []string{"runs", "show", "2026"}, 2},
		{"show_bad_output", false, []string{"runs", "show", "latest", "-o", "wide"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, out, errOut := testFactory(t, state, tt.tty)
			if code := int(cmd.Run(context.Background(), f, tt.args)); code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, errOut)
			}
			assertRuns(t, "TestRuns_"+tt.name, "stdout:\n"+out.String()+"\nstderr:\n"+errOut.String())
		})
	}
}

// TestRunsListEmpty: with no run recorded, runs list prints nothing (on
// a terminal, a hint on stderr), and neither it, runs show nor the
// completion of run IDs creates the runs directory (list created it).
func TestRunsListEmpty(t *testing.T) {
	for _, tty := range []bool{true, false} {
		state := t.TempDir()
		f, out, errOut := testFactory(t, state, tty)
		if code := cmd.Run(context.Background(), f, []string{"runs", "list"}); code != 0 {
			t.Errorf("exit %d", code)
		}
		wantErr := ""
		if tty {
			wantErr = "No runs recorded yet. Try 'fogctl demo'.\n"
		}
		if out.String() != "" || errOut.String() != wantErr {
			t.Errorf("tty %v: stdout %q, stderr %q; want nothing but %q", tty, out, errOut, wantErr)
		}
		errOut.Reset()
		if code := cmd.Run(context.Background(), f, []string{"runs", "show", "latest"}); code != 2 || !strings.Contains(errOut.String(), "no runs recorded yet") {
			t.Errorf("runs show latest with no runs: exit %d, want 2; stderr:\n%s", code, errOut)
		}
		cmd.Run(context.Background(), f, []string{"__complete", "runs", "show", ""})
		if _, err := os.Stat(filepath.Join(state, "runs")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("read-only commands created %s: %v", filepath.Join(state, "runs"), err)
		}
	}
}

// TestRunsShowCompletion completes run IDs newest first, after "latest".
func TestRunsShowCompletion(t *testing.T) {
	state, failed, killed := fixture(t)
	f, out, _ := testFactory(t, state, false)
	if code := cmd.Run(context.Background(), f, []string{"__complete", "runs", "show", ""}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := "latest\n" + killed + "\n" + failed + "\n:4\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("completions (-want +got):\n%s", diff)
	}
}
