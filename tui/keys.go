package tui

import "charm.land/bubbles/v2/key"

// runKeys are the key bindings of the run view, each with its help text.
type runKeys struct {
	Up, Down, Left, Right  key.Binding
	PageUp, PageDown       key.Binding
	Top, Bottom            key.Binding
	Inspect, Filter        key.Binding
	FailedOnly, Help, Back key.Binding
	Quit, Yes, No          key.Binding
	// Interrupt quits from anywhere, asking first while the run goes.
	Interrupt key.Binding
	// Close leaves the inspector or the help.
	Close key.Binding
	// While typing a filter.
	FilterKeep, FilterClear, Erase key.Binding
	// Help text only: arrows together, and scrolling.
	Move, Scroll key.Binding
}

func newRunKeys() runKeys {
	return runKeys{
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Left:        key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "previous layer")),
		Right:       key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next layer")),
		PageUp:      key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:         key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "first node")),
		Bottom:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "last node")),
		Inspect:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "inspect node")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter by name")),
		FailedOnly:  key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "failed only")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back / clear filter")),
		Quit:        key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Yes:         key.NewBinding(key.WithKeys("y", "Y", "ctrl+c"), key.WithHelp("y", "yes")),
		No:          key.NewBinding(key.WithKeys("n", "N", "esc", "q"), key.WithHelp("n", "no")),
		Interrupt:   key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Close:       key.NewBinding(key.WithKeys("esc", "q", "backspace"), key.WithHelp("esc", "back")),
		FilterKeep:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep")),
		FilterClear: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear")),
		Erase:       key.NewBinding(key.WithKeys("backspace"), key.WithHelp("backspace", "erase")),
		Move:        key.NewBinding(key.WithKeys("up", "down", "left", "right"), key.WithHelp("←↓↑→", "move")),
		Scroll:      key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "scroll")),
	}
}

// short is the footer's one-line help.
func (k runKeys) short() []key.Binding {
	return []key.Binding{k.Move, k.Inspect, k.Filter, k.FailedOnly, k.Help, k.Quit}
}

// full is the help view, grouped.
func (k runKeys) full() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Left, k.Right, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Inspect, k.Filter, k.FailedOnly, k.Back, k.Help, k.Quit},
	}
}

// inspectorKeys are shown in the inspector's footer.
func (k runKeys) inspector() []key.Binding {
	return []key.Binding{k.Scroll, k.PageUp, k.PageDown, k.Close}
}

// dashKeys are the key bindings of the fleet dashboard.
type dashKeys struct {
	Up, Down, Tab key.Binding
	Use, Probe    key.Binding
	Command, Help key.Binding
	Authorize     key.Binding
	Deny, Back    key.Binding
	Quit          key.Binding
	Interrupt     key.Binding
	Yes           key.Binding
	// While typing a : command.
	Run, Complete, Cancel, Erase key.Binding
	// AnyKey is help text only: any key leaves the help.
	AnyKey key.Binding
}

// filtering is the footer while a filter shows.
func (k runKeys) filtering() []key.Binding {
	return []key.Binding{k.Scroll, k.Inspect, k.Filter, k.FailedOnly, k.Back, k.Quit}
}

// editing is the footer while a filter is typed.
func (k runKeys) editing() []key.Binding {
	return []key.Binding{k.FilterKeep, k.FilterClear, k.Scroll}
}

func newDashKeys() dashKeys {
	return dashKeys{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Tab:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		Use:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "use context")),
		Probe:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "probe again")),
		Command:   key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command (:ctx NAME, :run FILE, :runs)")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Authorize: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "authorize member")),
		Deny:      key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "deny member")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Interrupt: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Yes:       key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		Run:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run")),
		Complete:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Erase:     key.NewBinding(key.WithKeys("backspace"), key.WithHelp("backspace", "erase")),
		AnyKey:    key.NewBinding(key.WithHelp("any key", "back")),
	}
}

// footer is the dashboard's one-line help outside the members pane.
func (k dashKeys) footer() []key.Binding {
	return []key.Binding{k.Use, k.Probe, k.Tab, key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")), k.Help, k.Quit}
}

// members is the footer on the members pane.
func (k dashKeys) members() []key.Binding {
	return []key.Binding{k.Authorize, k.Deny, k.Tab, k.Probe, k.Command, k.Help, k.Quit}
}

// typing is the footer while a : command is typed.
func (k dashKeys) typing() []key.Binding {
	return []key.Binding{k.Run, k.Complete, k.Cancel}
}

// all is the dashboard's help view.
func (k dashKeys) all() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Tab, k.Use, k.Probe, k.Command, k.Authorize, k.Deny, k.Help, k.Quit}
}
