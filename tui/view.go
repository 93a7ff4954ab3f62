package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/fogctl/fogctl/workflow"
)

// Direction bits of a gutter cell; the box-drawing rune follows from them.
const (
	dirUp uint8 = 1 << iota
	dirDown
	dirLeft
	dirRight
	dirArrow
)

// boxRunes is the rune of a gutter cell, indexed by its direction bits. A
// literal, so nothing runs at start-up; TestBoxRunes derives it.
var boxRunes = [32]rune{
	' ', '│', '│', '│', '─', '┘', '┐', '┤',
	'─', '└', '┌', '├', '─', '┴', '┬', '┼',
	// With dirArrow set the cell is an arrowhead.
	'▸', '▸', '▸', '▸', '▸', '▸', '▸', '▸',
	'▸', '▸', '▸', '▸', '▸', '▸', '▸', '▸',
}

// paneHeight is the height of the events pane, its title included.
func (m *RunModel) paneHeight() int { return max(3, min(m.height/4, 10)) }

// bodyHeight is what is left between the header and the footer.
func (m *RunModel) bodyHeight() int { return max(1, m.height-2) }

// dagHeight is the height of the DAG (or the filtered list).
func (m *RunModel) dagHeight() int { return max(1, m.bodyHeight()-m.paneHeight()) }

// line is one screen line being written: it knows how many cells it holds
// and cuts what would pass the right edge.
type line struct {
	b     *strings.Builder
	w     int // cells written
	width int
}

// put writes s (cells wide, plain text) in paint p, cut at the edge.
func (l *line) put(p paint, s string, cells int) {
	if l.w >= l.width || s == "" {
		return
	}
	if l.w+cells > l.width {
		s = ansi.Truncate(s, l.width-l.w, "")
		cells = l.width - l.w
	}
	p.write(l.b, s)
	l.w += cells
}

// putStyled writes text that may already hold escapes.
func (l *line) putStyled(s string) {
	if l.w >= l.width {
		return
	}
	sw := ansi.StringWidth(s)
	if l.w+sw > l.width {
		s = ansi.Truncate(s, l.width-l.w, "…")
		sw = l.width - l.w
	}
	l.b.WriteString(s)
	l.w += sw
}

// View renders the frame: header, body, footer, exactly height lines; on
// the alternate screen when the caller asked for it.
func (m *RunModel) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = m.altScreen
	return v
}

func (m *RunModel) render() string {
	var b strings.Builder
	b.Grow(m.width * m.height * 2)
	m.drawn = 0
	m.viewHeader(&b)
	b.WriteByte('\n')
	switch m.mode {
	case modeInspect:
		m.viewLines(&b, m.inspectorLines(), m.inspectOff, m.bodyHeight())
	case modeHelp:
		m.viewLines(&b, m.helpLines(), m.helpOff, m.bodyHeight())
	default:
		if m.filtering() {
			m.viewList(&b, m.dagHeight())
		} else {
			m.viewDAG(&b, m.dagHeight())
		}
		m.viewPane(&b, m.paneHeight())
	}
	m.viewFooter(&b)
	return b.String()
}

func (m *RunModel) runWord() (string, paint) {
	switch {
	case m.cancelling && m.running():
		return "cancelling…", m.st.warn
	case m.runState == workflow.StateSucceeded:
		return "✓ succeeded", m.st.ok
	case m.runState == workflow.StateFailed:
		return "✗ failed", m.st.bad
	case m.runState == workflow.StateCancelled:
		return "⊗ cancelled", m.st.warn
	case m.closed:
		return "ended", m.st.dim
	case m.runState == "":
		return "starting", m.st.dim
	}
	return stateGlyph(workflow.StateRunning, m.frame) + " running", m.st.state[workflow.StateRunning]
}

