package workflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fogctl/fogctl/internal/yamlline"
	"go.yaml.in/yaml/v3"
)

// MaxFileSize is the largest workflow file Load reads.
const MaxFileSize = 16 << 20

// Limits on what a workflow file may ask for.
const (
	maxRetries  = 100
	maxNameLen  = 253
	maxProblems = 1000           // a ValidationError lists at most this many
	walkBudget  = 1 << 20        // YAML nodes visited, aliases included
	maxDuration = 24 * time.Hour // timeout and backoff
)

// Problem is one thing wrong with a workflow file, or, with Warning set,
// one thing that is accepted but probably not what its author meant.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Node    string `json:"node,omitempty"`
	Field   string `json:"field,omitempty"`
	Msg     string `json:"message"`
	Warning bool   `json:"warning,omitempty"`
}

// String formats p as "file:line: node "x": field: message", or
// "file:line: warning: node "x": field: message" for a warning, fit to
// print on a terminal (SafeText): a file's keys and names may hold any
// character.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(p.Line))
	}
	b.WriteString(": ")
	if p.Warning {
		b.WriteString("warning: ")
	}
	if p.Node != "" {
		b.WriteString("node ")
		b.WriteString(strconv.Quote(p.Node))
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return SafeText(b.String())
}

// ValidationError lists every problem found in a workflow file. Parse and
// Load return it for any file they reject. Warnings are what the file
// would have been warned about had it been accepted (Workflow.Warnings);
// Error does not include them.
type ValidationError struct {
	Problems []Problem `json:"problems"`
	Warnings []Problem `json:"warnings,omitempty"`
}

// Error lists every problem, one per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Load reads and parses the workflow file at path.
func Load(path string) (*Workflow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &ValidationError{Problems: []Problem{{File: path, Msg: openMsg(err)}}}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &ValidationError{Problems: []Problem{{File: path, Msg: "read: " + openMsg(err)}}}
	}
	if len(data) > MaxFileSize {
		return nil, &ValidationError{Problems: []Problem{{File: path, Msg: fmt.Sprintf("file is larger than %d MiB", MaxFileSize>>20)}}}
	}
	return Parse(path, data)
}

