package tui

import (
	"slices"
	"sort"

	"github.com/fogctl/fogctl/workflow"
)

// Graph is the shape of a workflow that the run view lays out: its nodes in
// file order, each with the names of its dependencies.
type Graph struct {
	Nodes []GraphNode
}

// GraphNode is one node of a Graph.
type GraphNode struct {
	Name string
	Kind string
	Deps []string
}

// Gutter geometry: the columns between two layers.
//
//	col 0      pad ('─' when the source slot is a pass-through)
//	col 1      lead out of the source
//	col 2..3   vertical tracks (one per group of connected edges)
//	col 4      arrow into the target
//	col 5      pad ('─' when the target slot is a pass-through)
const (
	gutterTracks = 2
	gutterWidth  = gutterTracks + 4
	arrowCol     = gutterTracks + 2
)

// slot is one row of one layer: a node, a pass-through of an edge that skips
// layers (dummy), or nothing.
type slot struct {
	node  int // index into layout.names, or -1 for a pass-through
	order float64
}

// endpoint is where an edge leaves or enters a gutter.
type endpoint struct {
	row   int
	track int
	dummy bool // the slot at row is a pass-through
}

// bus is the vertical track joining the endpoints of one group of
// connected edges in a gutter.
type bus struct {
	track    int
	min, max int
}

// gutter is the edge geometry between layer j and j+1, computed once per
// layout so a frame only clips it to the visible rows.
type gutter struct {
	srcs  []endpoint // sorted by row
	dsts  []endpoint // sorted by row
	buses []bus
}

// layout places every node in a column (its layer) and a row, with edges
// routed through the gutters between columns. It is computed once per
// workflow; frames only read it.
type layout struct {
	names   []string
	shown   []string // names as the screen shows them (workflow.SafeText)
	kinds   []string
	deps    [][]int // per node: indexes of its dependencies, in order
	kids    [][]int // per node: indexes of the nodes that depend on it
	index   map[string]int
	layers  [][]slot // per layer, its rows top to bottom
	layerOf []int    // per node
	rowOf   []int    // per node
	rows    int      // rows of the tallest layer
	gutters []gutter // len(layers)-1
	// skipped counts edges that span layers but were not drawn because
	// drawing them would have taken too many pass-through rows.
	skipped int
}

// maxDummies bounds the pass-through rows a layout may add, as a multiple
// of the node count, so a pathological DAG cannot blow up the layout.
const maxDummies = 4

// newLayout lays out g by longest-path layers. Names must be unique; a
// dependency that names no node is ignored, and nodes on a cycle (which
// validation rejects before a run) go to a last layer.
func newLayout(g Graph) *layout {
	n := len(g.Nodes)
	l := &layout{
		names:   make([]string, n),
		shown:   make([]string, n),
		kinds:   make([]string, n),
		deps:    make([][]int, n),
		index:   make(map[string]int, n),
		layerOf: make([]int, n),
		rowOf:   make([]int, n),
	}
	for i, gn := range g.Nodes {
		l.names[i] = gn.Name
		l.shown[i] = workflow.SafeText(gn.Name)
		l.kinds[i] = gn.Kind
		l.index[gn.Name] = i
	}
	kids := make([][]int, n)
	l.kids = kids
	indeg := make([]int, n)
	for i, gn := range g.Nodes {
		for _, d := range gn.Deps {
			p, ok := l.index[d]
			if !ok || p == i || slices.Contains(l.deps[i], p) {
				continue
			}
			l.deps[i] = append(l.deps[i], p)
			kids[p] = append(kids[p], i)
			indeg[i]++
		}
	}

	// Longest-path layering in topological (Kahn) order.
	queue := make([]int, 0, n)
	for i := range n {
		if indeg[i] == 0 {
			queue = append(queue, i)
		}
	}
	placed := make([]bool, n)
	nlayers := 0
	for q := 0; q < len(queue); q++ {
		i := queue[q]
		placed[i] = true
		for _, p := range l.deps[i] {
			l.layerOf[i] = max(l.layerOf[i], l.layerOf[p]+1)
		}
		nlayers = max(nlayers, l.layerOf[i]+1)
		for _, k := range kids[i] {
			indeg[k]--
			if indeg[k] == 0 {
				queue = append(queue, k)
			}
		}
	}
	cyclic := false
	for i := range n {
		if !placed[i] {
			l.layerOf[i] = nlayers
			cyclic = true
		}
	}
	if cyclic {
		nlayers++
	}
	l.layers = make([][]slot, nlayers)
	for i := range n {
		j := l.layerOf[i]
		l.layers[j] = append(l.layers[j], slot{node: i})
	}

	// Edges that skip layers pass through every layer between as dummy
	// slots, so each drawn edge joins adjacent layers.
	budget := maxDummies*n + 64
	type link struct {
		from, to slotRef
	}
	var links []link
	slotOfNode := make([]slotRef, n)
	for j, layer := range l.layers {
		for r, s := range layer {
			slotOfNode[s.node] = slotRef{j, r}
		}
	}
	for i := range n {
		for _, p := range l.deps[i] {
			from := slotOfNode[p]
			to := slotOfNode[i]
			if from.layer >= to.layer {
				continue // a cycle: not drawn
			}
			span := to.layer - from.layer - 1
			if span > 0 && budget < span {
				l.skipped++
				continue
			}
			budget -= span
			prev := from
			for j := from.layer + 1; j < to.layer; j++ {
				l.layers[j] = append(l.layers[j], slot{node: -1})
				d := slotRef{j, len(l.layers[j]) - 1}
				links = append(links, link{prev, d})
				prev = d
			}
			links = append(links, link{prev, to})
		}
	}

	// Order each layer by the mean row of what feeds it (barycenter), one
	// pass from the left; layer 0 keeps file order.
	preds := make(map[slotRef][]slotRef, len(links))
	for _, lk := range links {
		preds[lk.to] = append(preds[lk.to], lk.from)
	}
	rowOfSlot := make([][]int, nlayers) // old slot index -> new row
	for j := range l.layers {
		layer := l.layers[j]
		rowOfSlot[j] = make([]int, len(layer))
		if j > 0 {
			for r := range layer {
				ps := preds[slotRef{j, r}]
				if len(ps) == 0 {
					layer[r].order = float64(r)
					continue
				}
				sum := 0
				for _, p := range ps {
					sum += rowOfSlot[p.layer][p.row]
				}
				layer[r].order = float64(sum) / float64(len(ps))
			}
		} else {
			for r := range layer {
				layer[r].order = float64(r)
			}
		}
		perm := make([]int, len(layer))
		for r := range perm {
			perm[r] = r
		}
		sort.SliceStable(perm, func(a, b int) bool { return layer[perm[a]].order < layer[perm[b]].order })
		sorted := make([]slot, len(layer))
		for newRow, old := range perm {
			sorted[newRow] = layer[old]
			rowOfSlot[j][old] = newRow
		}
		l.layers[j] = sorted
		l.rows = max(l.rows, len(sorted))
		for r, s := range sorted {
			if s.node >= 0 {
				l.rowOf[s.node] = r
			}
		}
	}
	for k := range links {
		links[k].from.row = rowOfSlot[links[k].from.layer][links[k].from.row]
		links[k].to.row = rowOfSlot[links[k].to.layer][links[k].to.row]
	}

	// Route each gutter: edges that share an endpoint form a group drawn
	// on one vertical track (a bus); groups whose rows overlap get
	// different tracks while tracks last.
	if nlayers > 1 {
		l.gutters = make([]gutter, nlayers-1)
	}
	byGutter := make([][]pair, len(l.gutters))
	for _, lk := range links {
		g := lk.from.layer
		byGutter[g] = append(byGutter[g], pair{lk.from.row, lk.to.row})
	}
	for g, pairs := range byGutter {
		l.gutters[g] = l.route(g, pairs)
	}
	return l
}

