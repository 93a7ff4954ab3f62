package workflow

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPlainDAGUnknownKeysWarn: a plain DAG file with a misspelt key runs
// as the reference engine runs it (the key ignored) but Parse warns about
// each unknown key once, with its first line and a "did you mean" for a
// near miss. Before, "dependecies" silently made "b" a root node.
func TestPlainDAGUnknownKeysWarn(t *testing.T) {
	data := `{"nodes": [
  {"name": "a", "action": "GET", "url": "http://127.0.0.1:8080/a", "timeout": "5s"},
  {"name": "b", "action": "POST", "url": "http://127.0.0.1:8080/b",
   "dependecies": ["a"]},
  {"name": "c", "action": "POST", "url": "http://127.0.0.1:8080/c", "dependencies": ["a"], "timeout": "5s", "Action": "GET"},
  {"name": "d", "action": "POST", "url": "http://127.0.0.1:8080/d", "dependencies": ["a"], "timeout": "5s", "URL": "x"}
],
"version": 2}
`
	w, err := Parse("wf.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if deps := w.Node("b").Dependencies; len(deps) != 0 {
		t.Errorf("b's dependencies %v: the misspelt key must be ignored, as the reference engine ignores it", deps)
	}
	var got []string
	for _, p := range w.Warnings {
		if !p.Warning {
			t.Errorf("warning without Warning set: %+v", p)
		}
		got = append(got, p.String())
	}
	want := []string{
		`wf.json:2: warning: node "a": timeout: unknown node key ignored (the reference engine ignores it too); known: name, action, url, dependencies (and in 2 more nodes)`,
		`wf.json:4: warning: node "b": dependecies: unknown node key ignored (the reference engine ignores it too); did you mean "dependencies"?`,
		`wf.json:5: warning: node "c": Action: unknown node key ignored (the reference engine ignores it too); did you mean "action"?`,
		`wf.json:6: warning: node "d": URL: unknown node key ignored (the reference engine ignores it too); did you mean "url"?`,
		`wf.json:8: warning: version: unknown top-level key ignored (the reference engine ignores it too); known: nodes, name`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got)\n%s", diff)
	}

	// The same in YAML, in a file that is rejected for another reason:
	// the ValidationError carries the warnings too, apart from the
	// problems.
	_, err = Parse("wf.yaml", []byte("nodes:\n- name: a\n  action: GET\n  url: http://127.0.0.1/a\n  depends: [b]\n- name: b\n  action: FETCH\n  url: http://127.0.0.1/b\n"))
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v, want a *ValidationError", err)
	}
	if len(ve.Problems) != 1 || !strings.Contains(ve.Problems[0].String(), `wf.yaml:7: node "b": action: unknown HTTP method "FETCH"`) || strings.Contains(err.Error(), "warning") {
		t.Errorf("problems %v", err)
	}
	if len(ve.Warnings) != 1 || ve.Warnings[0].String() != `wf.yaml:5: warning: node "a": depends: unknown node key ignored (the reference engine ignores it too); known: name, action, url, dependencies` {
		t.Errorf("warnings %v", ve.Warnings)
	}

	// fogctl's own format has no warnings: unknown fields are errors.
	w, err = Load("../testdata/workflows/examples/air-quality.yaml")
	if err != nil || len(w.Warnings) != 0 {
		t.Errorf("air-quality.yaml: %v, warnings %v", err, w.Warnings)
	}
}

func TestNearest(t *testing.T) {
	for in, want := range map[string]string{
		"dependecies": "dependencies", "depnedencies": "dependencies", "Dependencies": "dependencies",
		"dependency": "dependencies", "deps": "", "URL": "url", "uri": "url", "actoin": "action",
		"method": "", "nmae": "name", "retries": "", "": "",
	} {
		if got := nearest(in, dagNodeKeys); got != want {
			t.Errorf("nearest(%q) = %q, want %q", in, got, want)
		}
	}
}