func openMsg(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse parses and validates a workflow file, in fogctl's format or the
// reference engine's plain DAG format, written as YAML or JSON. filename
// names the file in problems. Any rejection is a *ValidationError listing
// every problem found.
func Parse(filename string, data []byte) (*Workflow, error) {
	return parseWith(&parser{file: filename}, data)
}

// ParseOptions change how ParseWith reads a workflow.
type ParseOptions struct {
	// Recorded reads the copy of a workflow recorded with a run, which an
	// earlier fogctl may have accepted: it skips the checks added since
	// (commas in node names; labels, annotations and description that
	// are not strings), and reads bytes that are not UTF-8 as U+FFFD. A
	// recorded run stays showable and resumable.
	Recorded bool
	// NoFileDir says filename is not a regular file in a directory of
	// the user's but a pipe (`fogctl run <(...)`, `cat f | fogctl run
	// /dev/stdin`): exec nodes without dir: run in fogctl's working
	// directory, not in /dev or /dev/fd, and a relative dir: is relative
	// to the working directory. A filename under /dev/ or /proc/ is taken
	// so without it (a recorded run's, on --resume).
	NoFileDir bool
}

// ParseWith is Parse with options.
func ParseWith(filename string, data []byte, opts ParseOptions) (*Workflow, error) {
	if opts.Recorded && !utf8.Valid(data) {
		data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
	}
	return parseWith(&parser{file: filename, lenient: opts.Recorded, noFileDir: opts.NoFileDir}, data)
}

func parseWith(p *parser, data []byte) (*Workflow, error) {
	w := p.parse(data)
	p.validate(w)
	if len(p.probs) > 0 {
		return nil, p.err()
	}
	w.build()
	w.Warnings = p.warnings()
	return w, nil
}

type parser struct {
	file   string
	probs  []Problem
	warns  []Problem      // in file order
	warned map[string]int // key -> position in warns (one warning a key)
	// warnMore counts, per warning, the other nodes with the same key.
	warnMore []int
	budget   int
	// viaYAML reads JSON with the YAML decoder, as parse did before
	// jsonDoc; tests and benchmarks compare the two.
	viaYAML bool
	// lenient and noFileDir: ParseOptions.Recorded and NoFileDir.
	lenient, noFileDir bool
	// base is fileDir's result, worked out once per parse (filepath.Abs
	// of a relative path calls os.Getwd: two stats) when the first exec
	// node needs it.
	base             string
	baseOK, baseDone bool
	wd               string // workDir's
}

func (p *parser) err() *ValidationError {
	sort.SliceStable(p.probs, func(i, j int) bool { return p.probs[i].Line < p.probs[j].Line })
	if len(p.probs) > maxProblems {
		n := len(p.probs) - maxProblems
		p.probs = append(p.probs[:maxProblems:maxProblems], Problem{File: p.file, Msg: fmt.Sprintf("and %d more problems", n)})
	}
	return &ValidationError{Problems: p.probs, Warnings: p.warnings()}
}

func (p *parser) add(line int, node, field, format string, args ...any) {
	p.probs = append(p.probs, Problem{File: p.file, Line: line, Node: node, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// warn records a warning: reported, but the file is valid.
func (p *parser) warn(line int, node, field, format string, args ...any) {
	p.warns = append(p.warns, Problem{File: p.file, Line: line, Node: node, Field: field, Msg: fmt.Sprintf(format, args...), Warning: true})
	p.warnMore = append(p.warnMore, 0)
}

// yamlLineRE reads the line out of a yaml.v3 error. It is compiled on
// the first YAML error, not at start: every fogctl process would pay
// ~20 us and 93 allocations for it.
var yamlLineRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
})

func (p *parser) parse(data []byte) *Workflow {
	if !utf8.Valid(data) {
		line, col, b := firstInvalid(data)
		p.add(line, "", "", "file is not UTF-8 text: byte 0x%02x at column %d; save it as UTF-8", b, col)
		return nil
	}
	// A byte order mark, as some Windows editors write: YAML skips it,
	// JSON's syntax does not.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	var doc *yaml.Node
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		// JSON: jsonDoc reads it into the nodes the YAML decoder would
		// give. What it declines goes the old way: check the syntax with
		// the JSON parser so its errors carry a line, then read it as YAML
		// (tabs are whitespace in valid JSON but not in YAML; raw tabs
		// cannot occur inside JSON strings). jsonDoc accepts only valid
		// JSON, which jsonSyntax would pass.
		if !p.viaYAML {
			doc, _ = jsonDoc(data)
		}
		if doc == nil {
			if line, msg, ok := jsonSyntax(data); !ok {
				p.add(line, "", "", "invalid JSON: %s", msg)
				return nil
			}
			data = bytes.ReplaceAll(data, []byte{'\t'}, []byte{' '})
		}
	}
	if doc == nil {
		doc = new(yaml.Node)
		dec := yaml.NewDecoder(bytes.NewReader(data))
		err := dec.Decode(doc)
		if err == io.EOF {
			err = nil // empty file: reported below
		}
		if err == nil && !p.lenient { // fogctl read the first document once
			var next yaml.Node
			switch err2 := dec.Decode(&next); {
			case err2 == io.EOF:
			case err2 != nil:
				err = err2
			default:
				p.add(next.Line, "", "", "more than one YAML document (---): put one workflow in a file")
				return nil
			}
		}
		if err != nil {
			msg := err.Error()
			line := 0
			if m := yamlLineRE().FindStringSubmatch(msg); m != nil {
				line, _ = strconv.Atoi(m[1])
				msg = m[2]
				var dedent bool
				if tab := tabIndented(data, line, msg); tab > 0 {
					line, msg = tab, "a tab in the indentation: YAML indents with spaces only (replace the tabs with spaces)"
				} else if line, dedent = yamlline.ProblemLine(data, line, msg); dedent {
					msg += ": this line is indented to a level no enclosing block has"
				}
			} else {
				msg = strings.TrimPrefix(msg, "yaml: ")
			}
			p.add(line, "", "", "invalid YAML: %s", msg)
			return nil
		}
	}
	root := p.deref(doc)
	if root == nil || root.Kind == 0 || (root.Kind == yaml.ScalarNode && root.Tag == "!!null") {
		p.add(0, "", "", "file is empty: want apiVersion: %s, kind: %s and spec.nodes", APIVersion, KindWorkflow)
		return nil
	}
	if root.Kind != yaml.MappingNode {
		p.add(root.Line, "", "", "want a mapping with apiVersion: %s, kind: %s and spec.nodes, or a top-level nodes: list", APIVersion, KindWorkflow)
		return nil
	}
	has := func(key string) bool {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == key {
				return true
			}
		}
		return false
	}
	switch {
	case has("apiVersion") || has("kind") || has("spec"):
		return p.fogctl(root)
	case has("nodes"):
		return p.dag(root)
	}
	p.add(root.Line, "", "", "not a workflow: want apiVersion: %s and kind: %s, or a top-level nodes: list", APIVersion, KindWorkflow)
	return nil
}