type slotRef struct{ layer, row int }

type pair struct{ src, dst int }

// route groups a gutter's edges into buses and assigns tracks.
func (l *layout) route(g int, pairs []pair) gutter {
	var gt gutter
	if len(pairs) == 0 {
		return gt
	}
	// Union-find over endpoints: sources are ids [0, rowsL), targets
	// [rowsL, rowsL+rowsR).
	rowsL, rowsR := len(l.layers[g]), len(l.layers[g+1])
	parent := make([]int, rowsL+rowsR)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	used := make([]bool, rowsL+rowsR)
	for _, p := range pairs {
		a, b := find(p.src), find(rowsL+p.dst)
		used[p.src], used[rowsL+p.dst] = true, true
		if a != b {
			parent[a] = b
		}
	}
	type group struct{ min, max, track int }
	groups := map[int]*group{}
	var order []int
	for id, u := range used {
		if !u {
			continue
		}
		row := id
		if id >= rowsL {
			row = id - rowsL
		}
		root := find(id)
		gr, ok := groups[root]
		if !ok {
			gr = &group{min: row, max: row}
			groups[root] = gr
			order = append(order, root)
		}
		gr.min, gr.max = min(gr.min, row), max(gr.max, row)
	}
	sort.Slice(order, func(a, b int) bool {
		ga, gb := groups[order[a]], groups[order[b]]
		if ga.min != gb.min {
			return ga.min < gb.min
		}
		return ga.max < gb.max
	})
	lastMax := make([]int, gutterTracks)
	for t := range lastMax {
		lastMax[t] = -1
	}
	for _, root := range order {
		gr := groups[root]
		best := -1
		for t := range gutterTracks {
			if lastMax[t] < gr.min {
				best = t
				break
			}
		}
		if best < 0 {
			best = 0
			for t := range gutterTracks {
				if lastMax[t] < lastMax[best] {
					best = t
				}
			}
		}
		gr.track = best
		lastMax[best] = max(lastMax[best], gr.max)
		gt.buses = append(gt.buses, bus{track: best, min: gr.min, max: gr.max})
	}
	for id, u := range used {
		if !u {
			continue
		}
		tr := groups[find(id)].track
		if id < rowsL {
			gt.srcs = append(gt.srcs, endpoint{row: id, track: tr, dummy: l.layers[g][id].node < 0})
		} else {
			r := id - rowsL
			gt.dsts = append(gt.dsts, endpoint{row: r, track: tr, dummy: l.layers[g+1][r].node < 0})
		}
	}
	return gt
}
