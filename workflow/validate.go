package workflow

import (
	"strings"
)

// validate checks the graph: unique names, known dependencies, no cycles.
// It reports every problem it finds.
func (p *parser) validate(w *Workflow) {
	if w == nil {
		return
	}
	first := make(map[string]*Node, len(w.Nodes))
	for _, n := range w.Nodes {
		if f, dup := first[n.Name]; dup {
			p.add(n.Line, n.Name, "name", "duplicate name: %q is already defined at line %d", n.Name, f.Line)
			continue
		}
		first[n.Name] = n
	}
	// Graph over first definitions, known dependencies only, so a cycle is
	// found even when the file has other problems.
	idx := make(map[string]int32, len(first))
	var order []*Node
	for _, n := range w.Nodes {
		if first[n.Name] == n {
			idx[n.Name] = int32(len(order))
			order = append(order, n)
		}
	}
	adj := make([][]int32, len(order))
	for i, n := range order {
		seen := make(map[string]bool, len(n.Dependencies))
		for k, d := range n.Dependencies {
			if seen[d] {
				p.add(n.depLine(k), n.Name, "dependencies", "lists %q twice", d)
				continue
			}
			seen[d] = true
			j, ok := idx[d]
			switch {
			case d == n.Name:
				p.add(n.depLine(k), n.Name, "dependencies", "depends on itself (cycle: %s -> %s)", n.Name, n.Name)
			case !ok:
				p.add(n.depLine(k), n.Name, "dependencies", "unknown dependency %q: no node has that name", d)
			default:
				adj[i] = append(adj[i], j)
			}
		}
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
