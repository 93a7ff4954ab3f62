package runcmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/workflow"
	"github.com/fogctl/fogctl/workflow/runstore"
)

// TestResumeWithNewInputRerunsRoots: `run --resume ID --input NEW` does not
// reuse the root nodes' outputs, computed from the old input (and so
// nothing after them); the same input, however spaced, reuses them.
func TestResumeWithNewInputRerunsRoots(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "wf.yaml")
	data := []byte("apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n  - {name: a, kind: noop}\n  - {name: b, kind: noop, dependencies: [a]}\n  - {name: c, kind: exec, argv: [\"false\"], dependencies: [b]}\n")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	wf, err := workflow.Parse(file, data)
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	store, err := runstore.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	old := json.RawMessage(`{"site":"old"}`)
	run, err := store.Create(runstore.Meta{Workflow: file, Nodes: 3, Input: old}, data)
	if err != nil {
		t.Fatal(err)
	}
	rec := workflow.NewRecord(wf, run.ID())
	for ev := range workflow.Run(context.Background(), wf, workflow.Options{RunID: run.ID(), Input: old}) {
		rec.Apply(ev)
		run.Append(ev)
	}
	if err := run.Close(true); err != nil {
		t.Fatal(err)
	}
	ios, _, _, _ := cmdutil.Test()
	opts := &RunOptions{IO: ios, StateDir: func() (string, error) { return state, nil }, Resume: run.ID()}
	for _, tc := range []struct {
		name  string
		input string
		want  []string
	}{
		{"no --input", "", []string{"a", "b"}},
		{"same input, spaced", `{ "site" : "old" }`, []string{"a", "b"}},
		{"new input", `{"site":"new"}`, []string{"b"}}, // b stays listed; the engine runs it again after a
	} {
		t.Run(tc.name, func(t *testing.T) {
			job, err := resumeJob(opts, json.RawMessage(tc.input))
			opts.claim.Release() // each case resumes the same run
			if err != nil {
				t.Fatal(err)
			}
			got := slices.Sorted(func(yield func(string) bool) {
				for k := range job.Reuse {
					if !yield(k) {
						return
					}
				}
			})
			if !slices.Equal(got, tc.want) {
				t.Errorf("reused %v, want %v", got, tc.want)
			}
		})
	}
}