func (m *RunModel) viewHeader(b *strings.Builder) {
	elapsed := "-"
	if !m.runStart.IsZero() {
		end := m.runEnd
		if end.IsZero() {
			end = m.now
		}
		elapsed = shortDur(end.Sub(m.runStart))
	}
	word, wp := m.runWord()
	right := fmt.Sprintf("%d/%d done", m.done, len(m.nodes))
	if m.failed > 0 {
		right += fmt.Sprintf(" · %d failed", m.failed)
	}
	right += " · " + elapsed + " · "
	rightW := ansi.StringWidth(right) + ansi.StringWidth(word)
	ln := line{b: b, width: m.width}
	title := "fogctl run"
	ln.put(m.st.title, title, len(title))
	id := " " + m.runID
	room := m.width - rightW - len(title) - 1
	if room < ansi.StringWidth(id) {
		id = ansi.Truncate(id, max(room, 0), "…")
	}
	ln.put(paint{}, id, ansi.StringWidth(id))
	if pad := m.width - ln.w - rightW; pad > 0 {
		ln.put(paint{}, strings.Repeat(" ", pad), pad)
	}
	ln.put(paint{}, right, ansi.StringWidth(right))
	ln.put(wp, word, ansi.StringWidth(word))
}

// visibleLayers is the half-open range of layers that reach the screen.
func (m *RunModel) visibleLayers() (int, int) {
	colW := m.cellW + gutterWidth
	first := m.layerOff
	last := first
	for last < len(m.lay.layers) && (last-first)*colW < m.width {
		last++
	}
	return first, last
}

// viewDAG draws rows rowOff..rowOff+h of the visible layers. Only what is
// on screen is computed: the gutters are clipped to these rows, and nodes
// outside them are never looked at.
func (m *RunModel) viewDAG(b *strings.Builder, h int) {
	l := m.lay
	first, last := m.visibleLayers()
	ng := 0
	if len(l.gutters) > 0 {
		ng = max(0, min(last, len(l.gutters))-first)
	}
	masks := make([]uint8, ng*h*gutterWidth)
	for g := 0; g < ng; g++ {
		m.fillGutter(first+g, masks[g*h*gutterWidth:(g+1)*h*gutterWidth], h)
	}
	blank := strings.Repeat(" ", m.cellW)
	through := strings.Repeat("─", m.cellW)
	var gbuf [gutterWidth]rune
	for y := 0; y < h; y++ {
		if y > 0 {
			b.WriteByte('\n')
		}
		row := m.rowOff + y
		ln := line{b: b, width: m.width}
		for j := first; j < last && ln.w < m.width; j++ {
			layer := l.layers[j]
			switch {
			case row >= len(layer):
				ln.put(paint{}, blank, m.cellW)
			case layer[row].node < 0:
				ln.put(m.st.edge, through, m.cellW)
			default:
				m.putCell(&ln, layer[row].node)
			}
			if g := j - first; g < ng {
				mk := masks[(g*h+y)*gutterWidth : (g*h+y+1)*gutterWidth]
				empty := true
				for c, v := range mk {
					gbuf[c] = boxRunes[v]
					empty = empty && v == 0
				}
				if empty {
					ln.put(paint{}, "      "[:gutterWidth], gutterWidth)
				} else {
					ln.put(m.st.edge, string(gbuf[:]), gutterWidth)
				}
			}
		}
	}
	b.WriteByte('\n')
}

// fillGutter sets the direction bits of gutter g for the visible rows.
func (m *RunModel) fillGutter(g int, mk []uint8, h int) {
	gt := &m.lay.gutters[g]
	y0, y1 := m.rowOff, m.rowOff+h
	for _, bs := range gt.buses {
		if bs.max < y0 || bs.min >= y1 {
			continue
		}
		c := 2 + bs.track
		for y := max(bs.min, y0); y <= min(bs.max, y1-1); y++ {
			var v uint8
			if y > bs.min {
				v |= dirUp
			}
			if y < bs.max {
				v |= dirDown
			}
			mk[(y-y0)*gutterWidth+c] |= v
		}
	}
	i := sort.Search(len(gt.srcs), func(i int) bool { return gt.srcs[i].row >= y0 })
	for ; i < len(gt.srcs) && gt.srcs[i].row < y1; i++ {
		e := gt.srcs[i]
		row := mk[(e.row-y0)*gutterWidth : (e.row-y0+1)*gutterWidth]
		if e.dummy {
			row[0] |= dirLeft | dirRight
		}
		for c := 1; c < 2+e.track; c++ {
			row[c] |= dirLeft | dirRight
		}
		row[2+e.track] |= dirLeft
	}
	i = sort.Search(len(gt.dsts), func(i int) bool { return gt.dsts[i].row >= y0 })
	for ; i < len(gt.dsts) && gt.dsts[i].row < y1; i++ {
		e := gt.dsts[i]
		row := mk[(e.row-y0)*gutterWidth : (e.row-y0+1)*gutterWidth]
		row[2+e.track] |= dirRight
		for c := 3 + e.track; c < arrowCol; c++ {
			row[c] |= dirLeft | dirRight
		}
		if e.dummy {
			row[arrowCol] |= dirLeft | dirRight
			row[arrowCol+1] |= dirLeft | dirRight
		} else {
			row[arrowCol] |= dirArrow
		}
	}
}

