package tui

import (
	"context"
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/fogctl/fogctl/workflow"
	"github.com/fogctl/fogctl/workflow/runstore"
)

// ContextRow is one kubeconfig context as the dashboard lists it before any
// probe: what the local files say.
type ContextRow struct {
	Name     string
	Server   string
	Current  bool
	Labels   map[string]string
	LastSeen time.Time
}

// ProbeRow is what one probe found out about one context.
type ProbeRow struct {
	Context   string
	Reachable bool
	RTT       time.Duration
	Version   string
	Reason    string // why it is not reachable
	LastSeen  time.Time
}

// DashSource is everything the dashboard reads and changes. `fogctl dash`
// builds it from the cluster, runstore and netoverlay packages; tests give
// their own. Each func is called from a tea.Cmd, never from Update or View.
type DashSource struct {
	// Contexts lists the selected contexts from the local files.
	Contexts func() ([]ContextRow, error)
	// Probe probes the named contexts within ctx's deadline and records
	// their last-seen times.
	Probe func(ctx context.Context, names []string) []ProbeRow
	// Use makes a context the current one (a locked, atomic kubeconfig
	// write, as `fogctl ctx use` does).
	Use func(ctx context.Context, name string) error
	// Runs lists recorded runs, newest first.
	Runs func() ([]runstore.Summary, error)
	// RunCommand is the command `:run FILE` hands the terminal to.
	RunCommand func(file string) *exec.Cmd
	// ZeroTier is nil when no ZeroTier controller is configured.
	ZeroTier *ZeroTierSource
	// ProbeTimeout bounds one round of probes.
	ProbeTimeout time.Duration
	// Now is the clock for "2m ago".
	Now func() time.Time
}

// ZeroTierSource reads and answers the join requests of a ZeroTier
// controller.
type ZeroTierSource struct {
	// Pending lists members that asked to join and wait for an operator.
	Pending func(ctx context.Context) ([]netoverlay.Member, error)
	// Authorize lets a member in with the next free address.
	Authorize func(ctx context.Context, m netoverlay.Member) error
	// Deny removes a member's join request.
	Deny func(ctx context.Context, m netoverlay.Member) error
}

// requestTimeout bounds a single change (use, authorize, deny).
const requestTimeout = 10 * time.Second

// maxRuns is how many recent runs the dashboard lists.
const maxRuns = 50

type (
	contextsMsg struct {
		rows []ContextRow
		err  error
	}
	probeMsg struct {
		rows []ProbeRow
		at   time.Time
	}
	runsMsg struct {
		runs []runstore.Summary
		err  error
	}
	membersMsg struct {
		members []netoverlay.Member
		err     error
	}
	usedMsg struct {
		name string
		err  error
	}
	memberDoneMsg struct {
		verb string
		m    netoverlay.Member
		err  error
	}
	runDoneMsg struct {
		file string
		err  error
	}
	// dashTickMsg advances the clock; only the newest chain of ticks
	// (gen) re-arms, so starting a faster one never doubles them.
	dashTickMsg struct {
		at  time.Time
		gen int
	}
)

type pane int

const (
	paneContexts pane = iota
	paneRuns
	paneMembers
)

// DashModel is the bubbletea model of `fogctl dash`.
type DashModel struct {
	st   Styles
	keys dashKeys
	src  DashSource
	stop <-chan struct{}

	width, height int
	now           time.Time
	frame         int

	contexts   []ContextRow
	ctxErr     error
	probes     map[string]ProbeRow
	probing    bool
	probedAt   time.Time
	runs       []runstore.Summary
	runsErr    error
	members    []netoverlay.Member
	membersErr error

	focus   pane
	cur     [3]int
	off     [3]int
	help    bool
	command string
	typing  bool
	// confirm is the question waiting for y/N, with what y does.
	confirm   string
	onConfirm tea.Cmd
	status    string
	statusBad bool
	// tick schedules the next dashTickMsg (tests replace it).
	tick    func(d time.Duration, gen int) tea.Cmd
	tickGen int
	// altScreen draws on the alternate screen.
	altScreen bool
}

