package workflow

import (
	"context"
	"strings"
	"testing"
)

const head = "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n"

// TestParseRejectsWithLines: what a file gets wrong is named with its
// line, in words that say what to do. Each case failed before: a comma
// in a name was accepted (and broke --rerun a,b), a non-UTF-8 file had
// no line, a tab said "found character that cannot start any token",
// labels took numbers and lists.
func TestParseRejectsWithLines(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"comma in a name", head + "  - {name: 'fetch,clean', kind: noop}\n",
			`x.yaml:5: node "fetch,clean": name: name must not contain a comma: --rerun a,b and the text graph separate names with commas`},
		{"comma in a plain DAG name", "nodes:\n- {name: 'a,b', action: GET, url: 'http://h/'}\n",
			`x.yaml:2: node "a,b": name: name must not contain a comma`},
		{"not UTF-8", head + "  - name: a\n    kind: noop\n    description: caf\xe9\n",
			`x.yaml:7: file is not UTF-8 text: byte 0xe9 at column 21; save it as UTF-8`},
		{"tab before a list item", head + "\t- {name: a, kind: noop}\n",
			`x.yaml:5: invalid YAML: a tab in the indentation: YAML indents with spaces only (replace the tabs with spaces)`},
		{"tab before a key", head + "  - name: a\n\tkind: noop\n",
			`x.yaml:6: invalid YAML: a tab in the indentation: YAML indents with spaces only`},
		{"tab after spaces", head + "  - name: a\n    kind: noop\n    \twhen: always\n",
			`x.yaml:7: invalid YAML: a tab in the indentation: YAML indents with spaces only`},
		{"tab in a plain DAG", "nodes:\n- name: a\n  action: GET\n\turl: http://h/\n",
			`x.yaml:4: invalid YAML: a tab in the indentation`},
		{"label number", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nmetadata:\n  labels:\n    site: depot\n    line: 12\nspec:\n  nodes:\n  - {name: a, kind: noop}\n",
			`x.yaml:6: metadata.labels.line: want a string, got number 12 (quote it)`},
		{"labels list", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nmetadata:\n  labels: [a, b]\nspec:\n  nodes:\n  - {name: a, kind: noop}\n",
			`x.yaml:4: metadata.labels: want a mapping, got a list`},
		{"annotation boolean", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nmetadata:\n  annotations: {reviewed: true}\nspec:\n  nodes:\n  - {name: a, kind: noop}\n",
			`x.yaml:4: metadata.annotations.reviewed: want a string, got boolean true (quote it)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

// TestNoopTakesTimeoutAndRetries: every node has a timeout and retries
// (the format's promise), a noop too; on a noop they do nothing (one
// attempt, "1/1") and the file says so in a warning, with its line.
func TestNoopTakesTimeoutAndRetries(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"retries", head + "  - name: join\n    kind: noop\n    retries: 2\n", `x.yaml:7: warning: node "join": retries: has no effect on kind noop`},
		{"timeout", head + "  - {name: join, kind: noop, timeout: 5s}\n", `x.yaml:5: warning: node "join": timeout: has no effect on kind noop`},
		{"backoff", head + "  - {name: join, kind: noop, backoff: 1s}\n", `x.yaml:5: warning: node "join": backoff: has no effect on kind noop`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Parse("x.yaml", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(w.Warnings) != 1 || !strings.HasPrefix(w.Warnings[0].String(), tt.want) {
				t.Errorf("warnings %v, want one starting %q", w.Warnings, tt.want)
			}
			for ev := range Run(context.Background(), w, Options{RunID: "r"}) {
				if ev.Node == "join" && ev.MaxAttempts != 1 {
					t.Errorf("noop event %s attempt %d/%d, want 1/1", ev.State, ev.Attempt, ev.MaxAttempts)
				}
			}
		})
	}
	w, err := New("coded", []*Node{{Name: "a", Kind: KindNoop, Retries: 2}})
	if err != nil {
		t.Fatalf("New with a retried noop node: %v", err)
	}
	for ev := range Run(context.Background(), w, Options{RunID: "r"}) {
		if ev.Node == "a" && ev.MaxAttempts != 1 {
			t.Errorf("New's noop event %s attempt %d/%d, want 1/1", ev.State, ev.Attempt, ev.MaxAttempts)
		}
	}
}

// TestParseAccepts: a JSON file with a UTF-8 byte order mark is read as
// the same file in YAML always was (it failed "invalid character 'ï'");
// a noop node does not inherit spec.defaults.retries, so it shows one
// attempt, not "1/3"; string labels are fine.
func TestParseAccepts(t *testing.T) {
	for line, in := range map[int]string{
		2: "\ufeff{\"nodes\": [{\"name\": \"a\", \"action\": \"GET\", \"url\": \"http://h/\"},\n {\"name\": \"b\", \"action\": \"GET\", \"url\": \"http://h/\", \"dependencies\": [\"a\"]}]}\n",
		3: "\ufeffnodes:\n- {name: a, action: GET, url: 'http://h/'}\n- {name: b, action: GET, url: 'http://h/', dependencies: [a]}\n",
	} {
		w, err := Parse("bom.json", []byte(in))
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if len(w.Nodes) != 2 || w.Nodes[1].Line != line {
			t.Errorf("%q: %d nodes, b at line %d, want %d", in, len(w.Nodes), w.Nodes[1].Line, line)
		}
	}
	// A BOM in the middle of a JSON file is still an error.
	if _, err := Parse("x.json", []byte("{\"nodes\": \ufeff[]}")); err == nil {
		t.Errorf("a BOM inside JSON was accepted")
	}

	w, err := Parse("x.yaml", []byte("apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: m\n  description: what it does\n  labels: {site: depot, line: '12'}\n  annotations: {owner: ops}\nspec:\n  defaults: {retries: 2}\n  nodes:\n  - {name: a, kind: exec, argv: ['true']}\n  - {name: join, kind: noop, dependencies: [a]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a, join := w.Node("a"), w.Node("join"); a.Retries != 2 || join.Retries != 0 {
		t.Errorf("retries: exec %d (want 2 from defaults), noop %d (want 0)", a.Retries, join.Retries)
	}
	_, rec := collect(t, context.Background(), w, Options{})
	if at := rec.Node("join").Attempts; len(at) != 1 {
		t.Errorf("noop attempts %+v", at)
	}
	for ev := range Run(context.Background(), w, Options{RunID: "r"}) {
		if ev.Node == "join" && ev.MaxAttempts != 1 {
			t.Errorf("noop event %s attempt %d/%d, want 1/1", ev.State, ev.Attempt, ev.MaxAttempts)
		}
	}
}
