// Package yamlline finds the line of a YAML file that a yaml.v3 syntax
// error is about, which is not always the line yaml.v3 names. Workflow
// files (package workflow) and the fleet file (package cluster) use it.
package yamlline

import (
	"bytes"
	"strings"
)

// ProblemLine turns the line yaml.v3 puts in an error into the line to
// show the user. yaml.v3 numbers lines from 1 for the scanner's errors
// (a tab, a ':' where no mapping may start), but for the parser's ("did
// not find expected key", "... '-' indicator", "... ',' or ']'") it gives
// the 0-based line where the enclosing block starts, or of the problem
// itself when that block starts on the first line: either way the bad
// line is that line + 1 or further down, most often the first one there
// indented to a level no enclosing block has. For those errors
// ProblemLine looks for that line, following the indentation from the
// top of the file, and returns it with dedent true; else it returns the
// line after the reported one.
func ProblemLine(data []byte, reported int, msg string) (line int, dedent bool) {
	if !strings.HasPrefix(msg, "did not find expected ") ||
		strings.HasPrefix(msg, "did not find expected alphabetic") ||
		strings.HasPrefix(msg, "did not find expected comment") ||
		strings.HasPrefix(msg, "did not find expected whitespace") {
		return reported, false // the scanner's: its line is right
	}
	first := reported + 1 // the bad line is here or below
	var levels []int      // indentations of the open blocks, innermost last
	n := 0
	for rest := data; len(rest) > 0; {
		var text []byte
		text, rest, _ = bytes.Cut(rest, []byte{'\n'})
		n++
		indent := len(text) - len(bytes.TrimLeft(text, " "))
		body := bytes.TrimSpace(text)
		if len(body) == 0 || body[0] == '#' {
			continue
		}
		popped := false
		for len(levels) > 0 && indent < levels[len(levels)-1] {
			levels = levels[:len(levels)-1]
			popped = true
		}
		switch {
		case len(levels) > 0 && indent == levels[len(levels)-1]:
		case popped && len(levels) > 0 && n >= first:
			// Back out of a deeper block to a level none of the open
			// ones has. (Above the bad line that is YAML's business: a
			// plain scalar's continuation, say.)
			return n, true
		default:
			levels = append(levels, indent)
		}
		if bytes.HasPrefix(body, []byte("- ")) {
			// A sequence item opens a block where its content starts:
			// "- name: a" then "  kind: x".
			levels = append(levels, indent+2)
		}
	}
	return first, false
}