// detail is the five-cell tail of a node's cell: elapsed time, or the
// retry about to happen.
func (m *RunModel) detail(i int) string {
	n := &m.nodes[i]
	switch n.state {
	case workflow.StatePending, workflow.StateUpstreamFailed:
		return ""
	case workflow.StateRetrying:
		return fmt.Sprintf("%d/%d", n.attempt, max(n.maxAttempts-1, n.attempt))
	}
	if d, ok := m.elapsed(i); ok {
		return shortDur(d)
	}
	return ""
}

func (m *RunModel) putCell(ln *line, i int) {
	m.drawn++
	n := &m.nodes[i]
	mark := " "
	p := m.st.state[n.state]
	if i == m.cursor {
		mark = "›"
		p = m.st.cursorState[n.state]
	}
	ln.put(paint{}, mark, 1)
	d := m.detail(i)
	text := stateGlyph(n.state, m.frame) + " " + m.nameCells[i] + " " + fmt.Sprintf("%5s", d)
	ln.put(p, text, m.cellW-1)
}

// stateLabel names a node's state with its attempt where that helps.
func (m *RunModel) stateLabel(i int) string {
	n := &m.nodes[i]
	switch {
	case n.state == workflow.StateRetrying:
		return fmt.Sprintf("retrying %d/%d", n.attempt, max(n.maxAttempts-1, n.attempt))
	case n.state == workflow.StateRunning && n.maxAttempts > 1:
		return fmt.Sprintf("running %d/%d", n.attempt, n.maxAttempts)
	}
	return string(n.state)
}

