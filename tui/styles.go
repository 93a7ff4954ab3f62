package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/fogctl/fogctl/workflow"
)

// Colours, named here and nowhere else. ANSI 16-colour indexes, so they
// follow the user's terminal theme, light or dark: fogctl never asks the
// terminal for its background to pick them.
const (
	colorDim     = ansi.BrightBlack
	colorAccent  = ansi.BrightBlue
	colorRunning = ansi.BrightCyan
	colorOK      = ansi.BrightGreen
	colorFailed  = ansi.BrightRed
	colorWarn    = ansi.BrightYellow
	colorMuted   = ansi.White
)

// paint is a style reduced to the escape sequences around its text, so a
// frame writes cells without building them for each one. Under NO_COLOR
// both are empty.
//
// Styles are SGR sequences built with x/ansi, not lipgloss: lipgloss v2
// detects stdout's colour profile in a package variable (reading terminfo
// and /etc/passwd on a terminal), which every fogctl process would pay.
type paint struct{ pre, post string }

func paintOf(s ansi.Style) paint {
	return paint{pre: s.String(), post: ansi.ResetStyle}
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
	ns := ansi.NewStyle
	paintOf := paintOf
	if !color {
		paintOf = func(ansi.Style) paint { return paint{} }
	}
	st := Styles{
		title:   paintOf(ns().Bold().ForegroundColor(colorAccent)),
		dim:     paintOf(ns().ForegroundColor(colorDim)),
		bold:    paintOf(ns().Bold()),
		key:     paintOf(ns().Bold().ForegroundColor(colorAccent)),
		edge:    paintOf(ns().ForegroundColor(colorDim)),
		cursor:  paintOf(ns().Reverse(true)),
		errText: paintOf(ns().ForegroundColor(colorFailed)),
		prompt:  paintOf(ns().Bold().ForegroundColor(colorWarn)),
		ok:      paintOf(ns().ForegroundColor(colorOK)),
		warn:    paintOf(ns().ForegroundColor(colorWarn)),
		bad:     paintOf(ns().ForegroundColor(colorFailed)),
	}
	base := map[workflow.State]ansi.Style{
		workflow.StatePending:        ns().ForegroundColor(colorMuted),
		workflow.StateRunning:        ns().ForegroundColor(colorRunning),
		workflow.StateRetrying:       ns().ForegroundColor(colorWarn),
		workflow.StateSucceeded:      ns().ForegroundColor(colorOK),
		workflow.StateFailed:         ns().ForegroundColor(colorFailed).Bold(),
		workflow.StateUpstreamFailed: ns().ForegroundColor(colorFailed).Faint(),
		workflow.StateCancelled:      ns().ForegroundColor(colorDim),
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