// firstInvalid returns the line and column (in bytes, from 1) of the
// first byte of data that is not UTF-8, and the byte.
func firstInvalid(data []byte) (line, col int, b byte) {
	line, start := 1, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return line, i - start + 1, data[i]
		}
		if data[i] == '\n' {
			line, start = line+1, i+1
		}
		i += size
	}
	return line, len(data) - start + 1, 0
}

// tabIndented returns the line of the tab that a yaml.v3 error is about,
// or 0: yaml.v3 says "found character that cannot start any token" for a
// tab that starts a line's indentation (on that line) and "found a tab
// character that violates indentation" (on the line before).
func tabIndented(data []byte, reported int, msg string) int {
	if msg != "found character that cannot start any token" && msg != "found a tab character that violates indentation" {
		return 0
	}
	n := 0
	for rest := data; len(rest) > 0 && n <= reported; {
		var text []byte
		text, rest, _ = bytes.Cut(rest, []byte{'\n'})
		n++
		if n >= reported {
			indent := text[:len(text)-len(bytes.TrimLeft(text, " \t"))]
			if bytes.IndexByte(indent, '\t') >= 0 {
				return n
			}
		}
	}
	return 0
}

// jsonSyntax reports where data stops being valid JSON.
func jsonSyntax(data []byte) (line int, msg string, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var skip struct{}
	err := dec.Decode(&skip)
	if err == nil {
		// One value only.
		if _, err2 := dec.Token(); err2 != io.EOF {
			off := dec.InputOffset()
			return lineAt(data, off), "unexpected data after the top-level value", false
		}
		return 0, "", true
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return lineAt(data, se.Offset), se.Error(), false
	case errors.As(err, &te):
		// The value is valid JSON of another type: YAML reports it.
		return 0, "", true
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return lineAt(data, int64(len(data))), "unexpected end of JSON input", false
	}
	return 0, err.Error(), false
}

func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

// deref follows documents and aliases, counting every visit against the
// walk budget so alias bombs cannot make validation expensive.
func (p *parser) deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < 100; i++ {
		p.budget++
		switch n.Kind {
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		case yaml.AliasNode:
			n = n.Alias
		default:
			return n
		}
	}
	return nil
}

func (p *parser) overBudget(line int) bool {
	if p.budget > walkBudget {
		if len(p.probs) == 0 || p.probs[len(p.probs)-1].Msg != "file is too complex (too many YAML nodes or aliases)" {
			p.add(line, "", "", "file is too complex (too many YAML nodes or aliases)")
		}
		return true
	}
	return false
}

type pair struct {
	key string
	k   *yaml.Node
	v   *yaml.Node
}

// pairs returns the key/value pairs of mapping n, reporting duplicate and
// non-scalar keys. ok is false when n is not a mapping.
func (p *parser) pairs(n *yaml.Node, node, field string) ([]pair, bool) {
	n = p.deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		p.add(lineOf(n), node, field, "want a mapping, got %s", describe(n))
		return nil, false
	}
	out := make([]pair, 0, len(n.Content)/2)
	var seen map[string]int // first line of each key, for large mappings
	if len(n.Content) > 16 {
		seen = make(map[string]int, len(n.Content)/2)
	}
	firstLine := func(key string) (int, bool) {
		if seen != nil {
			l, ok := seen[key]
			return l, ok
		}
		for _, kv := range out {
			if kv.key == key {
				return kv.k.Line, true
			}
		}
		return 0, false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := p.deref(n.Content[i])
		if k == nil || k.Kind != yaml.ScalarNode {
			p.add(lineOf(n.Content[i]), node, field, "want a string key, got %s", describe(k))
			continue
		}
		if k.Value == "<<" && k.Tag == "!!merge" {
			p.add(k.Line, node, field, "YAML merge keys (<<) are not supported")
			continue
		}
		if first, dup := firstLine(k.Value); dup {
			p.add(k.Line, node, joinField(field, k.Value), "set twice (first at line %d)", first)
			continue
		}
		if seen != nil {
			seen[k.Value] = k.Line
		}
		out = append(out, pair{key: k.Value, k: k, v: n.Content[i+1]})
	}
	return out, true
}

func joinField(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func lineOf(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

func describe(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!str":
			return "string " + strconv.Quote(excerpt(n.Value, 40))
		case "!!int":
			return "number " + excerpt(n.Value, 40)
		case "!!float":
			return "number " + excerpt(n.Value, 40)
		case "!!bool":
			return "boolean " + n.Value
		case "!!timestamp":
			return "date " + excerpt(n.Value, 40)
		case "!!binary":
			return "binary data"
		}
		return strconv.Quote(excerpt(n.Value, 40))
	}
	return "an unexpected value"
}

