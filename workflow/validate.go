package workflow

import (
	"fmt"
	"strings"
)

// validate checks the graph: unique names, known dependencies, no cycles.
// It reports every problem it finds. When names are unique and every
// dependency is known and listed once, it leaves the name index and the
// dependency lists in w for build.
func (p *parser) validate(w *Workflow) {
	if w == nil {
		return
	}
	// Graph over first definitions, known dependencies only, so a cycle is
	// found even when the file has other problems.
	idx := make(map[string]int, len(w.Nodes))
	order := make([]*Node, 0, len(w.Nodes))
	ndeps := 0
	for _, n := range w.Nodes {
		ndeps += len(n.Dependencies)
		if i, dup := idx[n.Name]; dup {
			if f := order[i]; f.Line > 0 {
				p.add(n.Line, n.Name, "name", "duplicate name: %q is already defined at line %d", n.Name, f.Line)
			} else {
				p.add(n.Line, n.Name, "name", "duplicate name: %q is already defined", n.Name)
			}
			continue
		}
		idx[n.Name] = len(order)
		order = append(order, n)
	}
	clean := len(order) == len(w.Nodes)
	adj := make([][]int32, len(order))
	edges := make([]int32, 0, ndeps) // adj's lists, one after another
	for _, n := range w.Nodes {
		i, isFirst := idx[n.Name]
		isFirst = isFirst && order[i] == n
		start := len(edges)
		var seen map[string]bool // for long lists; short ones are scanned
		for k, d := range n.Dependencies {
			if listedBefore(n.Dependencies, k, &seen) {
				p.add(n.depLine(k), n.Name, "dependencies", "lists %q twice", d)
				clean = false
				continue
			}
			j, ok := idx[d]
			switch {
			case d == n.Name:
				p.add(n.depLine(k), n.Name, "dependencies", "depends on itself (cycle: %s -> %s)", n.Name, n.Name)
				clean = false
			case !ok:
				p.add(n.depLine(k), n.Name, "dependencies", "unknown dependency %q: no node has that name", d)
				clean = false
			case isFirst:
				edges = append(edges, int32(j))
			}
		}
		if isFirst {
			adj[i] = edges[start:len(edges):len(edges)]
		}
	}
	if clean {
		w.index, w.deps = idx, adj
	}
	for _, c := range cycles(adj) {
		names := make([]string, len(c)+1)
		for k, i := range c {
			names[k] = order[i].Name
		}
		names[len(c)] = names[0]
		n := order[c[0]]
		p.add(n.Line, n.Name, "dependencies", "dependency cycle: %s", strings.Join(names, " -> "))
	}
}

// listedBefore reports whether list[k] occurs in list[:k]. It scans short
// lists and keeps a set in *seen for long ones.
func listedBefore(list []string, k int, seen *map[string]bool) bool {
	if len(list) <= 16 {
		for _, d := range list[:k] {
			if d == list[k] {
				return true
			}
		}
		return false
	}
	if *seen == nil {
		*seen = make(map[string]bool, len(list))
	}
	if (*seen)[list[k]] {
		return true
	}
	(*seen)[list[k]] = true
	return false
}

// cycles finds the strongly connected components of the graph (Tarjan's
// algorithm, iterative so deep chains cannot overflow the stack) and
// returns one cycle through each component that has more than one node.
// Each cycle starts at the component's earliest node and follows
// dependency edges: a depends on b depends on a gives [a, b].
func cycles(adj [][]int32) [][]int32 {
	n := len(adj)
	const unvisited = -1
	index := make([]int32, n)
	low := make([]int32, n)
	onStack := make([]bool, n)
	comp := make([]int32, n)
	for i := range index {
		index[i] = unvisited
		comp[i] = -1
	}
	var stack []int32
	type frame struct{ v, edge int32 }
	var call []frame
	var next, ncomp int32
	var comps [][]int32
	for s := 0; s < n; s++ {
		if index[s] != unvisited {
			continue
		}
		call = append(call, frame{v: int32(s)})
		index[s], low[s] = next, next
		next++
		stack = append(stack, int32(s))
		onStack[s] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			v := f.v
			if int(f.edge) < len(adj[v]) {
				w := adj[v][f.edge]
				f.edge++
				if index[w] == unvisited {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{v: w})
				} else if onStack[w] && index[w] < low[v] {
					low[v] = index[w]
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				u := call[len(call)-1].v
				if low[v] < low[u] {
					low[u] = low[v]
				}
			}
			if low[v] == index[v] {
				var members []int32
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = ncomp
					members = append(members, w)
					if w == v {
						break
					}
				}
				if len(members) > 1 {
					comps = append(comps, members)
				}
				ncomp++
			}
		}
	}
	out := make([][]int32, 0, len(comps))
	for _, members := range comps {
		start := members[0]
		for _, m := range members {
			if m < start {
				start = m
			}
		}
		out = append(out, cycleFrom(adj, comp, start))
	}
	// Earliest node first, so messages come in file order.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j][0] < out[j-1][0]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// cycleFrom returns a shortest cycle through start inside start's
