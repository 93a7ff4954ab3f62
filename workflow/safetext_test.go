package workflow

import (
	"strings"
	"testing"
)

func TestSafeText(t *testing.T) {
	for in, want := range map[string]string{
		"":                                        "",
		"plain text, ünïcode ✓\n\tindented":       "plain text, ünïcode ✓\n\tindented",
		"\x1b]0;pwned\x07\x1b[31mRED":             `\x1b]0;pwned\x07\x1b[31mRED`,
		"progress 10%\rprogress 100%\x08\x7f":     `progress 10%\x0dprogress 100%\x08\x7f`,
		"C1 CSI \u009b31m and NEL \u0085":         `C1 CSI \u009b31m and NEL \u0085`,
		"bidi \u202eevil\u202c \u2066x\u2069":     `bidi \u202eevil\u202c \u2066x\u2069`,
		"bad \xff\xfe UTF-8":                      "bad \ufffd\ufffd UTF-8",
		"\x00nul":                                 `\x00nul`,
		"emoji 🚀 and zero-width joiner \u200d ok": "emoji 🚀 and zero-width joiner \u200d ok",
	} {
		got := SafeText(in)
		if got != want {
			t.Errorf("SafeText(%q) = %q, want %q", in, got, want)
		}
		if strings.ContainsAny(got, "\x1b\x07\r\x00\u009b") {
			t.Errorf("SafeText(%q) = %q still holds a control character", in, got)
		}
		if SafeText(got) != got {
			t.Errorf("SafeText is not idempotent on %q", got)
		}
	}
	if n := testing.AllocsPerRun(100, func() { SafeText("a clean line of stderr\nand another\n") }); n != 0 {
		t.Errorf("clean text: %v allocations, want 0", n)
	}
}