// str reads a non-empty string scalar.
func (p *parser) str(n *yaml.Node, node, field string) (string, bool) {
	n = p.deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.add(lineOf(n), node, field, "want a string, got %s", describe(n))
		return "", false
	}
	if n.Value == "" {
		p.add(n.Line, node, field, "must not be empty")
		return "", false
	}
	return n.Value, true
}

func (p *parser) strList(n *yaml.Node, node, field string) ([]string, bool) {
	out, _, ok := p.strListLines(n, node, field)
	return out, ok
}

// strListLines reads a list of strings and the line of each.
func (p *parser) strListLines(n *yaml.Node, node, field string) ([]string, []int, bool) {
	n = p.deref(n)
	if n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil, true
	}
	if n == nil || n.Kind != yaml.SequenceNode {
		p.add(lineOf(n), node, field, "want a list of strings, got %s", describe(n))
		return nil, nil, false
	}
	out := make([]string, 0, len(n.Content))
	lines := make([]int, 0, len(n.Content))
	ok := true
	for i, c := range n.Content {
		if p.overBudget(c.Line) {
			return nil, nil, false
		}
		if c.Kind == yaml.ScalarNode && c.Tag != "!!null" && c.Value != "" {
			p.budget++ // what p.str's deref counts
			out = append(out, c.Value)
			lines = append(lines, c.Line)
			continue
		}
		s, good := p.str(c, node, field+"["+strconv.Itoa(i)+"]")
		if !good {
			ok = false
			continue
		}
		out = append(out, s)
		lines = append(lines, c.Line)
	}
	return out, lines, ok
}

func (p *parser) duration(n *yaml.Node, node, field string, allowZero bool) (time.Duration, bool) {
	n = p.deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		p.add(lineOf(n), node, field, "want a duration such as 5s or 250ms, got %s", describe(n))
		return 0, false
	}
	d, err := time.ParseDuration(n.Value)
	switch {
	case err != nil:
		p.add(n.Line, node, field, "invalid duration %q: want a duration such as 5s or 250ms", excerpt(n.Value, 40))
		return 0, false
	case d < 0 || (d == 0 && !allowZero):
		p.add(n.Line, node, field, "must be positive, got %s", n.Value)
		return 0, false
	case d > maxDuration:
		p.add(n.Line, node, field, "must be at most %s, got %s", maxDuration, n.Value)
		return 0, false
	}
	return d, true
}

func (p *parser) retries(n *yaml.Node, node, field string) (int, bool) {
	n = p.deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		p.add(lineOf(n), node, field, "want a whole number from 0 to %d, got %s", maxRetries, describe(n))
		return 0, false
	}
	var v int64
	if err := n.Decode(&v); err != nil || v < 0 || v > maxRetries {
		p.add(n.Line, node, field, "want a whole number from 0 to %d, got %s", maxRetries, excerpt(n.Value, 40))
		return 0, false
	}
	return int(v), true
}

