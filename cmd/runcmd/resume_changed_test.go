package runcmd_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fogctl/fogctl/internal/testbin"
	"github.com/google/go-cmp/cmp"
)

const changeWorkflow = `apiVersion: fogctl.io/v1alpha1
kind: Workflow
spec:
  nodes:
    - name: a
      kind: http
      url: {{URL}}/ok/a-v1
    - name: b
      kind: http
      url: {{URL}}/ok/b
      dependencies: [a]
    - name: side
      kind: http
      url: {{URL}}/ok/side
    - name: c
      kind: http
      url: {{URL}}/fail/c
      dependencies: [b, side]
`

// TestResumeChangedWorkflow: a resume after the workflow file changed
// does not reuse the output of a node whose definition changed: the node
// runs again, with every node after it, stderr names it and what changed,
// and the new record holds the new node's output (it claimed that a-v2
// made /a-v1's output). A timeout changed reuses as before. FILE with
// --resume is read in place of the run's file, with the same rule.
func TestResumeChangedWorkflow(t *testing.T) {
	for _, tc := range []struct {
		name     string
		edit     func(string) string
		asFile   bool   // give the edited file as FILE, the run's file untouched
		say      string // on stderr
		calls    map[string]int
		outputOf string // a key a's output holds after the resume
	}{
		{
			name:     "unchanged",
			edit:     func(s string) string { return s },
			calls:    map[string]int{"/ok/a-v1": 1, "/ok/a-v2": 0, "/ok/b": 1, "/ok/side": 1, "/fail/c": 2},
			outputOf: "a-v1",
		},
		{
			name: "timeout only",
			edit: func(s string) string {
				return strings.Replace(s, "/ok/a-v1\n", "/ok/a-v1\n      timeout: 9s\n      retries: 2\n", 1)
			},
			calls:    map[string]int{"/ok/a-v1": 1, "/ok/a-v2": 0, "/ok/b": 1, "/ok/side": 1, "/fail/c": 2},
			outputOf: "a-v1",
		},
		{
			name:     "url changed",
			edit:     func(s string) string { return strings.Replace(s, "/ok/a-v1", "/ok/a-v2", 1) },
			say:      `node "a" (url) runs again, with every node after it`,
			calls:    map[string]int{"/ok/a-v1": 1, "/ok/a-v2": 1, "/ok/b": 2, "/ok/side": 1, "/fail/c": 2},
			outputOf: "a-v2",
		},
		{
			name:     "url changed, as FILE",
			edit:     func(s string) string { return strings.Replace(s, "/ok/a-v1", "/ok/a-v2", 1) },
			asFile:   true,
			say:      `node "a" (url) runs again, with every node after it`,
			calls:    map[string]int{"/ok/a-v1": 1, "/ok/a-v2": 1, "/ok/b": 2, "/ok/side": 1, "/fail/c": 2},
			outputOf: "a-v2",
		},
		{
			name:     "dependencies changed",
			edit:     func(s string) string { return strings.Replace(s, "dependencies: [a]", "dependencies: [a, side]", 1) },
			say:      `node "b" (dependencies) runs again`,
			calls:    map[string]int{"/ok/a-v1": 1, "/ok/b": 2, "/ok/side": 1, "/fail/c": 2},
			outputOf: "a-v1",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := startService(t)
			dir := t.TempDir()
			wf := writeWorkflow(t, dir, "wf.yaml", changeWorkflow, svc)
			f, _, out, errOut := testFactory(t, false)
			if code := run(t, f, "run", wf); code != 1 {
				t.Fatalf("first run: exit %d, want 1; stderr:\n%s", code, errOut)
			}
			id := reRunID.FindString(out.String())
			data, _ := os.ReadFile(wf)
			args := []string{"run", "--resume", id, "-o", "json"}
			if tc.asFile {
				moved := filepath.Join(t.TempDir(), "moved.yaml")
				if err := os.WriteFile(moved, []byte(tc.edit(string(data))), 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, moved)
			} else if err := os.WriteFile(wf, []byte(tc.edit(string(data))), 0o600); err != nil {
				t.Fatal(err)
			}
			out.Reset()
			errOut.Reset()
			if code := run(t, f, args...); code != 1 {
				t.Fatalf("resume: exit %d, want 1 (c still fails); stderr:\n%s", code, errOut)
			}
			if tc.say == "" && strings.Contains(errOut.String(), "changed since") || !strings.Contains(errOut.String(), tc.say) {
				t.Errorf("stderr, want %q:\n%s", tc.say, errOut)
			}
			for path, n := range tc.calls {
				if got := svc.Calls(path); got != n {
					t.Errorf("%s called %d times, want %d", path, got, n)
				}
			}
			var rec struct {
				Nodes []struct {
					Name   string
					Output map[string]any
				}
			}
			if err := json.Unmarshal(out.Bytes(), &rec); err != nil {
				t.Fatal(err)
			}
			if a := rec.Nodes[0]; a.Name != "a" || a.Output[tc.outputOf] != true || len(a.Output) != 1 {
				t.Errorf("a's output in the resumed record: %v, want {%q: true}", a.Output, tc.outputOf)
			}
		})
	}
}

