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

// TestProblemsAreSafeText: a file's keys and names reach the terminal in
// problems and warnings: as visible escapes, never as control characters
// (a YAML "\e" in a key or a name).
func TestProblemsAreSafeText(t *testing.T) {
	_, err := Parse("x.yaml", []byte("apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n  - {name: \"a\\e]0;pwned\\a\", kind: noop, \"ti\\emeout\": 1s}\n"))
	if err == nil {
		t.Fatal("accepted")
	}
	want := `x.yaml:5: node "a\x1b]0;pwned\a": name: name must not contain control characters`
	if msg := err.Error(); strings.ContainsAny(msg, "\x1b\x07") || !strings.Contains(msg, want) || !strings.Contains(msg, `ti\x1bmeout: unknown field`) {
		t.Errorf("error:\n%s\nwant no control character, and:\n%s", msg, want)
	}
	w, err := Parse("x.yaml", []byte("nodes:\n- {name: a, action: GET, url: 'http://h/', \"x\\e[2J\": 1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Warnings) != 1 || strings.ContainsAny(w.Warnings[0].String(), "\x1b") {
		t.Errorf("warnings %q", w.Warnings)
	}
}