// viewList draws the nodes the filter keeps, one a row.
func (m *RunModel) viewList(b *strings.Builder, h int) {
	ln := line{b: b, width: m.width}
	title := fmt.Sprintf(" %d of %d nodes", len(m.list), len(m.nodes))
	if m.filter != "" || m.editingFilter {
		title += fmt.Sprintf(" · name contains %q", m.filter)
	}
	if m.failedOnly {
		title += " · failed only"
	}
	ln.put(m.st.bold, title, ansi.StringWidth(title))
	for y := 0; y < h-1; y++ {
		b.WriteByte('\n')
		k := m.listOff + y
		if k >= len(m.list) {
			continue
		}
		i := m.list[k]
		n := &m.nodes[i]
		ln := line{b: b, width: m.width}
		mark, p := " ", m.st.state[n.state]
		if k == m.listCur {
			mark, p = "›", m.st.cursorState[n.state]
		}
		ln.put(paint{}, mark, 1)
		text := stateGlyph(n.state, m.frame) + " " + m.nameCells[i] + " " + fit(m.stateLabel(i), 15) + " " + fmt.Sprintf("%5s", m.detail(i))
		ln.put(p, text, ansi.StringWidth(text))
		if n.err != "" && n.state != workflow.StateSucceeded {
			e := "  " + oneLine(n.err)
			ln.put(m.st.errText, e, ansi.StringWidth(e))
		}
	}
	b.WriteByte('\n')
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (m *RunModel) viewPane(b *strings.Builder, h int) {
	title := "── state changes "
	where := m.scrollInfo()
	fill := max(0, m.width-ansi.StringWidth(title)-ansi.StringWidth(where))
	ln := line{b: b, width: m.width}
	text := title + strings.Repeat("─", fill) + where
	ln.put(m.st.dim, text, ansi.StringWidth(text))
	rows := h - 1
	start := max(0, len(m.log)-rows)
	for y := 0; y < rows; y++ {
		b.WriteByte('\n')
		if k := start + y; k < len(m.log) {
			ln := line{b: b, width: m.width}
			s := m.log[k]
			ln.put(paint{}, s, ansi.StringWidth(s))
		}
	}
	b.WriteByte('\n')
}

// scrollInfo says which part of a DAG larger than the screen is shown:
// " layers 3-5 of 10 · rows 17-32 of 100 ─", or "" when all of it is.
func (m *RunModel) scrollInfo() string {
	if m.filtering() || len(m.lay.layers) == 0 {
		return ""
	}
	var parts []string
	first, last := m.visibleLayers()
	colW := m.cellW + gutterWidth
	if (last-first-1)*colW+m.cellW > m.width && last > first+1 {
		last-- // the last column is cut: count the whole ones
	}
	if first > 0 || last < len(m.lay.layers) {
		parts = append(parts, fmt.Sprintf("layers %d-%d of %d", first+1, last, len(m.lay.layers)))
	}
	if h := m.dagHeight(); m.lay.rows > h {
		parts = append(parts, fmt.Sprintf("rows %d-%d of %d", m.rowOff+1, min(m.rowOff+h, m.lay.rows), m.lay.rows))
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, " · ") + " ─"
}

// viewLines draws a scrolled page of prepared lines (inspector, help).
func (m *RunModel) viewLines(b *strings.Builder, lines []string, off, h int) {
	off = max(0, min(off, len(lines)-h))
	for y := 0; y < h; y++ {
		if k := off + y; k < len(lines) {
			ln := line{b: b, width: m.width}
			ln.putStyled(lines[k])
		}
		b.WriteByte('\n')
	}
}

func (m *RunModel) helpLine(bs []key.Binding) string {
	var parts []string
	for _, k := range bs {
		h := k.Help()
		parts = append(parts, m.st.key.render(h.Key)+" "+h.Desc)
	}
	return strings.Join(parts, "  ")
}

func (m *RunModel) viewFooter(b *strings.Builder) {
	ln := line{b: b, width: m.width}
	switch {
	case m.confirmQuit:
		ln.putStyled(m.st.prompt.render("The run is still going. Quit and cancel it? (y/N)"))
	case m.editingFilter:
		ln.putStyled(m.st.key.render("/") + m.filter + "_  " + m.helpLine(m.keys.editing()))
	case m.mode == modeInspect:
		lines := m.inspectorLines()
		h := m.bodyHeight()
		off := max(0, min(m.inspectOff, len(lines)-h))
		pos := fmt.Sprintf("  %d-%d of %d", off+1, min(off+h, len(lines)), len(lines))
		ln.putStyled(m.helpLine(m.keys.inspector()) + m.st.dim.render(pos))
	case m.mode == modeHelp:
		ln.putStyled(m.helpLine([]key.Binding{m.keys.Close, m.keys.Scroll}))
	case m.filtering():
		ln.putStyled(m.helpLine(m.keys.filtering()))
	default:
		ln.putStyled(m.helpLine(m.keys.short()))
	}
}

// inspectorLines is the inspector's text for the node under the cursor.
func (m *RunModel) inspectorLines() []string {
	if len(m.nodes) == 0 {
		return nil
	}
	i := m.cursor
	n := &m.nodes[i]
	st := m.st
	var out []string
	add := func(s string) { out = append(out, s) }
	section := func(title string) {
		add("")
		add(st.bold.render(title))
	}
	indent := func(text string) {
		for _, s := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
			add("  " + s)
		}
	}
	wrap := func(text string) {
		w := max(20, m.width-4)
		for _, para := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
			for ansi.StringWidth(para) > w {
				cut := ansi.Truncate(para, w, "")
				add("  " + cut)
				para = para[len(cut):]
			}
			add("  " + para)
		}
	}
	kind := m.lay.kinds[i]
	head := st.state[n.state].render(stateGlyph(n.state, m.frame)+" "+m.lay.shown[i]) + "  " + st.state[n.state].render(m.stateLabel(i))
	if kind != "" {
		head += st.dim.render("  (" + kind + ")")
	}
	add(head)
	names := func(idx []int) string {
		if len(idx) == 0 {
			return "-"
		}
		s := make([]string, len(idx))
		for k, j := range idx {
			s[k] = m.lay.shown[j]
		}
		return strings.Join(s, ", ")
	}
	add(st.dim.render("needs      ") + names(m.lay.deps[i]))
	add(st.dim.render("needed by  ") + names(m.lay.kids[i]))
	if d, ok := m.elapsed(i); ok {
		add(st.dim.render("started    ") + m.rel(n.start) + st.dim.render("  elapsed ") + shortDur(d))
	}

	if n.reused {
		from := "an earlier run"
		if n.reusedFrom != "" {
			from = "run " + n.reusedFrom
		}
		add(st.dim.render("reused     ") + "output of " + from + " (did not run)")
	}
	section("Attempts")
	switch {
	case n.reused:
		add("  none: reused")
	case len(n.attempts) == 0:
		add("  none yet")
	}
	for _, a := range n.attempts {
		took := "-"
		if !a.end.IsZero() {
			took = shortDur(a.end.Sub(a.start))
		} else if !m.now.IsZero() {
			took = shortDur(m.now.Sub(a.start))
		}
		of := ""
		if n.maxAttempts > 0 {
			of = fmt.Sprintf("/%d", n.maxAttempts)
		}
		s := fmt.Sprintf("  #%d%s  at %6s  took %5s  ", a.n, of, m.rel(a.start), took)
		s += st.state[a.state].render(string(a.state))
		if a.err != "" {
			s += "  " + st.errText.render(oneLine(a.err))
		}
		add(s)
	}
	if n.err != "" {
		section("Error")
		wrap(n.err)
	}
	section("Input")
	if n.input == "" {
		add(st.dim.render("  (not yet known)"))
	} else {
		indent(n.input)
	}
	section("Output")
	if n.output == "" {
		add(st.dim.render("  (none)"))
	} else {
		indent(n.output)
	}
	if kind == kindExec || n.stderr != "" {
		section("Stderr")
		if n.stderr == "" {
			add(st.dim.render("  (empty)"))
		} else {
			indent(n.stderr)
		}
	}
	return out
}

