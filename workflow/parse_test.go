package workflow

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestExamplesParse(t *testing.T) {
	files, err := filepath.Glob("../testdata/workflows/examples/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	kinds := map[string]bool{}
	for _, f := range files {
		w, err := Load(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		for _, n := range w.Nodes {
			kinds[w.Format+"/"+n.Kind] = true
		}
	}
	for _, k := range []string{"fogctl/http", "fogctl/exec", "fogctl/noop", "dag/http"} {
		if !kinds[k] {
			t.Errorf("no example has a %s node", k)
		}
	}
}

func TestParseFogctl(t *testing.T) {
	w, err := Load("../testdata/workflows/examples/http.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := &Workflow{
		Name: "http-example", File: "../testdata/workflows/examples/http.yaml", Format: FormatFogctl,
		Defaults: Defaults{Timeout: 5 * time.Second, Retries: 1, Backoff: 200 * time.Millisecond},
		Nodes: []*Node{
			{Name: "read-sensor", Kind: KindHTTP, Retries: 1, Backoff: 200 * time.Millisecond, Line: 13,
				HTTP: &HTTPAction{Method: "GET", URL: "http://127.0.0.1:8080/sensors/pm25", Headers: map[string]string{"Authorization": "Bearer demo"}}},
			{Name: "store", Kind: KindHTTP, Dependencies: []string{"read-sensor"}, Timeout: 2 * time.Second, Retries: 3, Backoff: 200 * time.Millisecond, Line: 19,
				HTTP: &HTTPAction{Method: "POST", URL: "http://127.0.0.1:8080/store"}},
		},
	}
	if diff := cmp.Diff(want, w, cmp.AllowUnexported(), cmpIgnoreInternal); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if got := w.Node("store"); got == nil || got.Name != "store" {
		t.Errorf("Node(store) = %v", got)
	}
	if w.Node("nope") != nil {
		t.Errorf("Node(nope) is not nil")
	}
}

var cmpIgnoreInternal = cmp.FilterPath(func(p cmp.Path) bool {
	switch p.Last().String() {
	case ".index", ".deps", ".kids", ".layers", ".depLines", ".fileDir":
		return true
	}
	return false
}, cmp.Ignore())

func TestParsePlainDAG(t *testing.T) {
	for _, f := range []string{"plain-dag.yaml", "plain-dag.json"} {
		w, err := Load("../testdata/workflows/examples/" + f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if w.Format != FormatDAG || w.Name != "plain-dag" {
			t.Errorf("%s: format %q name %q", f, w.Format, w.Name)
		}
		n := w.Nodes[1]
		if n.Kind != KindHTTP || n.HTTP.Method != "POST" || !strings.HasPrefix(n.HTTP.URL, "http://127.0.0.1:8080/") || len(n.Dependencies) != 1 {
			t.Errorf("%s: node %+v %+v", f, n, n.HTTP)
		}
	}
}

func TestLayers(t *testing.T) {
	w, err := Load("../testdata/workflows/examples/air-quality.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"read-pm25", "read-no2"}, {"clean"}, {"aggregate"}, {"store", "report"}}
	if diff := cmp.Diff(want, w.Layers()); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if diff := cmp.Diff([]string{"store", "report"}, w.Dependants("aggregate")); diff != "" {
		t.Errorf("Dependants (-want +got)\n%s", diff)
	}
}

// TestInvalidFiles checks each invalid file gives a *ValidationError whose
// every line names the file, the line and, where there is one, the node.
func TestInvalidFiles(t *testing.T) {
	tests := []struct {
		file string
		want []string // lines of the error, in order
	}{
		{"unknown-dependency.yaml", []string{
			`unknown-dependency.yaml:11: node "store": dependencies: unknown dependency "transform": no node has that name`,
		}},
		{"duplicate-name.yaml", []string{
			`duplicate-name.yaml:9: node "fetch": name: duplicate name: "fetch" is already defined at line 7`,
		}},
		{"cycle.yaml", []string{
			`cycle.yaml:7: node "a": dependencies: dependency cycle: a -> c -> b -> a`,
		}},
		{"plain-dag-cycle.json", []string{
			`plain-dag-cycle.json:3: node "a": dependencies: dependency cycle: a -> b -> a`,
			`plain-dag-cycle.json:5: node "c": dependencies: unknown dependency "x": no node has that name`,
		}},
		{"syntax.json", []string{
			`syntax.json:5: invalid JSON: invalid character ']' after object key:value pair`,
		}},
		{"syntax.yaml", []string{
			`syntax.yaml:7: invalid YAML: did not find expected '-' indicator: this line is indented to a level no enclosing block has`,
		}},
		{"many-problems.yaml", []string{
			`many-problems.yaml:7: node "fetch": url: missing: an http node needs a url`,
			`many-problems.yaml:9: node "fetch": method: unknown HTTP method "FETCH": want GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS`,
			`many-problems.yaml:11: node "transform": kind: unknown kind "lambda": want one of http, exec, noop`,
			`many-problems.yaml:13: node "run": argv: missing: an exec node needs argv: [program, arg...]`,
			`many-problems.yaml:15: node "run": timeout: want a duration such as 5s or 250ms, got number 5`,
			`many-problems.yaml:16: node "run": retires: unknown field (known: name, kind, dependencies, timeout, retries, backoff, when, method, url, headers, argv, env, dir, description)`,
			`many-problems.yaml:17: spec.nodes[3]: missing name`,
			`many-problems.yaml:20: node "store": url: not used by kind noop`,
			`many-problems.yaml:21: node "store": dependencies: depends on itself (cycle: store -> store)`,
			`many-problems.yaml:22: node "store": when: unknown value "sometimes": want "always" or leave it out`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile("../testdata/workflows/invalid/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(tt.file, data)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Parse error = %v (%T), want *ValidationError", err, err)
			}
			if diff := cmp.Diff(tt.want, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // a substring of the error
	}{
		{"empty", "", `x.yaml: file is empty`},
		{"not a mapping", "- a\n- b\n", `x.yaml:1: want a mapping`},
		{"not a workflow", "foo: 1\n", `x.yaml:1: not a workflow`},
		{"wrong apiVersion", "apiVersion: v2\nkind: Workflow\nspec: {nodes: [{name: a, kind: noop}]}\n", `x.yaml:1: apiVersion: unsupported version "v2"`},
		{"wrong kind", "apiVersion: fogctl.io/v1alpha1\nkind: Job\nspec: {nodes: [{name: a, kind: noop}]}\n", `x.yaml:2: kind: unsupported kind "Job"`},
		{"no spec", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\n", `x.yaml:1: spec: missing`},
		{"no nodes", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec: {nodes: []}\n", `the workflow has no nodes`},
		{"bad url", "nodes:\n- {name: a, action: GET, url: 'ftp://x'}\n", `x.yaml:2: node "a": url: URL "ftp://x" must start with http:// or https://`},
		{"dag missing action", "nodes:\n- {name: a, url: 'http://127.0.0.1/'}\n", `x.yaml:2: node "a": action: missing`},
		{"negative retries", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n  - {name: a, kind: noop, retries: -1}\n", `node "a": retries: want a whole number from 0 to 100, got -1`},
		{"zero timeout", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n  - {name: a, kind: noop, timeout: 0s}\n", `node "a": timeout: must be positive`},
		{"duplicate key", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n  - name: a\n    kind: noop\n    kind: http\n", `x.yaml:7: spec.nodes[0].kind: set twice (first at line 6)`},
		{"header bad name", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n  - name: a\n    kind: http\n    url: http://h/\n    headers:\n      'X Bad': v\n", `x.yaml:9: node "a": headers.X Bad: invalid header name`},
		{"header two lines", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n  - name: a\n    kind: http\n    url: http://h/\n    headers:\n      X-Ok: \"one\\ntwo\"\n", `x.yaml:9: node "a": headers.X-Ok: header value must be one line`},
		{"header list", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n  - name: a\n    kind: http\n    url: http://h/\n    headers:\n      X-Ok: [a]\n", `x.yaml:9: node "a": headers.X-Ok: want a string, got a list`},
		{"env bad name", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n  - {name: a, kind: exec, argv: [\"true\"], env: {1X: a}}\n", `x.yaml:5: node "a": env.1X: invalid variable name`},
		{"env number", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n  - {name: a, kind: exec, argv: [\"true\"], env: {N: 5}}\n", `node "a": env.N: want a string, got number 5 (quote it)`},
		{"env date", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n  - {name: a, kind: exec, argv: [\"true\"], env: {D: 2026-01-01}}\n", `node "a": env.D: want a string, got date 2026-01-01 (quote it)`},
		{"env on http", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n  - {name: a, kind: http, url: 'http://h/', env: {A: b}}\n", `node "a": env: not used by kind http (env is for kind exec)`},
		{"dir on noop", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n  - {name: a, kind: noop, dir: /tmp}\n", `node "a": dir: not used by kind noop`},
		{"empty argv", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n  - {name: a, kind: exec, argv: []}\n", `node "a": argv: must name a program`},
		{"duplicate's unknown dependency", "nodes:\n- {name: a, action: GET, url: 'http://h/'}\n- {name: a, action: GET, url: 'http://h/', dependencies: [zz]}\n", `x.yaml:3: node "a": dependencies: unknown dependency "zz"`},
		{"two documents", "nodes:\n- {name: a, action: GET, url: 'http://h/'}\n---\nnodes: []\n", `x.yaml:3: more than one YAML document`},
		{"comments only", "# nothing here\n", `x.yaml: file is empty`},
		{"mixed formats", "kind: Workflow\napiVersion: fogctl.io/v1alpha1\nnodes: []\n", `x.yaml:3: nodes: unknown field (known: apiVersion, kind, metadata, spec)`},
		{"JSON trailing data", `{"nodes": []} {}`, `x.yaml:1: invalid JSON: unexpected data after the top-level value`},
		{"JSON tabs", "{\n\t\"nodes\": [\n\t\t{\"name\": \"a\", \"action\": \"GET\", \"url\": \"http://127.0.0.1/\", \"dependencies\": [\"b\"]}\n\t]\n}\n", `x.yaml:3: node "a": dependencies: unknown dependency "b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.in))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error = %v, want *ValidationError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%s\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "nope.yaml: no such file or directory") {
		t.Errorf("error = %v", err)
	}
}

func TestNew(t *testing.T) {
	nodes := []*Node{
		{Name: "a", Kind: KindNoop},
		{Name: "b", Kind: KindExec, Exec: &ExecAction{Argv: []string{"cat"}}, Dependencies: []string{"a"}},
	}
	w, err := New("coded", nodes)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"a"}, {"b"}}, w.Layers()); diff != "" {
		t.Errorf("layers (-want +got)\n%s", diff)
	}
	if nodes[0].Backoff != 0 || w.Nodes[0].Backoff != DefaultBackoff {
		t.Errorf("New changed the caller's node or did not default backoff")
	}
	_, err = New("bad", []*Node{
		{Name: "a", Kind: "lambda"},
		{Name: "b", Kind: KindHTTP, HTTP: &HTTPAction{URL: "ftp://x"}, Dependencies: []string{"c", "b"}},
		{Name: "a", Kind: KindNoop},
	})
	want := []string{
		`bad: node "a": kind: unknown kind "lambda": want one of http, exec, noop`,
		`bad: node "b": url: URL "ftp://x" must start with http:// or https://`,
		`bad: node "a": name: duplicate name: "a" is already defined`,
		`bad: node "b": dependencies: unknown dependency "c": no node has that name`,
		`bad: node "b": dependencies: depends on itself (cycle: b -> b)`,
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v", err)
	}
	if diff := cmp.Diff(want, strings.Split(err.Error(), "\n")); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// TestRunHandBuiltWorkflow: a Workflow literal not made by Parse or New
// is checked by Run; an invalid one fails the run instead of panicking.
func TestRunHandBuiltWorkflow(t *testing.T) {
	good := &Workflow{Name: "lit", Nodes: []*Node{{Name: "a", Kind: KindNoop}, {Name: "b", Kind: KindNoop, Dependencies: []string{"a"}}}}
	var last Event
	for ev := range Run(t.Context(), good, Options{RunID: "x", Input: []byte(`{"k":1}`)}) {
		last = ev
	}
	if last.State != StateSucceeded {
		t.Errorf("good literal: %s %s", last.State, last.Error)
	}
	var bad0 []Event
	for ev := range Run(t.Context(), good, Options{RunID: "x", Input: []byte(`{"k":`)}) {
		bad0 = append(bad0, ev)
	}
	if len(bad0) != 1 || bad0[0].State != StateFailed || bad0[0].Error != "the run's input is not JSON" {
		t.Errorf("bad input: %+v", bad0)
	}
	bad := &Workflow{Name: "lit", Nodes: []*Node{{Name: "a", Kind: KindNoop, Dependencies: []string{"a"}}}}
	var evs []Event
	for ev := range Run(t.Context(), bad, Options{RunID: "x"}) {
		evs = append(evs, ev)
	}
	if len(evs) != 1 || evs[0].State != StateFailed || !strings.Contains(evs[0].Error, "depends on itself") {
		t.Errorf("bad literal: %+v", evs)
	}
}
