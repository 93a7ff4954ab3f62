package workflow

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SafeText returns s fit to print on a terminal: what a node, a service or
// a file wrote (stderr, errors quoting a response, outputs, names) must not
// be able to move the cursor, set the window title, change colours or
// hide text. Line feeds and tabs stay, as layout. Every other C0 control
// (ESC, BEL, CR, backspace...) and DEL becomes a visible escape such as
// \x1b, so an escape sequence shows as text (\x1b]0;pwned\x07 and
// \x1b[31m); C1 controls (U+0080-U+009F, which some terminals obey as
// ESC [ and the like) and the bidirectional overrides and isolates
// (U+202A-U+202E, U+2066-U+2069, which reorder what follows) become \u
// escapes; bytes that are not UTF-8 become U+FFFD. Text with none of
// these is returned as it is, without allocating.
func SafeText(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, size) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
				fmt.Fprintf(&b, `\x%02x`, c)
			} else {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case unsafeRune(r, size):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// unsafeRune reports whether a multi-byte rune must not reach a terminal
// as it is.
func unsafeRune(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1: // not UTF-8
		return true
	case r >= 0x80 && r <= 0x9f: // C1 controls
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi overrides, isolates
		return true
	}
	return false
}
