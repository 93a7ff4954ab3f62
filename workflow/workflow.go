package workflow

import (
	"time"
)

// APIVersion and KindWorkflow identify fogctl's workflow file format.
const (
	APIVersion   = "fogctl.io/v1alpha1"
	KindWorkflow = "Workflow"
)

// Node kinds.
const (
	KindHTTP = "http"
	KindExec = "exec"
	KindNoop = "noop"
)

// Formats a workflow file can be written in.
const (
	FormatFogctl = "fogctl" // apiVersion: fogctl.io/v1alpha1, kind: Workflow
	FormatDAG    = "dag"    // the reference engine's plain DAG file: top-level nodes:
)

// WhenAlways makes a node run even when one of its dependencies failed.
const WhenAlways = "always"

// DefaultBackoff is the first retry's base delay when neither the node nor
// the file's defaults set one.
const DefaultBackoff = 200 * time.Millisecond

// BuiltinTimeout is the per-attempt timeout of a node when neither the node,
// the file's defaults nor Options.DefaultTimeout set one. No attempt of an
// http or exec node ever runs without a deadline.
const BuiltinTimeout = 30 * time.Second

// Workflow is a parsed and validated workflow. Parse returns it with every
// node's retries and backoff already resolved against the file's defaults;
// a zero Node.Timeout means "use the run's default". A Workflow is never
// modified by Run, so one value may serve many concurrent runs.
type Workflow struct {
	Name     string   `json:"name"`
	File     string   `json:"file,omitempty"`
	Format   string   `json:"format"` // FormatFogctl or FormatDAG
	Defaults Defaults `json:"defaults"`
	Nodes    []*Node  `json:"nodes"`
	// Warnings are what Parse accepted but the author probably did not
	// mean: keys of a plain DAG file that it ignores (as the reference
	// engine does), each once with its first line and a "did you mean"
	// for a near miss of a known key. Callers print them on stderr,
	// each with Problem.String.
	Warnings []Problem `json:"warnings,omitempty"`

	index  map[string]int // name -> position in Nodes
	deps   [][]int32      // per node: positions of its dependencies, in order
	kids   [][]int32      // per node: positions of its dependants
	layers [][]string
}

// Defaults are the file-wide values a node inherits when it sets none.
type Defaults struct {
	Timeout time.Duration `json:"timeout,omitempty"`
	Retries int           `json:"retries,omitempty"`
	Backoff time.Duration `json:"backoff,omitempty"`
}

// Node is one step of a workflow.
type Node struct {
	Name         string        `json:"name"`
	Kind         string        `json:"kind"` // KindHTTP, KindExec or KindNoop
	Dependencies []string      `json:"dependencies,omitempty"`
	Timeout      time.Duration `json:"timeout,omitempty"` // per attempt; 0: the run's default
	Retries      int           `json:"retries,omitempty"` // attempts after the first
	Backoff      time.Duration `json:"backoff,omitempty"` // base delay before the first retry
	When         string        `json:"when,omitempty"`    // "" (all dependencies succeeded) or WhenAlways
	Line         int           `json:"line,omitempty"`    // where the node starts in its file

	HTTP *HTTPAction `json:"http,omitempty"` // set for KindHTTP
	Exec *ExecAction `json:"exec,omitempty"` // set for KindExec

	depLines []int // line of each dependency in the file, when known
}

// depLine is the line of the k-th dependency, or the node's line.
func (n *Node) depLine(k int) int {
	if k < len(n.depLines) && n.depLines[k] > 0 {
		return n.depLines[k]
	}
	return n.Line
}

// HTTPAction calls a URL with the node's merged input as a JSON body; the
// JSON response is the node's output.
type HTTPAction struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
}

// ExecAction runs a program with the node's merged input as JSON on stdin;
// its stdout, which must be JSON, is the node's output.
type ExecAction struct {
	Argv []string `json:"argv"`
	// Env is added to fogctl's own environment (and wins over it).
	Env map[string]string `json:"env,omitempty"`
	// Dir is the working directory, absolute (a relative one in the file
	// is resolved against the file's directory); "" is fogctl's own. A
	// node that sets no dir: gets the file's directory from Parse.
	Dir string `json:"dir,omitempty"`

	// fileDir says Dir is the file's directory by default, not the
	// file's dir:. When it is gone (--resume from a recorded copy of a
	// file whose directory was removed) the node runs in fogctl's own.
	fileDir bool
	// written is dir: as the file gives it, before it is resolved.
	written string
}