// NewDashModel returns the dashboard over src. Closing stop (the caller's
// ctx.Done()) cancels every probe and request the dashboard has under way;
// each has its own timeout besides.
func NewDashModel(stop <-chan struct{}, src DashSource, st Styles) *DashModel {
	if src.Now == nil {
		src.Now = time.Now
	}
	if src.ProbeTimeout <= 0 {
		src.ProbeTimeout = 2 * time.Second
	}
	return &DashModel{
		st: st, keys: newDashKeys(), src: src, stop: stop,
		width: 80, height: 24,
		probes: map[string]ProbeRow{},
		now:    src.Now(),
		tick:   dashTick,
	}
}

// Init loads the contexts, runs and join requests, and starts the clock.
func (m *DashModel) Init() tea.Cmd {
	return tea.Batch(loadContexts(m.src), loadRuns(m.src), m.loadMembers(), m.tick(time.Second, m.tickGen))
}

func dashTick(d time.Duration, gen int) tea.Cmd {
	return tea.Tick(d, func(t time.Time) tea.Msg { return dashTickMsg{t, gen} })
}

// newTicks starts a new chain of ticks every d; the old chain stops at its
// next tick.
func (m *DashModel) newTicks(d time.Duration) tea.Cmd {
	m.tickGen++
	return m.tick(d, m.tickGen)
}

func loadContexts(src DashSource) tea.Cmd {
	return func() tea.Msg {
		rows, err := src.Contexts()
		return contextsMsg{rows, err}
	}
}

func loadRuns(src DashSource) tea.Cmd {
	return func() tea.Msg {
		if src.Runs == nil {
			return runsMsg{}
		}
		runs, err := src.Runs()
		if len(runs) > maxRuns {
			runs = runs[:maxRuns]
		}
		return runsMsg{runs, err}
	}
}

func (m *DashModel) loadMembers() tea.Cmd {
	zt, stop := m.src.ZeroTier, m.stop
	if zt == nil {
		return nil
	}
	return func() tea.Msg {
		rctx, cancel := requestCtx(stop, requestTimeout)
		defer cancel()
		ms, err := zt.Pending(rctx)
		return membersMsg{ms, err}
	}
}

// probe probes every listed context; the results come back as a probeMsg.
func (m *DashModel) probe() tea.Cmd {
	if m.probing || len(m.contexts) == 0 || m.src.Probe == nil {
		return nil
	}
	m.probing = true
	names := make([]string, len(m.contexts))
	for i, c := range m.contexts {
		names[i] = c.Name
	}
	probe, stop, timeout, now := m.src.Probe, m.stop, m.src.ProbeTimeout, m.src.Now
	return tea.Batch(func() tea.Msg {
		pctx, cancel := requestCtx(stop, timeout+time.Second)
		defer cancel()
		return probeMsg{rows: probe(pctx, names), at: now()}
	}, m.newTicks(tickEvery))
}

