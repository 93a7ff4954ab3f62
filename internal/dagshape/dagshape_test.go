package dagshape

import (
	"testing"
)

func TestShapes(t *testing.T) {
	for _, tc := range []struct {
		shape string
		n     int
		sinks int
		edges int
	}{
		{"chain", 4, 1, 3}, {"chain", 1000, 1, 999},
		{"fan", 4, 1, 4}, {"fan", 1000, 1, 2 * 998},
		{"layered", 4, 2, 4}, {"layered", 10, 5, 10}, {"layered", 100, 10, 180}, {"layered", 1000, 100, 1800},
	} {
		nodes, err := Nodes(tc.shape, tc.n)
		if err != nil {
			t.Fatal(err)
		}
		edges := 0
		seen := map[string]bool{}
		for _, n := range nodes {
			for _, d := range n.Deps {
				if !seen[d] {
					t.Fatalf("%s/%d: %s depends on %s, not before it", tc.shape, tc.n, n.Name, d)
				}
			}
			seen[n.Name] = true
			edges += len(n.Deps)
		}
		if len(nodes) != tc.n || len(seen) != tc.n || edges != tc.edges || len(Sinks(nodes)) != tc.sinks {
			t.Errorf("%s/%d: %d nodes (%d names), %d edges, %d sinks; want %d, %d, %d", tc.shape, tc.n, len(nodes), len(seen), edges, len(Sinks(nodes)), tc.n, tc.edges, tc.sinks)
		}
	}
	if _, err := Nodes("layered", 7); err == nil {
		t.Error("a layered shape of 7 nodes: no error")
	}
	if _, err := Nodes("star", 4); err == nil {
		t.Error("an unknown shape: no error")
	}
}