// component (breadth-first search back to start).
func cycleFrom(adj [][]int32, comp []int32, start int32) []int32 {
	c := comp[start]
	prev := map[int32]int32{start: -1}
	queue := []int32{start}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, w := range adj[v] {
			if comp[w] != c {
				continue
			}
			if w == start {
				var path []int32
				for x := v; x != -1; x = prev[x] {
					path = append(path, x)
				}
				for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
					path[i], path[j] = path[j], path[i]
				}
				return path
			}
			if _, ok := prev[w]; !ok {
				prev[w] = v
				queue = append(queue, w)
			}
		}
	}
	return []int32{start}
}

// New validates nodes built in code (not read from a file) and returns
// them as a Workflow ready to Run. Nodes are copied, so the caller's are
// never changed; a zero Backoff becomes DefaultBackoff. Any rejection is
// a *ValidationError, as from Parse.
func New(name string, nodes []*Node) (*Workflow, error) {
	p := &parser{file: name}
	w := &Workflow{Name: name, Format: FormatFogctl, Nodes: make([]*Node, 0, len(nodes))}
	if len(nodes) == 0 {
		p.add(0, "", "nodes", "the workflow has no nodes")
	}
	for i, n := range nodes {
		if n == nil {
			p.add(0, "", fmt.Sprintf("nodes[%d]", i), "is nil")
			continue
		}
		c := *n
		c.Dependencies = append([]string(nil), n.Dependencies...)
		c.depLines = nil
		if c.Backoff == 0 {
			c.Backoff = DefaultBackoff
		}
		p.checkNode(&c, fmt.Sprintf("nodes[%d]", i))
		w.Nodes = append(w.Nodes, &c)
	}
	p.validate(w)
	if len(p.probs) > 0 {
		return nil, p.err()
	}
	w.build()
	return w, nil
}

// checkNode checks what the file parser checks field by field.
func (p *parser) checkNode(n *Node, field string) {
	if n.Name == "" {
		p.add(n.Line, "", field, "missing name")
	} else if msg := checkName(n.Name, p.lenient); msg != "" {
		p.add(n.Line, n.Name, "name", "%s", msg)
	}
	switch {
	case n.Timeout < 0 || n.Timeout > maxDuration:
		p.add(n.Line, n.Name, "timeout", "must be between 0 and %s", maxDuration)
	case n.Retries < 0 || n.Retries > maxRetries:
		p.add(n.Line, n.Name, "retries", "want a whole number from 0 to %d", maxRetries)
	case n.Backoff < 0 || n.Backoff > maxDuration:
		p.add(n.Line, n.Name, "backoff", "must be between 0 and %s", maxDuration)
	case n.When != "" && n.When != WhenAlways:
		p.add(n.Line, n.Name, "when", "unknown value %q: want %q or leave it out", n.When, WhenAlways)
	}
	switch n.Kind {
	case KindHTTP:
		if n.HTTP == nil {
			p.add(n.Line, n.Name, "url", "missing: an http node needs a url")
			return
		}
		a := *n.HTTP
		if a.Method == "" {
			a.Method = "POST"
		}
		a.Method, _ = p.method(a.Method, n.Line, n.Name, "method")
		p.url(a.URL, n.Line, n.Name, "url")
		for k, v := range a.Headers {
			if !validHeaderName(k) || strings.ContainsAny(v, "\r\n\x00") {
				p.add(n.Line, n.Name, "headers."+k, "invalid header")
			}
		}
		n.HTTP = &a
		if n.Exec != nil {
			p.add(n.Line, n.Name, "argv", "not used by kind http (argv is for kind exec)")
		}
	case KindExec:
		if n.Exec == nil || len(n.Exec.Argv) == 0 || n.Exec.Argv[0] == "" {
			p.add(n.Line, n.Name, "argv", "must name a program: argv: [program, arg...]")
		}
		if n.HTTP != nil {
			p.add(n.Line, n.Name, "url", "not used by kind exec (url is for kind http)")
		}
	case KindNoop:
		if n.HTTP != nil || n.Exec != nil {
			p.add(n.Line, n.Name, "kind", "a noop node takes no http or exec fields")
		}
		n.Retries = 0 // one attempt, whatever it was given
	default:
		p.add(n.Line, n.Name, "kind", "unknown kind %q: want one of http, exec, noop", n.Kind)
	}
}
