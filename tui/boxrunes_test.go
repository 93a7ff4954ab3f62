package tui

import "testing"

// TestBoxRunes derives each gutter cell's rune from its direction bits and
// checks the boxRunes table against it.
func TestBoxRunes(t *testing.T) {
	for m := range len(boxRunes) {
		var want rune
		switch uint8(m) & 15 {
		case 0:
			want = ' '
		case dirUp, dirDown, dirUp | dirDown:
			want = '│'
		case dirLeft, dirRight, dirLeft | dirRight:
			want = '─'
		case dirDown | dirRight:
			want = '┌'
		case dirDown | dirLeft:
			want = '┐'
		case dirUp | dirRight:
			want = '└'
		case dirUp | dirLeft:
			want = '┘'
		case dirUp | dirDown | dirRight:
			want = '├'
		case dirUp | dirDown | dirLeft:
			want = '┤'
		case dirLeft | dirRight | dirDown:
			want = '┬'
		case dirLeft | dirRight | dirUp:
			want = '┴'
		default:
			want = '┼'
		}
		if uint8(m)&dirArrow != 0 {
			want = '▸'
		}
		if boxRunes[m] != want {
			t.Errorf("boxRunes[%05b] = %q, want %q", m, boxRunes[m], want)
		}
	}
}
