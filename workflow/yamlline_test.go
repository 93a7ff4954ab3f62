package workflow

import (
	"fmt"
	"strings"
	"testing"
)

// TestYAMLErrorLines: a YAML syntax error names the line that is wrong,
// not the line yaml.v3 reports (for its parser's errors, the 0-based line
// where the enclosing block starts). The cases are broken files as people
// write them; want is the line a reader would point at.
func TestYAMLErrorLines(t *testing.T) {
	tests := []struct {
		name, text string
		want       int
		dedent     bool
	}{
		{"item key indented one short", "a:\n  b:\n    - x: 1\n      y: 2\n     z: 3\n", 5, true},
		{"key between two levels", "spec:\n  nodes:\n    - name: a\n      kind: x\n   y: z\n", 5, true},
		{"node field indented one short", "nodes:\n  - name: a\n    action: POST\n   url: x\n", 4, true},
		{"comments and blank lines skipped", "nodes:\n  - name: a\n\n    # the method\n    action: POST\n   url: x\n", 6, true},
		{"mapping inside a plain value", "a: 1\nb: c: d\n", 2, false},
		{"unclosed quote", "a: 1\nb: \"abc\nc: 2\n", 2, false},
		{"key after a list, one space in", "a:\n  - 1\n  - 2\n b: 3\n", 4, true},
		{"key one space in", "a:\n  b: 1\n c: 2\n", 3, true},
		{"unclosed flow sequence", "x: [1, 2\ny: 3\n", 2, false},
		{"tab", "a: 1\n\tb: 2\n", 2, false},
		{"deeper lines after the bad one", "a:\n  - 1\n b: 3\n   c: 4\n  d: 5\n", 3, true},
		{"item content one short", "b:\n  - x: 1\n   y: 2\n", 3, true},
		{"plain scalar continued above the bad line", "a: this is\n  a long\n value\nb:\n  - x: 1\n   y: 2\n", 6, true},
		{"compact sequence", "nodes:\n- name: a\n  kind: x\n - name: b\n", 4, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tt.text))
			if err == nil {
				t.Fatalf("no error for\n%s", tt.text)
			}
			wantPrefix := fmt.Sprintf("f.yaml:%d: invalid YAML: ", tt.want)
			if !strings.HasPrefix(err.Error(), wantPrefix) {
				t.Errorf("error %q, want it at line %d", err, tt.want)
			}
			if hint := strings.Contains(err.Error(), "no enclosing block has"); hint != tt.dedent {
				t.Errorf("error %q: indentation hint %v, want %v", err, hint, tt.dedent)
			}
		})
	}
}
