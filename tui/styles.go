package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/fogctl/fogctl/workflow"
)

// Colours, named here and nowhere else. ANSI 16-colour indexes, so they
// follow the user's terminal theme.
var (
	colorDim     = lipgloss.Color("8")
	colorAccent  = lipgloss.Color("12")
	colorRunning = lipgloss.Color("14")
	colorOK      = lipgloss.Color("10")
	colorFailed  = lipgloss.Color("9")
	colorWarn    = lipgloss.Color("11")
	colorMuted   = lipgloss.Color("7")
)

// paint is a style reduced to the escape sequences around its text, so a
// frame writes cells without calling lipgloss for each one. Under NO_COLOR
// (the Ascii profile) both are empty.
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

// Styles is every look the TUI uses, built once for a renderer (whose
// colour profile decides whether escapes are written at all).
type Styles struct {
	title, dim, bold, key, edge, cursor, errText, prompt, ok, warn, bad paint
	state                                                               map[workflow.State]paint
	cursorState                                                         map[workflow.State]paint
}

// NewStyles builds the styles for r. With r's profile set to Ascii (NO_COLOR)
// nothing is coloured and the cursor is shown by its marker alone.
func NewStyles(r *lipgloss.Renderer) Styles {
	ns := r.NewStyle
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
