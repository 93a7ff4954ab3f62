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