// rel is a time as an offset from the run's start.
func (m *RunModel) rel(t time.Time) string {
	if m.runStart.IsZero() || t.IsZero() {
		return "-"
	}
	return "+" + shortDur(t.Sub(m.runStart))
}

// kindExec is the node kind whose stderr the inspector always shows.
const kindExec = "exec"

// helpLines is the help view: every key with its help text, and the
// legend, in two columns when the terminal is wide enough.
func (m *RunModel) helpLines() []string {
	st := m.st
	var keys, states []string
	groups := m.keys.full()
	for gi, group := range groups {
		for _, k := range group {
			h := k.Help()
			keys = append(keys, st.key.render(fit(h.Key, 6))+" "+fit(h.Desc, 24))
		}
		if gi < len(groups)-1 && m.width < 76 {
			keys = append(keys, "")
		}
	}
	for _, s := range legend {
		states = append(states, st.state[s].render(fit(stateGlyph(s, 0)+" "+string(s), 31)))
	}
	out := []string{st.title.render("fogctl run: keys"), ""}
	out = append(out, columns(keys, len(groups[0]), m.width)...)
	out = append(out, "", st.bold.render("States"))
	out = append(out, columns(states, (len(states)+1)/2, m.width)...)
	out = append(out, "", st.dim.render("Layers run left to right; an edge joins a node to the nodes that need it."))
	return out
}

// columns lays items out in two columns of perCol rows when width allows,
// else in one.
func columns(items []string, perCol, width int) []string {
	if width < 76 || perCol >= len(items) {
		out := make([]string, len(items))
		for i, s := range items {
			out[i] = "  " + s
		}
		return out
	}
	var out []string
	for r := 0; r < perCol; r++ {
		s := "  " + items[r]
		if k := perCol + r; k < len(items) {
			s += "    " + items[k]
		}
		out = append(out, s)
	}
	return out
}
