package runcmd_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOldRecordedRunShowsAndResumes: a run recorded by an earlier fogctl,
// whose workflow today's parser rejects (a comma in a node name, a number
// label, a list annotation, a number description), is still shown and
// resumed from its recorded copy (both exited 1 with "recorded workflow:
// ... name must not contain a comma"). testdata/oldruns holds its
// journal, killed while b ran, its file gone.
func TestOldRecordedRunShowsAndResumes(t *testing.T) {
	const id = "20261122T120000-0a1b2c3d"
	state := t.TempDir()
	runs := filepath.Join(state, "fogctl", "runs")
	if err := os.MkdirAll(runs, 0o700); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "oldruns", id+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(runs, id+".jsonl"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := fogctl(t, state, "runs", "show", id)
	if code != 0 || !strings.Contains(out, "run\t"+id+"\t/nonexistent/fogctl-old/old.yaml\tinterrupted") || !strings.Contains(out, "node\tfetch,raw\tsucceeded") {
		t.Errorf("runs show %s: exit %d, want 0 showing it interrupted:\n%s%s", id, code, out, stderr)
	}
	out, stderr, code = fogctl(t, state, "runs", "list")
	if code != 0 || !strings.Contains(out, id+"\t") {
		t.Errorf("runs list: exit %d, want %s listed:\n%s%s", code, id, out, stderr)
	}
	out, stderr, code = fogctl(t, state, "run", "--resume", id, "-o", "json")
	var rec struct {
		State string
		Nodes []struct {
			Name   string
			State  string
			Reused bool
			Output map[string]int
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &rec) != nil || rec.State != "succeeded" || len(rec.Nodes) != 2 ||
		!rec.Nodes[0].Reused || rec.Nodes[1].Output["n"] != 1 {
		t.Errorf("run --resume %s: exit %d, want 0, fetch,raw reused and b run with its output:\n%s%s", id, code, out, stderr)
	}
}

// TestUnreadableRecordedRunShows: a run whose recorded workflow this
// fogctl cannot read even leniently (a kind it does not know, as a later
// fogctl might record) is still listed and shown, its nodes from its
// events; resuming it is refused, saying why and what to do (exit 1),
// since no output can be told still good.
func TestUnreadableRecordedRunShows(t *testing.T) {
	const id = "20261122T130000-4e5f6a7b"
	state := t.TempDir()
	runs := filepath.Join(state, "fogctl", "runs")
	if err := os.MkdirAll(runs, 0o700); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "oldruns", id+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(runs, id+".jsonl"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := fogctl(t, state, "runs", "show", id)
	if code != 0 || !strings.Contains(out, "run\t"+id+"\t/nonexistent/fogctl-future/future.yaml\tinterrupted") ||
		!strings.Contains(out, "node\ta\tsucceeded") || !strings.Contains(out, "node\tb\tinterrupted") {
		t.Errorf("runs show %s: exit %d, want 0 with a succeeded, b interrupted:\n%s%s", id, code, out, stderr)
	}
	if out, stderr, code = fogctl(t, state, "runs", "list"); code != 0 || !strings.Contains(out, id+"\t") {
		t.Errorf("runs list: exit %d, want %s listed:\n%s%s", code, id, out, stderr)
	}
	_, stderr, code = fogctl(t, state, "run", "--resume", id)
	if code != 1 || !strings.Contains(stderr, "recorded workflow") || !strings.Contains(stderr, `kind`) ||
		!strings.Contains(stderr, "run the workflow again") {
		t.Errorf("run --resume %s: exit %d, want 1 saying the recorded workflow cannot be read:\n%s", id, code, stderr)
	}
}