func (p *parser) fogctl(root *yaml.Node) *Workflow {
	w := &Workflow{File: p.file, Format: FormatFogctl}
	pairs, _ := p.pairs(root, "", "")
	var spec *yaml.Node
	var sawAPI, sawKind bool
	for _, kv := range pairs {
		switch kv.key {
		case "apiVersion":
			sawAPI = true
			if s, ok := p.str(kv.v, "", "apiVersion"); ok && s != APIVersion {
				p.add(kv.v.Line, "", "apiVersion", "unsupported version %q: want %s", excerpt(s, 60), APIVersion)
			}
		case "kind":
			sawKind = true
			if s, ok := p.str(kv.v, "", "kind"); ok && s != KindWorkflow {
				p.add(kv.v.Line, "", "kind", "unsupported kind %q: want %s", excerpt(s, 60), KindWorkflow)
			}
		case "metadata":
			mp, _ := p.pairs(kv.v, "", "metadata")
			for _, m := range mp {
				switch m.key {
				case "name":
					if s, ok := p.str(m.v, "", "metadata.name"); ok {
						w.Name = s
					}
				case "description":
					if !p.lenient {
						p.str(m.v, "", "metadata.description")
					}
				case "labels", "annotations":
					if p.lenient {
						break
					}
					p.stringMap(m.v, "", "metadata."+m.key, func(k string) string {
						if k == "" {
							return "empty key"
						}
						return ""
					}, stringValue)
				default:
					p.unknown(m, "", "metadata", "name, description, labels, annotations")
				}
			}
		case "spec":
			spec = kv.v
		default:
			p.unknown(kv, "", "", "apiVersion, kind, metadata, spec")
		}
	}
	if !sawAPI {
		p.add(root.Line, "", "apiVersion", "missing: want apiVersion: %s", APIVersion)
	}
	if !sawKind {
		p.add(root.Line, "", "kind", "missing: want kind: %s", KindWorkflow)
	}
	if w.Name == "" {
		w.Name = baseName(p.file)
	}
	if spec == nil {
		p.add(root.Line, "", "spec", "missing: want spec.nodes, a list of nodes")
		return w
	}
	sp, _ := p.pairs(spec, "", "spec")
	var nodes *yaml.Node
	for _, kv := range sp {
		switch kv.key {
		case "defaults":
			dp, _ := p.pairs(kv.v, "", "spec.defaults")
			for _, d := range dp {
				switch d.key {
				case "timeout":
					w.Defaults.Timeout, _ = p.duration(d.v, "", "spec.defaults.timeout", false)
				case "retries":
					w.Defaults.Retries, _ = p.retries(d.v, "", "spec.defaults.retries")
				case "backoff":
					w.Defaults.Backoff, _ = p.duration(d.v, "", "spec.defaults.backoff", true)
				default:
					p.unknown(d, "", "spec.defaults", "timeout, retries, backoff")
				}
			}
		case "nodes":
			nodes = kv.v
		default:
			p.unknown(kv, "", "spec", "defaults, nodes")
		}
	}
	if nodes == nil {
		p.add(spec.Line, "", "spec.nodes", "missing: want a list of nodes")
		return w
	}
	p.nodeList(w, nodes, "spec.nodes", p.fogctlNode)
	return w
}

func (p *parser) dag(root *yaml.Node) *Workflow {
	w := &Workflow{File: p.file, Format: FormatDAG, Name: baseName(p.file)}
	pairs, _ := p.pairs(root, "", "")
	for _, kv := range pairs {
		switch kv.key {
		case "nodes":
			p.nodeList(w, kv.v, "nodes", p.dagNode)
		case "name":
			if s, ok := p.str(kv.v, "", "name"); ok {
				w.Name = s
			}
		default:
			// Ignored, as the reference engine ignores it, so its files
			// run unchanged; but a typo must not pass unnoticed.
			p.ignored(kv, "", "top-level key", dagTopKeys)
		}
	}
	return w
}

// The keys of a plain DAG file and of its nodes.
var (
	dagTopKeys  = []string{"nodes", "name"}
	dagNodeKeys = []string{"name", "action", "url", "dependencies"}
)

// ignored warns, once per key, that a plain DAG file's key is ignored,
// naming the known key it is probably a misspelling of.
func (p *parser) ignored(kv pair, node, where string, known []string) {
	if i, ok := p.warned[where+"\x00"+kv.key]; ok {
		p.warnMore[i]++
		return
	}
	msg := "unknown " + where + " ignored (the reference engine ignores it too)"
	if guess := nearest(kv.key, known); guess != "" {
		msg += "; did you mean " + strconv.Quote(guess) + "?"
	} else {
		msg += "; known: " + strings.Join(known, ", ")
	}
	if p.warned == nil {
		p.warned = map[string]int{}
	}
	p.warned[where+"\x00"+kv.key] = len(p.warns)
	p.warns = append(p.warns, Problem{File: p.file, Line: kv.k.Line, Node: node, Field: excerpt(kv.key, 60), Msg: msg, Warning: true})
	p.warnMore = append(p.warnMore, 0)
}