// requestCtx is the context of one request: it ends after d, or when stop
// is closed. The goroutine that links them ends with it (cancel).
func requestCtx(stop <-chan struct{}, d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	if stop != nil {
		go func() {
			select {
			case <-stop:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	return ctx, cancel
}

func useContext(stop <-chan struct{}, use func(context.Context, string) error, name string) tea.Cmd {
	return func() tea.Msg {
		rctx, cancel := requestCtx(stop, requestTimeout)
		defer cancel()
		return usedMsg{name, use(rctx, name)}
	}
}

func memberCmd(stop <-chan struct{}, verb string, fn func(context.Context, netoverlay.Member) error, mem netoverlay.Member) tea.Cmd {
	return func() tea.Msg {
		rctx, cancel := requestCtx(stop, requestTimeout)
		defer cancel()
		return memberDoneMsg{verb, mem, fn(rctx, mem)}
	}
}

// Update applies one message.
func (m *DashModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = max(msg.Width, 20), max(msg.Height, 8)
		m.clamp()
	case dashTickMsg:
		if msg.at.After(m.now) {
			m.now = msg.at
		}
		if msg.gen != m.tickGen {
			return m, nil
		}
		m.frame++
		if m.probing {
			return m, m.tick(tickEvery, m.tickGen)
		}
		return m, m.tick(time.Second, m.tickGen)
	case contextsMsg:
		first := m.contexts == nil
		m.contexts, m.ctxErr = msg.rows, msg.err
		if first {
			for i, c := range m.contexts {
				if c.Current {
					m.cur[paneContexts] = i // start on the current context
				}
			}
		}
		m.clamp()
		if len(m.probes) == 0 {
			return m, m.probe()
		}
	case probeMsg:
		m.probing = false
		m.probedAt = msg.at
		m.probes = make(map[string]ProbeRow, len(msg.rows))
		for _, r := range msg.rows {
			m.probes[r.Context] = r
		}
	case runsMsg:
		m.runs, m.runsErr = msg.runs, msg.err
		m.clamp()
	case membersMsg:
		m.members, m.membersErr = msg.members, msg.err
		m.clamp()
	case usedMsg:
		if msg.err != nil {
			m.setStatus(true, "switch to %q: %v", msg.name, msg.err)
			return m, nil
		}
		m.setStatus(false, "✓ Switched to context %s", msg.name)
		return m, loadContexts(m.src)
	case memberDoneMsg:
		if msg.err != nil {
			m.setStatus(true, "%s %s: %v", msg.verb, msg.m.ID, msg.err)
		} else {
			m.setStatus(false, "✓ %s member %s of network %s", pastTense(msg.verb), msg.m.ID, msg.m.NetworkID)
		}
		return m, m.loadMembers()
	case runDoneMsg:
		if msg.err != nil {
			m.setStatus(true, "run %s: %v", msg.file, msg.err)
		} else {
			m.setStatus(false, "✓ run of %s ended", msg.file)
		}
		return m, loadRuns(m.src)
	case tea.KeyPressMsg:
		// Keys typed faster than a read may arrive as one message: handle
		// them one at a time (":ctx bus-17" typed at once, say).
		if keys := splitText(msg); keys != nil && !m.typing {
			var cmds []tea.Cmd
			for _, k := range keys {
				_, cmd := m.key(k)
				cmds = append(cmds, cmd)
			}
			return m, tea.Batch(cmds...)
		}
		return m.key(msg)
	case tea.PasteMsg:
		// Pasted text goes into the command being typed, never to the keys.
		if m.typing && m.confirm == "" {
			m.command += oneLine(msg.Content)
		}
	}
	return m, nil
}

func pastTense(verb string) string {
	if verb == "deny" {
		return "Denied"
	}
	return "Authorized"
}

func (m *DashModel) setStatus(bad bool, format string, args ...any) {
	m.status, m.statusBad = fmt.Sprintf(format, args...), bad
}

func (m *DashModel) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	if m.confirm != "" {
		cmd := m.onConfirm
		m.confirm, m.onConfirm = "", nil
		if key.Matches(msg, k.Yes) {
			return m, cmd
		}
		m.setStatus(false, "Nothing changed")
		return m, nil
	}
	if m.typing {
		switch {
		case key.Matches(msg, k.Run):
			m.typing = false
			return m, m.runCommand(strings.TrimSpace(m.command))
		case key.Matches(msg, k.Cancel):
			m.typing = false
		case key.Matches(msg, k.Interrupt):
			return m, tea.Quit
		case key.Matches(msg, k.Erase):
			if r := []rune(m.command); len(r) > 0 {
				m.command = string(r[:len(r)-1])
			} else {
				m.typing = false
			}
		case key.Matches(msg, k.Complete):
			m.complete()
		case typed(msg) != "":
			m.command += typed(msg)
		}
		return m, nil
	}
	if m.help {
		if key.Matches(msg, k.Interrupt) {
			return m, tea.Quit
		}
		m.help = false
		return m, nil
	}
	m.status = ""
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		m.help = true
	case key.Matches(msg, k.Command):
		m.typing, m.command = true, ""
	case key.Matches(msg, k.Tab):
		m.focus = (m.focus + 1) % 3
		if m.focus == paneMembers && m.src.ZeroTier == nil {
			m.focus = paneContexts
		}
	case key.Matches(msg, k.Up):
		m.cur[m.focus]--
		m.clamp()
	case key.Matches(msg, k.Down):
		m.cur[m.focus]++
		m.clamp()
	case key.Matches(msg, k.Probe):
		if m.probing {
			return m, nil
		}
		return m, tea.Batch(m.probe(), loadRuns(m.src), m.loadMembers())
	case key.Matches(msg, k.Use) && m.focus == paneContexts:
		if c, ok := m.selectedContext(); ok {
			return m, useContext(m.stop, m.src.Use, c.Name)
		}
	case key.Matches(msg, k.Authorize) && m.focus == paneMembers:
		if mem, ok := m.selectedMember(); ok {
			m.confirm = fmt.Sprintf("Authorize %s (%s) on %s with the next free address? (y/N)", mem.ID, orDash(mem.Name), mem.NetworkID)
			m.onConfirm = memberCmd(m.stop, "authorize", m.src.ZeroTier.Authorize, mem)
		}
	case key.Matches(msg, k.Deny) && m.focus == paneMembers:
		if mem, ok := m.selectedMember(); ok {
			m.confirm = fmt.Sprintf("Deny %s (%s) on %s: remove its join request? (y/N)", mem.ID, orDash(mem.Name), mem.NetworkID)
			m.onConfirm = memberCmd(m.stop, "deny", m.src.ZeroTier.Deny, mem)
		}
	}
	return m, nil
}

