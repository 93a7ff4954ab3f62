package tui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/fogctl/fogctl/workflow"
)

// Colours, named here and nowhere else. ANSI 16-colour indexes, so they
// follow the user's terminal theme, light or dark: fogctl never asks the
// terminal for its background to pick them.
const (
	colorDim     = lipgloss.BrightBlack
	colorAccent  = lipgloss.BrightBlue
	colorRunning = lipgloss.BrightCyan
	colorOK      = lipgloss.BrightGreen
	colorFailed  = lipgloss.BrightRed
	colorWarn    = lipgloss.BrightYellow
	colorMuted   = lipgloss.White
)

// paint is a style reduced to the escape sequences around its text, so a
// frame writes cells without calling lipgloss for each one. Under NO_COLOR
// both are empty.
type paint struct{ pre, post string }

func paintOf(s lipgloss.Style) paint {
	const mark = "\x00"
	out := s.Render(mark)
	i := strings.Index(out, mark)
	if i < 0 {
		return paint{}
	}
	return paint{pre: out[:i], post: out[i+len(mark):]}
}

func (p paint) write(b *strings.Builder, s string) {
	if s == "" {
		return
	}
	b.WriteString(p.pre)
	b.WriteString(s)
	b.WriteString(p.post)
}

func (p paint) render(s string) string {
	if p.pre == "" && p.post == "" {
		return s
	}
	return p.pre + s + p.post
}

// Styles is every look the TUI uses, built once. Colours are written as
// ANSI 16-colour escapes; bubbletea's renderer reduces them further for a
// terminal that has fewer (TERM, COLORTERM).
type Styles struct {
	title, dim, bold, key, edge, cursor, errText, prompt, ok, warn, bad paint
	state                                                               map[workflow.State]paint
	cursorState                                                         map[workflow.State]paint
}

// NewStyles builds the styles. Without color (NO_COLOR, or output that is
// not a terminal) no escape is written at all, and the cursor is shown by
// its marker alone.
func NewStyles(color bool) Styles {
	ns := lipgloss.NewStyle
	paintOf := paintOf
	if !color {
		paintOf = func(lipgloss.Style) paint { return paint{} }
	}
	st := Styles{
		title:   paintOf(ns().Bold(true).Foreground(colorAccent)),
		dim:     paintOf(ns().Foreground(colorDim)),
		bold:    paintOf(ns().Bold(true)),
		key:     paintOf(ns().Bold(true).Foreground(colorAccent)),
		edge:    paintOf(ns().Foreground(colorDim)),
		cursor:  paintOf(ns().Reverse(true)),
		errText: paintOf(ns().Foreground(colorFailed)),
		prompt:  paintOf(ns().Bold(true).Foreground(colorWarn)),
		ok:      paintOf(ns().Foreground(colorOK)),
		warn:    paintOf(ns().Foreground(colorWarn)),
		bad:     paintOf(ns().Foreground(colorFailed)),
	}
	base := map[workflow.State]lipgloss.Style{
		workflow.StatePending:        ns().Foreground(colorMuted),
		workflow.StateRunning:        ns().Foreground(colorRunning),
		workflow.StateRetrying:       ns().Foreground(colorWarn),
		workflow.StateSucceeded:      ns().Foreground(colorOK),
		workflow.StateFailed:         ns().Foreground(colorFailed).Bold(true),
		workflow.StateUpstreamFailed: ns().Foreground(colorFailed).Faint(true),
		workflow.StateCancelled:      ns().Foreground(colorDim),
	}
	st.state = make(map[workflow.State]paint, len(base))
	st.cursorState = make(map[workflow.State]paint, len(base))
	for s, style := range base {
		st.state[s] = paintOf(style)
		st.cursorState[s] = paintOf(style.Reverse(true))
	}
	return st
}

// spinnerFrames animate a running node, one frame per tick.
var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// stateGlyph is the one-cell mark of a state; frame animates running.
func stateGlyph(s workflow.State, frame int) string {
	switch s {
	case workflow.StateRunning:
		return spinnerFrames[frame%len(spinnerFrames)]
	case workflow.StateRetrying:
		return "↻"
	case workflow.StateSucceeded:
		return "✓"
	case workflow.StateFailed:
		return "✗"
	case workflow.StateUpstreamFailed:
		return "⊘"
	case workflow.StateCancelled:
		return "⊗"
	}
	return "○"
}

// legend explains the glyphs in the help view.
var legend = []workflow.State{
	workflow.StatePending, workflow.StateRunning, workflow.StateRetrying, workflow.StateSucceeded,
	workflow.StateFailed, workflow.StateUpstreamFailed, workflow.StateCancelled,
}