// warnings returns the warnings, each saying how many more nodes had the
// same key.
func (p *parser) warnings() []Problem {
	for i, n := range p.warnMore {
		if n > 0 {
			p.warns[i].Msg += fmt.Sprintf(" (and in %d more %s)", n, plural(n, "node"))
		}
	}
	p.warnMore = nil
	return p.warns
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// nearest returns the known key that s is probably a misspelling of
// (another case, or a few letters left out, added, changed or swapped),
// or "".
func nearest(s string, known []string) string {
	if len(s) > 40 {
		return ""
	}
	ls := strings.ToLower(s)
	best, bestD := "", 0
	for _, k := range known {
		limit := 1
		switch {
		case len(k) >= 10:
			limit = 3
		case len(k) >= 5:
			limit = 2
		}
		if d := editDistance(ls, k); d <= limit && (best == "" || d < bestD) {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance of a and b: the
// insertions, deletions, substitutions and swaps of neighbouring bytes
// that turn one into the other.
func editDistance(a, b string) int {
	rows := make([][]int, len(a)+1)
	for i := range rows {
		rows[i] = make([]int, len(b)+1)
		rows[i][0] = i
	}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(rows[i-1][j]+1, rows[i][j-1]+1, rows[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, rows[i-2][j-2]+1)
			}
			rows[i][j] = d
		}
	}
	return rows[len(a)][len(b)]
}

func (p *parser) nodeList(w *Workflow, n *yaml.Node, field string, one func(w *Workflow, item *yaml.Node, field string) *Node) {
	n = p.deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		p.add(lineOf(n), "", field, "want a list of nodes, got %s", describe(n))
		return
	}
	if len(n.Content) == 0 {
		p.add(n.Line, "", field, "the workflow has no nodes")
		return
	}
	w.Nodes = make([]*Node, 0, len(n.Content))
	for i, item := range n.Content {
		if p.overBudget(item.Line) {
			return
		}
		if nd := one(w, item, field+"["+strconv.Itoa(i)+"]"); nd != nil {
			w.Nodes = append(w.Nodes, nd)
		}
	}
}

func (p *parser) unknown(kv pair, node, parent, known string) {
	p.add(kv.k.Line, node, joinField(parent, kv.key), "unknown field (known: %s)", known)
}

// nodeName finds and checks the name of a node mapping first, so every
// other problem of the node can name it.
func (p *parser) nodeName(pairs []pair, line int, field string) (string, bool) {
	for _, kv := range pairs {
		if kv.key == "name" {
			s, ok := p.str(kv.v, "", field+".name")
			if !ok {
				return "", false
			}
			if msg := checkName(s, p.lenient); msg != "" {
				p.add(kv.v.Line, excerpt(s, 60), "name", "%s", msg)
				return "", false
			}
			return s, true
		}
	}
	p.add(line, "", field, "missing name")
	return "", false
}

// checkName says what is wrong with a node name, or "". recorded skips
// the comma check, which fogctl did not always make (ParseOptions.Recorded).
func checkName(s string, recorded bool) string {
	if len(s) > maxNameLen {
		return fmt.Sprintf("name is longer than %d characters", maxNameLen)
	}
	if strings.TrimSpace(s) != s {
		return "name must not start or end with white space"
	}
	if !recorded && strings.IndexByte(s, ',') >= 0 {
		return "name must not contain a comma: --rerun a,b and the text graph separate names with commas"
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return "name must not contain control characters"
		}
	}
	return ""
}

var nodeFields = "name, kind, dependencies, timeout, retries, backoff, when, method, url, headers, argv, env, dir, description"