// complete extends ":ctx PREFIX" to the longest name prefix the contexts
// share, or a verb to its full name.
func (m *DashModel) complete() {
	verb, arg, spaced := strings.Cut(m.command, " ")
	if !spaced {
		for _, v := range []string{"ctx ", "run ", "runs"} {
			if verb != "" && strings.HasPrefix(v, verb) {
				m.command = v
				return
			}
		}
		return
	}
	if verb != "ctx" {
		return
	}
	var match []string
	for _, c := range m.contexts {
		if strings.HasPrefix(c.Name, arg) {
			match = append(match, c.Name)
		}
	}
	if len(match) == 0 {
		return
	}
	common := match[0]
	for _, n := range match[1:] {
		for !strings.HasPrefix(n, common) {
			common = common[:len(common)-1]
		}
	}
	m.command = "ctx " + common
}

// runCommand runs a `:` command line.
func (m *DashModel) runCommand(line string) tea.Cmd {
	verb, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch verb {
	case "":
		return nil
	case "ctx", "context":
		if arg == "" {
			m.setStatus(true, ":ctx needs a context name: :ctx bus-17")
			return nil
		}
		for i, c := range m.contexts {
			if c.Name == arg {
				m.focus, m.cur[paneContexts] = paneContexts, i
				m.clamp()
			}
		}
		return useContext(m.stop, m.src.Use, arg)
	case "run":
		if arg == "" {
			m.setStatus(true, ":run needs a workflow file: :run pipeline.yaml")
			return nil
		}
		if m.src.RunCommand == nil {
			m.setStatus(true, ":run is not available here")
			return nil
		}
		file := arg
		return tea.ExecProcess(m.src.RunCommand(file), func(err error) tea.Msg { return runDoneMsg{file, err} })
	case "runs":
		m.focus = paneRuns
		return loadRuns(m.src)
	case "q", "quit":
		return tea.Quit
	}
	m.setStatus(true, "unknown command %q: use :ctx NAME, :run FILE or :runs", line)
	return nil
}

func (m *DashModel) selectedContext() (ContextRow, bool) {
	if i := m.cur[paneContexts]; i >= 0 && i < len(m.contexts) {
		return m.contexts[i], true
	}
	return ContextRow{}, false
}

func (m *DashModel) selectedMember() (netoverlay.Member, bool) {
	if m.src.ZeroTier == nil {
		return netoverlay.Member{}, false
	}
	if i := m.cur[paneMembers]; i >= 0 && i < len(m.members) {
		return m.members[i], true
	}
	return netoverlay.Member{}, false
}

// clamp keeps each cursor on a row and its pane scrolled to it.
func (m *DashModel) clamp() {
	counts := [3]int{len(m.contexts), len(m.runs), len(m.members)}
	heights := m.paneRows()
	for p := range 3 {
		m.cur[p] = max(0, min(m.cur[p], counts[p]-1))
		rows := max(1, heights[p])
		if m.cur[p] < m.off[p] {
			m.off[p] = m.cur[p]
		}
		if m.cur[p] >= m.off[p]+rows {
			m.off[p] = m.cur[p] - rows + 1
		}
	}
}

// paneRows is how many data rows each pane shows (title and column header
// excluded): each pane gets what it needs while rows last, the contexts
// first; a pane that needs more than its share scrolls.
func (m *DashModel) paneRows() [3]int {
	avail := m.height - 3 // header, status line, footer
	panes := 2
	if m.src.ZeroTier != nil {
		panes = 3
	}
	need := [3]int{max(1, len(m.contexts)), max(1, len(m.runs)), max(1, len(m.members))}
	// Shares when everything does not fit: contexts 1/2, the rest split.
	share := [3]int{avail / 2, avail - avail/2, 0}
	if panes == 3 {
		share = [3]int{avail / 2, (avail - avail/2) / 2, avail - avail/2 - (avail-avail/2)/2}
	}
	var h [3]int
	left := avail
	for p := range panes {
		h[p] = min(need[p]+2, share[p])
		left -= h[p]
	}
	// Rows a pane did not need go to the panes that want more, in order.
	for p := range panes {
		more := min(left, need[p]+2-h[p])
		if more > 0 {
			h[p] += more
			left -= more
		}
	}
	for p := range h {
		h[p] = max(0, h[p]-2)
	}
	return h
}