// DirWritten is the dir: as the workflow file gives it (a relative one
// not resolved), "" when it gives none; Dir for a workflow not parsed
// from a file. A file moved elsewhere has the same DirWritten, another Dir.
func (a *ExecAction) DirWritten() string {
	switch {
	case a.fileDir:
		return ""
	case a.written != "":
		return a.written
	}
	return a.Dir
}

// Node returns the node called name, or nil.
func (w *Workflow) Node(name string) *Node {
	if i, ok := w.index[name]; ok {
		return w.Nodes[i]
	}
	return nil
}

// Layers returns the node names by topological layer: layer 0 holds the
// nodes without dependencies, layer k the nodes whose deepest dependency is
// in layer k-1. Within a layer, nodes keep their order in the file. The
// result is shared: callers must not modify it.
func (w *Workflow) Layers() [][]string {
	return w.layers
}

// Dependants returns the names of the nodes that depend on name, in file
// order.
func (w *Workflow) Dependants(name string) []string {
	i, ok := w.index[name]
	if !ok {
		return nil
	}
	out := make([]string, len(w.kids[i]))
	for k, c := range w.kids[i] {
		out[k] = w.Nodes[c].Name
	}
	return out
}

// build indexes a workflow whose names are unique, whose dependencies all
// exist and whose graph is acyclic (validate checked all three, and left
// the index and dependency lists in w).
func (w *Workflow) build() {
	n := len(w.Nodes)
	if len(w.index) != n {
		w.index = make(map[string]int, n)
		for i, nd := range w.Nodes {
			w.index[nd.Name] = i
		}
	}
	nkids := make([]int32, n)
	nedges := 0
	if len(w.deps) != n {
		for _, nd := range w.Nodes {
			nedges += len(nd.Dependencies)
		}
		flat := make([]int32, nedges)
		w.deps = make([][]int32, n)
		for i, nd := range w.Nodes {
			d := flat[:len(nd.Dependencies):len(nd.Dependencies)]
			flat = flat[len(d):]
			for k, name := range nd.Dependencies {
				d[k] = int32(w.index[name])
			}
			w.deps[i] = d
		}
	}
	nedges = 0
	for _, d := range w.deps {
		nedges += len(d)
		for _, p := range d {
			nkids[p]++
		}
	}
	flat := make([]int32, 0, nedges)
	w.kids = make([][]int32, n)
	for i := range w.kids {
		w.kids[i] = flat[len(flat) : len(flat) : len(flat)+int(nkids[i])]
		flat = flat[:len(flat)+int(nkids[i])]
	}
	for i, d := range w.deps {
		for _, p := range d {
			w.kids[p] = append(w.kids[p], int32(i))
		}
	}
	// Layers: depth = 1 + max depth of dependencies, in topological order.
	depth := make([]int32, n)
	order := w.topo()
	maxd := int32(-1)
	for _, i := range order {
		d := int32(0)
		for _, p := range w.deps[i] {
			if depth[p]+1 > d {
				d = depth[p] + 1
			}
		}
		depth[i] = d
		if d > maxd {
			maxd = d
		}
	}
	size := make([]int, maxd+1)
	for _, d := range depth {
		size[d]++
	}
	names := make([]string, 0, n)
	w.layers = make([][]string, maxd+1)
	for d, k := range size {
		w.layers[d] = names[len(names) : len(names) : len(names)+k]
		names = names[:len(names)+k]
	}
	for i, nd := range w.Nodes {
		w.layers[depth[i]] = append(w.layers[depth[i]], nd.Name)
	}
}

// topo returns node positions in a topological order (Kahn's algorithm).
func (w *Workflow) topo() []int32 {
	indeg := make([]int32, len(w.Nodes))
	for i, d := range w.deps {
		indeg[i] = int32(len(d))
	}
	order := make([]int32, 0, len(w.Nodes))
	for i := range w.Nodes {
		if indeg[i] == 0 {
			order = append(order, int32(i))
		}
	}
	for k := 0; k < len(order); k++ {
		for _, c := range w.kids[order[k]] {
			indeg[c]--
			if indeg[c] == 0 {
				order = append(order, c)
			}
		}
	}
	return order
}