func (p *parser) fogctlNode(w *Workflow, item *yaml.Node, field string) *Node {
	pairs, ok := p.pairs(item, "", field)
	if !ok {
		return nil
	}
	line := p.deref(item).Line
	name, nameOK := p.nodeName(pairs, line, field)
	nd := &Node{Name: name, Line: line, Retries: w.Defaults.Retries, Backoff: w.Defaults.Backoff}
	if nd.Backoff == 0 {
		nd.Backoff = DefaultBackoff
	}
	var kindLine int
	set := map[string]*yaml.Node{}
	for _, kv := range pairs {
		switch kv.key {
		case "name", "description":
		case "kind":
			kindLine = kv.v.Line
			nd.Kind, _ = p.str(kv.v, name, "kind")
		case "dependencies":
			nd.Dependencies, nd.depLines, _ = p.strListLines(kv.v, name, "dependencies")
		case "timeout":
			set[kv.key] = kv.v
			nd.Timeout, _ = p.duration(kv.v, name, "timeout", false)
		case "retries":
			set[kv.key] = kv.v
			nd.Retries, _ = p.retries(kv.v, name, "retries")
		case "backoff":
			set[kv.key] = kv.v
			nd.Backoff, _ = p.duration(kv.v, name, "backoff", true)
		case "when":
			if s, ok := p.str(kv.v, name, "when"); ok {
				if s != WhenAlways {
					p.add(kv.v.Line, name, "when", "unknown value %q: want %q or leave it out", excerpt(s, 40), WhenAlways)
				}
				nd.When = s
			}
		case "method", "url", "headers", "argv", "env", "dir":
			set[kv.key] = kv.v
		default:
			p.unknown(kv, name, "", nodeFields)
		}
	}
	switch nd.Kind {
	case KindHTTP:
		nd.HTTP = &HTTPAction{Method: "POST"}
		if v, ok := set["method"]; ok {
			if s, ok := p.str(v, name, "method"); ok {
				nd.HTTP.Method, _ = p.method(s, v.Line, name, "method")
			}
		}
		if v, ok := set["url"]; ok {
			if s, ok := p.str(v, name, "url"); ok {
				nd.HTTP.URL, _ = p.url(s, v.Line, name, "url")
			}
		} else {
			p.add(line, name, "url", "missing: an http node needs a url")
		}
		if v, ok := set["headers"]; ok {
			nd.HTTP.Headers = p.headers(v, name)
		}
		for _, f := range []string{"argv", "env", "dir"} {
			if v, ok := set[f]; ok {
				p.add(v.Line, name, f, "not used by kind http (%s is for kind exec)", f)
			}
		}
	case KindExec:
		nd.Exec = &ExecAction{}
		if v, ok := set["argv"]; ok {
			nd.Exec.Argv, _ = p.strList(v, name, "argv")
			if len(nd.Exec.Argv) == 0 {
				p.add(v.Line, name, "argv", "must name a program: argv: [program, arg...]")
			}
		} else {
			p.add(line, name, "argv", "missing: an exec node needs argv: [program, arg...]")
		}
		if v, ok := set["env"]; ok {
			nd.Exec.Env = p.env(v, name)
		}
		if v, ok := set["dir"]; ok {
			if d, ok := p.str(v, name, "dir"); ok {
				nd.Exec.Dir, nd.Exec.written = p.dir(d), d
			}
		} else if base, ok := p.fileDir(); ok {
			// The file's own directory, as docker compose resolves paths
			// against the compose file: argv: [python3, clean.py] runs
			// the clean.py beside the file from cron ($HOME) too. A file
			// read from a pipe has none: fogctl's own ("").
			nd.Exec.Dir, nd.Exec.fileDir = base, true
		}
		for _, f := range []string{"method", "url", "headers"} {
			if v, ok := set[f]; ok {
				p.add(v.Line, name, f, "not used by kind exec (%s is for kind http)", f)
			}
		}
	case KindNoop:
		for _, f := range []string{"method", "url", "headers", "argv", "env", "dir"} {
			if v, ok := set[f]; ok {
				p.add(v.Line, name, f, "not used by kind noop")
			}
		}
		// Every node has a timeout and retries (the format's promise), so
		// a noop takes them, but they do nothing: it runs nothing, in
		// one attempt ("1/1"), whatever they or spec.defaults say.
		for _, f := range []string{"retries", "timeout", "backoff"} {
			if v, ok := set[f]; ok {
				p.warn(v.Line, name, f, "has no effect on kind noop: a noop node runs nothing, in one attempt")
			}
		}
		nd.Retries = 0
	case "":
		if kindLine == 0 {
			p.add(line, name, "kind", "missing: want one of http, exec, noop")
		}
	default:
		p.add(kindLine, name, "kind", "unknown kind %q: want one of http, exec, noop", excerpt(nd.Kind, 40))
	}
	if !nameOK {
		return nil
	}
	return nd
}

func (p *parser) dagNode(w *Workflow, item *yaml.Node, field string) *Node {
	pairs, ok := p.pairs(item, "", field)
	if !ok {
		return nil
	}
	line := p.deref(item).Line
	name, nameOK := p.nodeName(pairs, line, field)
	nd := &Node{Name: name, Kind: KindHTTP, Line: line, Backoff: DefaultBackoff, HTTP: &HTTPAction{}}
	var sawAction, sawURL bool
	for _, kv := range pairs {
		switch kv.key {
		case "action":
			sawAction = true
			if s, ok := p.str(kv.v, name, "action"); ok {
				nd.HTTP.Method, _ = p.method(s, kv.v.Line, name, "action")
			}
		case "url":
			sawURL = true
			if s, ok := p.str(kv.v, name, "url"); ok {
				nd.HTTP.URL, _ = p.url(s, kv.v.Line, name, "url")
			}
		case "dependencies":
			nd.Dependencies, nd.depLines, _ = p.strListLines(kv.v, name, "dependencies")
		case "name":
		default:
			p.ignored(kv, name, "node key", dagNodeKeys)
		}
	}
	if !sawAction {
		p.add(line, name, "action", "missing: want an HTTP method such as GET or POST")
	}
	if !sawURL {
		p.add(line, name, "url", "missing: want the URL to call")
	}
	if !nameOK {
		return nil
	}
	return nd
}

var methods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true}

func (p *parser) method(s string, line int, node, field string) (string, bool) {
	m := strings.ToUpper(s)
	if !methods[m] {
		p.add(line, node, field, "unknown HTTP method %q: want GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS", excerpt(s, 40))
		return "", false
	}
	return m, true
}

