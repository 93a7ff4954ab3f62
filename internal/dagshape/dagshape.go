// Package dagshape builds the DAG shapes fogctl's benchmarks and tests run:
// chain (each node depends on the one before), fan (a root, n-2 middles
// depending on it, a sink depending on them all) and layered (depth x
// width, each node past the first layer depending on two of the layer
// before). It serves tests and benchmarks only; it never ships in the
// fogctl binary.
package dagshape

import (
	"encoding/json"
	"fmt"
)

// Node is one node of a shape: its name and its dependencies, in order.
type Node struct {
	Name string
	Deps []string
}

// Layers gives the layered shape's depth and width for n nodes: 2x2,
// 2x5, 10x10 and 10x100.
func Layers(n int) (depth, width int, ok bool) {
	switch n {
	case 4:
		return 2, 2, true
	case 10:
		return 2, 5, true
	case 100:
		return 10, 10, true
	case 1000:
		return 10, 100, true
	}
	return 0, 0, false
}

// Nodes returns the n nodes of shape.
func Nodes(shape string, n int) ([]Node, error) {
	var nodes []Node
	add := func(name string, deps ...string) {
		nodes = append(nodes, Node{Name: name, Deps: deps})
	}
	switch shape {
	case "chain":
		add("c0")
		for i := 1; i < n; i++ {
			add(fmt.Sprint("c", i), fmt.Sprint("c", i-1))
		}
	case "fan":
		if n < 3 {
			return nil, fmt.Errorf("a fan needs 3 nodes at least, not %d", n)
		}
		add("root")
		mids := make([]string, n-2)
		for i := range mids {
			mids[i] = fmt.Sprint("m", i)
			add(mids[i], "root")
		}
		add("sink", mids...)
	case "layered":
		depth, width, ok := Layers(n)
		if !ok {
			return nil, fmt.Errorf("no layered shape of %d nodes", n)
		}
		for l := range depth {
			for j := range width {
				name := fmt.Sprintf("l%d-%d", l, j)
				if l == 0 {
					add(name)
					continue
				}
				add(name, fmt.Sprintf("l%d-%d", l-1, j), fmt.Sprintf("l%d-%d", l-1, (j+1)%width))
			}
		}
	default:
		return nil, fmt.Errorf("unknown shape %q", shape)
	}
	return nodes, nil
}

// Sinks names the nodes nothing depends on, in order.
func Sinks(nodes []Node) []string {
	hasChild := map[string]bool{}
	for _, n := range nodes {
		for _, d := range n.Deps {
			hasChild[d] = true
		}
	}
	var s []string
	for _, n := range nodes {
		if !hasChild[n.Name] {
			s = append(s, n.Name)
		}
	}
	return s
}

// PlainDAG is the reference engine's plain DAG file of nodes, JSON, each
// node POSTing to base + "/n/" + its name.
func PlainDAG(nodes []Node, base string) []byte {
	type dagNode struct {
		Name         string   `json:"name"`
		Action       string   `json:"action"`
		URL          string   `json:"url"`
		Dependencies []string `json:"dependencies,omitempty"`
	}
	out := make([]dagNode, len(nodes))
	for i, n := range nodes {
		out[i] = dagNode{Name: n.Name, Action: "POST", URL: base + "/n/" + n.Name, Dependencies: n.Deps}
	}
	data, err := json.Marshal(map[string]any{"nodes": out})
	if err != nil {
		panic(err) // strings and lists always marshal
	}
	return data
}
