package workflow

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkParse holds Parse to its contract for any input: no panic; a
// rejection is a *ValidationError whose every problem names the file and
// says something; an accepted workflow is a DAG whose layers hold every
// node once, after all of its dependencies.
func checkParse(t *testing.T, data []byte) {
	w, err := Parse("f.yaml", data)
	if err != nil {
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("error %T is not a *ValidationError: %v", err, err)
		}
		if len(ve.Problems) == 0 {
			t.Fatalf("ValidationError with no problems")
		}
		for _, p := range ve.Problems {
			if p.File != "f.yaml" || strings.TrimSpace(p.Msg) == "" || p.Line < 0 {
				t.Fatalf("problem without file or message: %+v", p)
			}
		}
		if strings.Contains(err.Error(), "\n\n") || strings.HasSuffix(err.Error(), "\n") {
			t.Fatalf("error has empty lines: %q", err.Error())
		}
		return
	}
	if len(w.Nodes) == 0 {
		t.Fatalf("accepted a workflow with no nodes")
	}
	layer := map[string]int{}
	for k, l := range w.Layers() {
		for _, name := range l {
			if _, dup := layer[name]; dup {
				t.Fatalf("node %q in two layers", name)
			}
			layer[name] = k
		}
	}
	if len(layer) != len(w.Nodes) {
		t.Fatalf("layers hold %d nodes, workflow has %d", len(layer), len(w.Nodes))
	}
	for _, n := range w.Nodes {
		switch n.Kind {
		case KindHTTP:
			if n.HTTP == nil || n.HTTP.URL == "" || n.HTTP.Method == "" {
				t.Fatalf("http node %q without method or url", n.Name)
			}
		case KindExec:
			if n.Exec == nil || len(n.Exec.Argv) == 0 {
				t.Fatalf("exec node %q without argv", n.Name)
			}
		case KindNoop:
		default:
			t.Fatalf("node %q of kind %q accepted", n.Name, n.Kind)
		}
		for _, d := range n.Dependencies {
			ld, ok := layer[d]
			if !ok || ld >= layer[n.Name] {
				t.Fatalf("node %q (layer %d) depends on %q (layer %d, known %v)", n.Name, layer[n.Name], d, ld, ok)
			}
		}
	}
}

func addSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzParseWorkflow(f *testing.F) {
	addSeeds(f, "../testdata/workflows/examples/*.yaml")
	addSeeds(f, "../testdata/workflows/invalid/*.yaml")
	f.Add([]byte("apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  defaults: {timeout: 1s, retries: 2, backoff: 0s}\n  nodes:\n  - &a {name: a, kind: noop}\n  - {name: b, kind: exec, argv: [cat], dependencies: [a], when: always}\n"))
	f.Add([]byte(`{"apiVersion": "fogctl.io/v1alpha1", "kind": "Workflow", "spec": {"nodes": [{"name": "a", "kind": "http", "url": "http://127.0.0.1/", "headers": {"X-A": "1"}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, data) })
}

func FuzzParseDAG(f *testing.F) {
	addSeeds(f, "../testdata/workflows/examples/plain-dag.*")
	addSeeds(f, "../testdata/workflows/invalid/*.json")
	f.Add([]byte("nodes:\n- {name: a, action: get, url: 'http://[::1]:80/x'}\n- {name: b, action: POST, url: 'https://h/', dependencies: [a, a]}\n"))
	f.Add([]byte(`{"nodes": [{"name": "a", "action": "GET", "url": "http://127.0.0.1/", "dependencies": ["b"]}, {"name": "b", "action": "GET", "url": "http://127.0.0.1/", "dependencies": ["a"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, data) })
}

// FuzzJSONNodeMatchesYAML holds jsonDoc to yaml.v3 on any input: it
// declines what encoding/json rejects, and on valid JSON it builds the
// tree yaml.v3 decodes (field by field) or declines, and Parse gives the
// same workflow or the same problems as through yaml.v3. Each input is
// also checked inside a list and as the nodes of a plain DAG file.
func FuzzJSONNodeMatchesYAML(f *testing.F) {
	addSeeds(f, "../testdata/workflows/examples/*.json")
	addSeeds(f, "../testdata/workflows/invalid/*.json")
	for _, shape := range []string{"chain", "fan", "layered"} {
		f.Add(dagFile(f, shape, 4))
	}
	f.Add([]byte("{\"nodes\": [\r\n\t{\"name\": \"a\\u00e9\\n\", \"action\": \"get\", \"url\": \"http://h/\", \"dependencies\": []},\n{\"name\": \"\u00e9\u20ac\", \"x\": [-0, 1e3, 1.5E-2, 18446744073709551616, true, null, {}]}\r]}"))
	f.Add([]byte(`{"apiVersion": "fogctl.io/v1alpha1", "kind": "Workflow", "spec": {"defaults": {"retries": 1e0}, "nodes": [{"name": "a", "kind": "noop", "retries": -0}]}}`))
	f.Add([]byte(`["\ud83d\ude00", "\/", "\u0000"]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			if _, ok := jsonDoc(data); ok {
				t.Fatalf("jsonDoc accepted invalid JSON %q", data)
			}
			return
		}
		checkJSONDoc(t, data)
		// parse reads JSON through jsonDoc only when it starts with '{' or
		// '[': check scalars in a list, and any value as a DAG's nodes.
		checkJSONDoc(t, append(append([]byte("[\n"), data...), "\n]"...))
		checkJSONDoc(t, append(append([]byte(`{"nodes":`), data...), '}'))
	})
}

// FuzzValidateGraph builds a plain DAG file from fuzz bytes (each byte
// pair is an edge between up to 16 nodes, some named twice, some
// missing) and checks validation against a direct computation: the file
// is accepted exactly when names are unique, every dependency exists and
// there is no cycle; a cycle is reported as a path whose every step is
// a real dependency.
func FuzzValidateGraph(f *testing.F) {
	f.Add(uint8(3), []byte{1, 0, 2, 1})
	f.Add(uint8(3), []byte{0, 1, 1, 2, 2, 0})
	f.Add(uint8(4), []byte{0, 0})
	f.Add(uint8(2), []byte{0, 9})
	f.Add(uint8(17), []byte{})
	f.Fuzz(func(t *testing.T, n uint8, edges []byte) {
		count := int(n%16) + 1
		dup := n >= 16 && count > 1 // name the last node like the first
		name := func(i int) string {
			if dup && i == count-1 {
				return "n0"
			}
			return fmt.Sprint("n", i)
		}
		deps := make([][]string, count)
		seen := map[[2]int]bool{}
		unknown := false
		for k := 0; k+1 < len(edges) && k < 64; k += 2 {
			from, to := int(edges[k]%16), int(edges[k+1]%20)
			if from >= count || seen[[2]int{from, to}] {
				continue
			}
			seen[[2]int{from, to}] = true
			d := fmt.Sprint("n", to)
			if to >= count {
				d = fmt.Sprint("missing", to)
				unknown = true
			}
			deps[from] = append(deps[from], d)
		}
		var b strings.Builder
		b.WriteString("nodes:\n")
		for i := range count {
			fmt.Fprintf(&b, "- name: %s\n  action: GET\n  url: http://127.0.0.1/\n  dependencies: [%s]\n", name(i), strings.Join(deps[i], ", "))
		}
		w, err := Parse("g.yaml", []byte(b.String()))
		// Direct computation over the first definition of each name.
		adj := map[string][]string{}
		for i := count - 1; i >= 0; i-- {
			adj[name(i)] = deps[i]
		}
		cyclic := hasCycle(adj)
		self := false // a duplicate may depend on its own name
		for i := range count {
			self = self || contains(deps[i], name(i))
		}
		cyclic = cyclic || self
		wantOK := !dup && !unknown && !cyclic
		if (err == nil) != wantOK {
			t.Fatalf("file:\n%s\nerror %v, want accepted=%v (dup %v unknown %v cycle %v)", b.String(), err, wantOK, dup, unknown, cyclic)
		}
		if err == nil {
			checkParse(t, []byte(b.String()))
			if len(w.Nodes) != count {
				t.Fatalf("%d nodes, want %d", len(w.Nodes), count)
			}
			return
		}
		msg := err.Error()
		if dup && !strings.Contains(msg, `duplicate name: "n0"`) {
			t.Fatalf("duplicate not named: %s", msg)
		}
		if unknown && !strings.Contains(msg, `unknown dependency "missing`) {
			t.Fatalf("unknown dependency not named: %s", msg)
		}
		if cyclic != (strings.Contains(msg, "cycle: ")) {
			t.Fatalf("cycle %v but message:\n%s", cyclic, msg)
		}
		for _, line := range strings.Split(msg, "\n") {
			_, path, ok := strings.Cut(line, "cycle: ")
			if !ok {
				continue
			}
			path = strings.TrimSuffix(path, ")")
			steps := strings.Split(path, " -> ")
			if len(steps) < 2 || steps[0] != steps[len(steps)-1] {
				t.Fatalf("cycle path %q does not come back", path)
			}
			if len(steps) == 2 && self {
				continue
			}
			for k := 0; k+1 < len(steps); k++ {
				if !contains(adj[steps[k]], steps[k+1]) {
					t.Fatalf("cycle path %q: %s does not depend on %s", path, steps[k], steps[k+1])
				}
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// hasCycle is a plain recursive colouring DFS, independent of validate.
func hasCycle(adj map[string][]string) bool {
	colour := map[string]int{}
	var visit func(string) bool
	visit = func(v string) bool {
		colour[v] = 1
		for _, w := range adj[v] {
			if _, ok := adj[w]; !ok {
				continue
			}
			if colour[w] == 1 || (colour[w] == 0 && visit(w)) {
				return true
			}
		}
		colour[v] = 2
		return false
	}
	for v := range adj {
		if colour[v] == 0 && visit(v) {
			return true
		}
	}
	return false
}