func (p *parser) url(s string, line int, node, field string) (string, bool) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		p.add(line, node, field, "invalid URL %q", excerpt(s, 80))
	case u.Scheme != "http" && u.Scheme != "https":
		p.add(line, node, field, "URL %q must start with http:// or https://", excerpt(s, 80))
	case u.Host == "":
		p.add(line, node, field, "URL %q has no host", excerpt(s, 80))
	default:
		return s, true
	}
	return "", false
}

func (p *parser) headers(n *yaml.Node, node string) map[string]string {
	return p.stringMap(n, node, "headers", func(k string) string {
		if !validHeaderName(k) {
			return "invalid header name"
		}
		return ""
	}, func(v *yaml.Node) string {
		if v == nil || v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return fmt.Sprintf("want a string, got %s", describe(v))
		}
		if strings.ContainsAny(v.Value, "\r\n\x00") {
			return "header value must be one line"
		}
		return ""
	})
}

// env reads an exec node's environment: names to values, both strings.
// A name is what a shell can export: letters, digits and _, not first a
// digit; a value is any string without NUL.
func (p *parser) env(n *yaml.Node, node string) map[string]string {
	return p.stringMap(n, node, "env", func(k string) string {
		if !validEnvName(k) {
			return "invalid variable name: use letters, digits and _, not starting with a digit"
		}
		return ""
	}, stringValue)
}

// stringValue checks a value that must be a string (env, labels,
// annotations).
func stringValue(v *yaml.Node) string {
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
		// As Kubernetes does: 5, on, 0755 and 1e3 mean what YAML makes of
		// them, which is rarely what a variable or a label wants.
		return fmt.Sprintf("want a string, got %s (quote it)", describe(v))
	}
	if strings.ContainsRune(v.Value, 0) {
		return "value must not contain NUL"
	}
	return ""
}

// stringMap reads a mapping of names to strings (headers, env). badKey
// and badValue say what is wrong with a key or a value, "" for nothing;
// each problem names field.key and its line.
func (p *parser) stringMap(n *yaml.Node, node, field string, badKey func(string) string, badValue func(*yaml.Node) string) map[string]string {
	pairs, ok := p.pairs(n, node, field)
	if !ok {
		return nil
	}
	m := make(map[string]string, len(pairs))
	for _, kv := range pairs {
		f := field + "." + kv.key
		if msg := badKey(kv.key); msg != "" {
			p.add(kv.k.Line, node, f, "%s", msg)
			continue
		}
		v := p.deref(kv.v)
		if msg := badValue(v); msg != "" {
			p.add(lineOf(v), node, f, "%s", msg)
			continue
		}
		m[kv.key] = v.Value
	}
	return m
}

func validEnvName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// dir resolves an exec node's working directory: a relative one is
// relative to the directory that holds the workflow file, wherever fogctl
// runs from (cron's working directory is $HOME); "." is that directory.
// A file read from a pipe has no directory of its own: a relative dir
// is relative to fogctl's working directory.
func (p *parser) dir(d string) string {
	if filepath.IsAbs(d) {
		return filepath.Clean(d)
	}
	base, ok := p.fileDir()
	if !ok {
		base = p.workDir()
	}
	return filepath.Join(base, d)
}

// workDir is fogctl's working directory, absolute ("." if unknown),
// asked once per parse.
func (p *parser) workDir() string {
	if p.wd == "" {
		p.wd = "."
		if wd, err := os.Getwd(); err == nil {
			p.wd = wd
		}
	}
	return p.wd
}

// fileDir returns the absolute directory of the workflow file, false for
// a file that is not one in a directory (ParseOptions.NoFileDir, or a
// path under /dev/ or /proc/: /dev/stdin, /dev/fd/63, /proc/self/fd/0).
func (p *parser) fileDir() (string, bool) {
	if !p.baseDone {
		p.baseDone = true
		file := p.file
		if abs, err := filepath.Abs(file); err == nil {
			file = abs
		}
		if !p.noFileDir && !pseudoFile(file) {
			p.base, p.baseOK = filepath.Dir(file), true
		}
	}
	return p.base, p.baseOK
}

// pseudoFile reports whether the absolute path file names a file of the
// kernel's (a descriptor, a process's file), not one in a directory.
func pseudoFile(file string) bool {
	file = filepath.ToSlash(file)
	return strings.HasPrefix(file, "/dev/") || strings.HasPrefix(file, "/proc/")
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

func baseName(file string) string {
	b := filepath.Base(file)
	if ext := filepath.Ext(b); ext != "" && ext != b {
		b = strings.TrimSuffix(b, ext)
	}
	if b == "." || b == string(filepath.Separator) || b == "" {
		return "workflow"
	}
	return b
}

// excerpt shortens s to at most n bytes on a rune boundary, marking the cut.
func excerpt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