// TestRunJSONMatchesRunsShow: `run --resume ID --input F -o json` prints
// the same document as `runs show ID2 -o json` of the run it made, input
// and resumedFrom included (run -o json printed them null and empty).
func TestRunJSONMatchesRunsShow(t *testing.T) {
	svc := startService(t)
	state := t.TempDir()
	wf := writeWorkflow(t, t.TempDir(), "wf.yaml", changeWorkflow, svc)
	input := writeWorkflow(t, t.TempDir(), "in.json", `{"night": "2026-11-23"}`, nil)
	out, stderr, code := fogctl(t, state, "run", wf)
	if code != 1 {
		t.Fatalf("run: exit %d; stderr:\n%s", code, stderr)
	}
	first := reRunID.FindString(out)
	printed, stderr, code := fogctl(t, state, "run", "--resume", first, "--input", input, "-o", "json")
	if code != 1 {
		t.Fatalf("resume: exit %d; stderr:\n%s", code, stderr)
	}
	var ran map[string]any
	if err := json.Unmarshal([]byte(printed), &ran); err != nil {
		t.Fatal(err)
	}
	shown, stderr, code := fogctl(t, state, "runs", "show", ran["id"].(string), "-o", "json")
	if code != 0 {
		t.Fatalf("runs show: exit %d; stderr:\n%s", code, stderr)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(shown), &rec); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rec, ran); diff != "" {
		t.Errorf("run -o json differs from runs show -o json (-show +run):\n%s", diff)
	}
	if ran["resumedFrom"] != first || ran["input"].(map[string]any)["night"] != "2026-11-23" {
		t.Errorf("run -o json: resumedFrom %v, input %v", ran["resumedFrom"], ran["input"])
	}

	// A plain run of a file given by a relative path: "file" is the
	// absolute path in both (run -o json said "sub/wf.yaml").
	root := filepath.Dir(filepath.Dir(wf))
	rel, err := filepath.Rel(root, wf)
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(testbin.Fogctl(t), "run", rel, "-o", "json")
	c.Dir = root
	c.Env = append(os.Environ(), "XDG_STATE_HOME="+state, "NO_COLOR=1")
	plainOut, _ := c.Output()
	var plain map[string]any
	if err := json.Unmarshal(plainOut, &plain); err != nil {
		t.Fatalf("run %s -o json: %v:\n%s", rel, err, plainOut)
	}
	shown, stderr, code = fogctl(t, state, "runs", "show", plain["id"].(string), "-o", "json")
	if code != 0 {
		t.Fatalf("runs show: exit %d; stderr:\n%s", code, stderr)
	}
	rec = nil
	if err := json.Unmarshal([]byte(shown), &rec); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rec, plain); diff != "" {
		t.Errorf("run %s -o json differs from runs show -o json (-show +run):\n%s", rel, diff)
	}
	if plain["file"] != wf {
		t.Errorf("run %s -o json: file %v, want %s", rel, plain["file"], wf)
	}
}

// TestReusedNodesShown: the nodes a resume reuses say so, with the run
// their output comes from, in plain lines, the live status's summary and
// runs show; they read "attempt 1/1" at the resume's time, as if run.
func TestReusedNodesShown(t *testing.T) {
	svc := startService(t)
	wf := writeWorkflow(t, t.TempDir(), "wf.yaml", changeWorkflow, svc)
	f, _, out, errOut := testFactory(t, false)
	if code := run(t, f, "run", wf); code != 1 {
		t.Fatalf("first run: exit %d; stderr:\n%s", code, errOut)
	}
	first := reRunID.FindString(out.String())
	out.Reset()
	if code := run(t, f, "run", "--resume", first); code != 1 {
		t.Fatalf("resume: exit %d; stderr:\n%s", code, errOut)
	}
	for _, n := range []string{"a", "b", "side"} {
		if want := "\tnode\t" + n + "\tsucceeded\treused from " + first + "\n"; !strings.Contains(out.String(), want) {
			t.Errorf("plain lines: no %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out.String(), "\tnode\tc\tfailed\tattempt 1/1: ") {
		t.Errorf("c ran again but its line does not say its attempt:\n%s", out)
	}
	show, _, _ := runsShow(t, f, false)
	if !strings.Contains(show, "node\ta\tsucceeded\t0\t") || !strings.Contains(show, "\treused from "+first+"\n") {
		t.Errorf("runs show does not show a reused from %s:\n%s", first, show)
	}

	// On a terminal: the summary the live status leaves.
	g, _, tout, terr := testFactory(t, true)
	g.StateDir = f.StateDir
	if code := run(t, g, "run", "--resume", "latest"); code != 1 {
		t.Fatalf("resume on a terminal: exit %d; stderr:\n%s", code, terr)
	}
	if !regexp.MustCompile(`✓ +a +succeeded +reused\n`).MatchString(screen(tout.String())) {
		t.Errorf("the terminal summary does not show a reused:\n%s", screen(tout.String()))
	}
}