// freeRows is what the panes leave empty above the status line.
func (m *DashModel) freeRows(h [3]int) int {
	used := h[0] + h[1] + 4
	if m.src.ZeroTier != nil {
		used += h[2] + 2
	}
	return max(0, m.height-3-used)
}

// ---- view ----

// View renders the dashboard, exactly height lines; on the alternate
// screen when the caller asked for it.
func (m *DashModel) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = m.altScreen
	return v
}

func (m *DashModel) render() string {
	var b strings.Builder
	m.viewHeader(&b)
	b.WriteByte('\n')
	if m.help {
		lines := m.helpLines()
		for y := 0; y < m.height-2; y++ {
			if y < len(lines) {
				ln := line{b: &b, width: m.width}
				ln.putStyled(lines[y])
			}
			b.WriteByte('\n')
		}
	} else {
		rows := m.paneRows()
		m.viewContexts(&b, rows[0])
		m.viewRuns(&b, rows[1])
		if m.src.ZeroTier != nil {
			m.viewMembers(&b, rows[2])
		}
		b.WriteString(strings.Repeat("\n", m.freeRows(rows)))
		m.viewStatus(&b)
		b.WriteByte('\n')
	}
	m.viewFooter(&b)
	return b.String()
}

func (m *DashModel) viewHeader(b *strings.Builder) {
	ln := line{b: b, width: m.width}
	ln.put(m.st.title, "fogctl dash", 11)
	current := "-"
	for _, c := range m.contexts {
		if c.Current {
			current = c.Name
		}
	}
	left := "  context " + current
	ln.put(paint{}, left, ansi.StringWidth(left))
	var right string
	switch {
	case m.probing:
		right = stateGlyph(workflow.StateRunning, m.frame) + " probing"
	case !m.probedAt.IsZero():
		up := 0
		for _, p := range m.probes {
			if p.Reachable {
				up++
			}
		}
		right = fmt.Sprintf("%d/%d reachable · probed %s", up, len(m.probes), ago(m.now, m.probedAt))
	}
	rw := ansi.StringWidth(right)
	if pad := m.width - ln.w - rw; pad > 0 {
		ln.put(paint{}, strings.Repeat(" ", pad), pad)
	}
	ln.put(m.st.dim, right, rw)
}

func ago(now, t time.Time) string {
	d := now.Sub(t)
	if d < 5*time.Second {
		return "just now"
	}
	return shortAgo(d) + " ago"
}

