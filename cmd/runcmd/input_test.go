package runcmd_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRunEmptyInput: an empty stdin, an empty input file and an empty
// --input "" (an unset $FILE in a crontab) are refused with exit 2,
// before anything runs or is recorded; they ran on {} and exited 0.
func TestRunEmptyInput(t *testing.T) {
	dir := t.TempDir()
	good := writeWorkflow(t, dir, "ok.yaml", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n    - {name: a, kind: noop}\n", nil)
	empty := writeWorkflow(t, dir, "empty.json", " \n\t\n", nil)
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"empty stdin", []string{"run", good, "--input", "-"}, "", "error: input: stdin was empty: give a JSON object ({} for none)\n"},
		{"blank stdin", []string{"run", good, "--input", "-"}, "\n \n", "error: input: stdin was empty: give a JSON object ({} for none)\n"},
		{"empty file", []string{"run", good, "--input", empty}, "{}", "error: input " + empty + ": the file is empty: give a JSON object ({} for none)\n"},
		{"--input ''", []string{"run", good, "--input", ""}, "{}", "error: --input names no file (an unset variable?): give a JSON file, or - for stdin\n"},
		{"--input=", []string{"run", good, "--input="}, "{}", "error: --input names no file (an unset variable?): give a JSON file, or - for stdin\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, in, out, errOut := testFactory(t, false)
			in.WriteString(tc.stdin)
			if code := run(t, f, tc.args...); code != 2 || errOut.String() != tc.want || out.Len() != 0 {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and only %q", code, out, errOut, tc.want)
			}
			state, _ := f.StateDir()
			if left, _ := filepath.Glob(filepath.Join(state, "runs", "*.jsonl")); len(left) != 0 {
				t.Errorf("a refused run left %s", strings.Join(left, " "))
			}
		})
	}
}

// TestRunInputNotAnObject: an --input that is JSON but not an object says
// what it is, in words; it leaked a Go type ("cannot unmarshal array into
// Go value of type map[string]json.RawMessage"), and null ran as input.
func TestRunInputNotAnObject(t *testing.T) {
	good := writeWorkflow(t, t.TempDir(), "ok.yaml", "apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n  nodes:\n    - {name: a, kind: noop}\n", nil)
	for stdin, kind := range map[string]string{`[1, 2]`: "an array", `"x"`: "a string", `12`: "a number", `true`: "a boolean", ` null `: "null"} {
		f, in, _, errOut := testFactory(t, false)
		in.WriteString(stdin)
		want := "error: input stdin: must be a JSON object, not " + kind + "\n"
		if code := run(t, f, "run", good, "--input", "-"); code != 2 || errOut.String() != want {
			t.Errorf("input %s: exit %d, stderr %q; want 2 and %q", stdin, code, errOut, want)
		}
	}
}
