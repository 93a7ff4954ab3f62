package cmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRecordTimesAgree: the record `fogctl run -o json` prints and the
// one `fogctl runs show -o json` replays from the journal give the same
// times, zone included, for an operator outside UTC.
func TestRecordTimesAgree(t *testing.T) {
	local := time.Local
	time.Local = time.FixedZone("CET", 3600)
	t.Cleanup(func() { time.Local = local })

	f, out, errOut := testFactory(t)
	wf := filepath.Join(t.TempDir(), "noop.yaml")
	if err := os.WriteFile(wf, []byte("apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n    - {name: a, kind: noop}\n    - {name: b, kind: noop, dependencies: [a]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	type record struct {
		ID      string    `json:"id"`
		Started time.Time `json:"started"`
		Ended   time.Time `json:"ended"`
		Nodes   []struct {
			Name    string    `json:"name"`
			Started time.Time `json:"started"`
			Ended   time.Time `json:"ended"`
		} `json:"nodes"`
	}
	read := func(args ...string) (record, string) {
		t.Helper()
		out.Reset()
		if code := Run(context.Background(), f, args); code != 0 {
			t.Fatalf("%s: exit %d\n%s", args, code, errOut)
		}
		var r record
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v\n%s", args, err, out)
		}
		return r, out.String()
	}
	ran, ranJSON := read("run", wf, "-o", "json")
	shown, shownJSON := read("runs", "show", ran.ID, "-o", "json")
	if ran.Started.IsZero() || len(ran.Nodes) != 2 {
		t.Fatalf("record without times or nodes:\n%s", ranJSON)
	}
	same := func(what string, a, b time.Time) {
		_, ao := a.Zone()
		_, bo := b.Zone()
		if !a.Equal(b) || ao != bo {
			t.Errorf("%s: run -o json says %s, runs show -o json says %s", what, a.Format(time.RFC3339Nano), b.Format(time.RFC3339Nano))
		}
	}
	same("run started", ran.Started, shown.Started)
	same("run ended", ran.Ended, shown.Ended)
	for i, n := range ran.Nodes {
		if i >= len(shown.Nodes) || shown.Nodes[i].Name != n.Name {
			t.Fatalf("nodes differ:\n%s\n%s", ranJSON, shownJSON)
		}
		same(n.Name+" started", n.Started, shown.Nodes[i].Started)
		same(n.Name+" ended", n.Ended, shown.Nodes[i].Ended)
	}
}