func shortAgo(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func (m *DashModel) paneTitle(b *strings.Builder, p pane, title string) {
	ln := line{b: b, width: m.width}
	pt := m.st.dim
	if m.focus == p {
		pt = m.st.title
	}
	t := "── " + title + " "
	ln.put(pt, t, ansi.StringWidth(t))
	if rest := m.width - ln.w; rest > 0 {
		ln.put(m.st.dim, strings.Repeat("─", rest), rest)
	}
	b.WriteByte('\n')
}

// column is one column of a pane's table.
type column struct {
	title string
	width int // 0: what is left
}

// widths resolves the 0-width column to what the terminal has left.
func (m *DashModel) widths(cols []column) []int {
	w := make([]int, len(cols))
	used, flex := 2, -1
	for i, c := range cols {
		if c.width == 0 {
			flex = i
			continue
		}
		w[i] = c.width
		used += c.width + 1
	}
	if flex >= 0 {
		w[flex] = max(4, m.width-used-1)
	}
	return w
}

func (m *DashModel) tableHeader(b *strings.Builder, cols []column, w []int) {
	ln := line{b: b, width: m.width}
	ln.put(paint{}, "  ", 2)
	for i, c := range cols {
		s := fit(c.title, w[i]) + " "
		ln.put(m.st.dim, s, w[i]+1)
	}
	b.WriteByte('\n')
}

// tableRow writes cells (plain text, each with its paint) cut to widths.
func (m *DashModel) tableRow(b *strings.Builder, selected bool, w []int, cells []string, paints []paint) {
	ln := line{b: b, width: m.width}
	mark := "  "
	if selected {
		mark = "› "
	}
	ln.put(paint{}, mark, 2)
	for i, c := range cells {
		p := paints[i]
		if selected {
			p = m.st.cursor
		}
		// Cells hold what files and remote services say (workflow and
		// member names, versions, labels): never escapes.
		ln.put(p, fit(workflow.SafeText(c), w[i]), w[i])
		ln.put(paint{}, " ", 1)
	}
	b.WriteByte('\n')
}

// TODO(#5): a ROLLOUTS column (pending rollouts per context) once fogctl
// has rollouts; there is nothing to show yet, so there is no column.
var contextColumns = []column{
	{"CONTEXT", 16}, {"REACHABLE", 12}, {"RTT", 7}, {"VERSION", 13}, {"LAST SEEN", 9}, {"LABELS", 0},
}

func (m *DashModel) viewContexts(b *strings.Builder, rows int) {
	title := fmt.Sprintf("contexts (%d)", len(m.contexts))
	m.paneTitle(b, paneContexts, title)
	w := m.widths(contextColumns)
	m.tableHeader(b, contextColumns, w)
	for y := 0; y < rows; y++ {
		i := m.off[paneContexts] + y
		switch {
		case y == 0 && m.ctxErr != nil:
			m.paneMessage(b, m.st.errText, oneLine(m.ctxErr.Error()))
		case y == 0 && len(m.contexts) == 0:
			m.paneMessage(b, m.st.dim, "no contexts (add one with 'fogctl ctx import FILE')")
		case i < len(m.contexts):
			m.contextRow(b, i, w)
		default:
			b.WriteByte('\n')
		}
	}
}

func (m *DashModel) contextRow(b *strings.Builder, i int, w []int) {
	c := m.contexts[i]
	name := c.Name
	if c.Current {
		name = "* " + name
	} else {
		name = "  " + name
	}
	reach, rtt, version := "…", "", ""
	reachP := m.st.dim
	seen := c.LastSeen
	if p, ok := m.probes[c.Name]; ok {
		if p.Reachable {
			reach, reachP = "✓", m.st.ok
			rtt = formatRTT(p.RTT)
		} else {
			reach, reachP = "✗ "+p.Reason, m.st.bad
		}
		version = p.Version
		if !p.LastSeen.IsZero() {
			seen = p.LastSeen
		}
	} else if !m.probing {
		reach = "-"
	}
	last := "never"
	if !seen.IsZero() {
		last = ago(m.now, seen)
	}
	cells := []string{name, reach, orDash(rtt), orDash(version), last, labelsString(c.Labels)}
	paints := []paint{{}, reachP, {}, {}, m.st.dim, m.st.dim}
	m.tableRow(b, m.focus == paneContexts && i == m.cur[paneContexts], w, cells, paints)
}

// fitLeft keeps the end of s (a path's file name) when it is wider than w.
func fitLeft(s string, w int) string {
	r := []rune(s)
	if len(r) <= w || w < 2 {
		return s
	}
	return "…" + string(r[len(r)-w+1:])
}

func formatRTT(d time.Duration) string {
	ms := float64(d.Microseconds()) / 1000
	switch {
	case ms < 10:
		return fmt.Sprintf("%.1fms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.0fms", ms)
	}
	return fmt.Sprintf("%.1fs", ms/1000)
}

func labelsString(l map[string]string) string {
	keys := slices.Sorted(maps.Keys(l))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + l[k]
	}
	return orDash(strings.Join(parts, ","))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

var runColumns = []column{
	{"RUN", 24}, {"WORKFLOW", 0}, {"STATE", 10}, {"NODES", 7}, {"STARTED", 9},
}

// paneMessage writes one line of a pane that has no rows to show: why
// (an error) or what to do (an empty pane).
func (m *DashModel) paneMessage(b *strings.Builder, p paint, text string) {
	ln := line{b: b, width: m.width}
	s := "  " + workflow.SafeText(text)
	ln.put(p, s, ansi.StringWidth(s))
	b.WriteByte('\n')
}

func (m *DashModel) viewRuns(b *strings.Builder, rows int) {
	m.paneTitle(b, paneRuns, "recent runs")
	w := m.widths(runColumns)
	m.tableHeader(b, runColumns, w)
	for y := 0; y < rows; y++ {
		i := m.off[paneRuns] + y
		switch {
		case y == 0 && m.runsErr != nil:
			m.paneMessage(b, m.st.errText, oneLine(m.runsErr.Error()))
		case y == 0 && len(m.runs) == 0:
			m.paneMessage(b, m.st.dim, "no runs yet (start one with :run FILE, or try 'fogctl demo')")
		case i < len(m.runs):
			r := m.runs[i]
			nodes := fmt.Sprintf("%d/%d", r.Succeeded, r.Nodes)
			cells := []string{r.ID, fitLeft(r.Workflow, w[1]), string(r.State), nodes, ago(m.now, r.Created)}
			sp, ok := m.st.state[r.State]
			if !ok {
				sp = m.st.dim
			}
			paints := []paint{{}, {}, sp, {}, m.st.dim}
			m.tableRow(b, m.focus == paneRuns && i == m.cur[paneRuns], w, cells, paints)
		default:
			b.WriteByte('\n')
		}
	}
}

var memberColumns = []column{
	{"NETWORK", 16}, {"MEMBER", 10}, {"NAME", 0}, {"VERSION", 8}, {"ASKED", 9},
}

func (m *DashModel) viewMembers(b *strings.Builder, rows int) {
	m.paneTitle(b, paneMembers, fmt.Sprintf("zerotier: %d pending", len(m.members)))
	w := m.widths(memberColumns)
	m.tableHeader(b, memberColumns, w)
	for y := 0; y < rows; y++ {
		i := m.off[paneMembers] + y
		switch {
		case y == 0 && m.membersErr != nil:
			m.paneMessage(b, m.st.errText, oneLine(m.membersErr.Error()))
		case y == 0 && len(m.members) == 0:
			m.paneMessage(b, m.st.dim, "no member waits to join")
		case i < len(m.members):
			mem := m.members[i]
			version := "-"
			if mem.VMajor > 0 || mem.VMinor > 0 {
				version = fmt.Sprintf("%d.%d.%d", mem.VMajor, mem.VMinor, mem.VRev)
			}
			asked := "-"
			if mem.CreationTime > 0 {
				asked = ago(m.now, time.UnixMilli(mem.CreationTime))
			}
			cells := []string{mem.NetworkID, mem.ID, orDash(mem.Name), version, asked}
			paints := []paint{{}, m.st.warn, {}, m.st.dim, m.st.dim}
			m.tableRow(b, m.focus == paneMembers && i == m.cur[paneMembers], w, cells, paints)
		default:
			b.WriteByte('\n')
		}
	}
}

func (m *DashModel) viewStatus(b *strings.Builder) {
	ln := line{b: b, width: m.width}
	switch {
	case m.confirm != "":
		ln.putStyled(m.st.prompt.render(workflow.SafeText(m.confirm)))
	case m.typing:
		ln.putStyled(m.st.key.render(":") + m.command + "_")
	case m.status != "":
		p := m.st.ok
		if m.statusBad {
			p = m.st.bad
		}
		ln.putStyled(p.render(workflow.SafeText(m.status)))
	}
}

func (m *DashModel) viewFooter(b *strings.Builder) {
	ln := line{b: b, width: m.width}
	k := m.keys
	var bs []key.Binding
	switch {
	case m.help:
		bs = []key.Binding{k.AnyKey}
	case m.typing:
		bs = k.typing()
	case m.focus == paneMembers:
		bs = k.members()
	default:
		bs = k.footer()
	}
	var parts []string
	for _, kb := range bs {
		h := kb.Help()
		parts = append(parts, m.st.key.render(h.Key)+" "+h.Desc)
	}
	ln.putStyled(strings.Join(parts, "  "))
}

func (m *DashModel) helpLines() []string {
	st := m.st
	out := []string{st.title.render("fogctl dash: keys"), ""}
	for _, kb := range m.keys.all() {
		h := kb.Help()
		out = append(out, "  "+st.key.render(fit(h.Key, 8))+" "+h.Desc)
	}
	out = append(out, "", st.bold.render("Commands"),
		"  :ctx NAME    make NAME the current context",
		"  :run FILE    run a workflow in the live view, then come back",
		"  :runs        reload and go to the recent runs",
		"  (tab completes commands and context names)",
	)
	return out
}
