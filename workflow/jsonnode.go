package workflow

import (
	"strconv"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Limits past which jsonDoc leaves a file to the YAML decoder.
const (
	maxJSONDepth = 1000 // nested objects and arrays (yaml.v3 allows 10000)
	maxKeySpan   = 1000 // bytes from a key's opening quote to its ':' (YAML: 1024 characters)
)

// jsonDoc reads data, a JSON text, straight into the yaml.Node document
// that go.yaml.in/yaml/v3 decodes from the same bytes (tabs turned into
// spaces, as parse does before decoding JSON as YAML): the same Kind,
// Tag, Value, Style, Line and Column for every node, a DocumentNode
// holding the root. It accepts only text that encoding/json accepts as
// one valid value, and reports false, leaving the file to the YAML path,
// for anything else and for valid JSON that YAML reads differently or
// rejects: the escape \/ and \u escapes of UTF-16 surrogates (yaml.v3
// rejects both), characters YAML counts as control characters or line
// breaks (U+007F-U+009F, U+2028, U+2029) and U+FEFF, a key whose ':'
// is on another line or more than maxKeySpan bytes on, and nesting
// deeper than maxJSONDepth.
func jsonDoc(data []byte) (*yaml.Node, bool) {
	s := &jsonScanner{data: data, str: string(data), line: 1, ascii: true}
	// About one node per 9 bytes in a typical workflow file.
	s.nodes = make([]yaml.Node, 0, len(data)/9+8)
	s.ptrs = make([]*yaml.Node, 0, len(data)/9+8)
	s.skipSpace()
	if c := s.peek(); c != '{' && c != '[' {
		return nil, false // parse takes this path for objects and arrays only
	}
	doc := s.node()
	doc.Kind = yaml.DocumentNode
	doc.Line, doc.Column = s.line, s.column()
	root, ok := s.value(0)
	if !ok {
		return nil, false
	}
	s.skipSpace()
	if s.pos != len(data) {
		return nil, false
	}
	doc.Content = []*yaml.Node{root}
	return doc, true
}

// jsonScanner reads one JSON text into yaml.Nodes.
type jsonScanner struct {
	data []byte
	str  string // data as a string: values without escapes are slices of it
	pos  int

	line      int  // line of pos, from 1, counting breaks as YAML does
	lineStart int  // offset where line starts
	ascii     bool // no multi-byte character on the line before pos
	colPos    int  // when !ascii: column is colRunes + runes from colPos
	colRunes  int

	nodes []yaml.Node  // allocated in chunks
	ptrs  []*yaml.Node // Content slices are cut from these chunks
	stack []*yaml.Node // children of the open objects and arrays
	count int          // nodes made
	buf   []byte       // unescaping
}

func (s *jsonScanner) node() *yaml.Node {
	if len(s.nodes) == cap(s.nodes) {
		s.nodes = make([]yaml.Node, 0, s.more())
	}
	s.nodes = s.nodes[:len(s.nodes)+1]
	s.count++
	return &s.nodes[len(s.nodes)-1]
}

// more guesses how many more nodes the rest of the file holds, from the
// bytes per node so far.
func (s *jsonScanner) more() int {
	return (len(s.data)-s.pos)*s.count/(s.pos+1) + 64
}

// content moves the children stacked since base into their own slice.
func (s *jsonScanner) content(base int) []*yaml.Node {
	n := len(s.stack) - base
	if n == 0 {
		return nil
	}
	if cap(s.ptrs)-len(s.ptrs) < n {
		s.ptrs = make([]*yaml.Node, 0, max(n, s.more()))
	}
	off := len(s.ptrs)
	s.ptrs = append(s.ptrs, s.stack[base:]...)
	s.stack = s.stack[:base] // what it held stays reachable from the tree anyway
	return s.ptrs[off : off+n : off+n]
}

// column is YAML's column of pos: characters since the line start, from 1.
func (s *jsonScanner) column() int {
	if s.ascii {
		return s.pos - s.lineStart + 1
	}
	s.colRunes += utf8.RuneCount(s.data[s.colPos:s.pos])
	s.colPos = s.pos
	return s.colRunes + 1
}

func (s *jsonScanner) newline(next int) {
	s.pos = next
	s.line++
	s.lineStart = next
	s.ascii = true
	s.colPos, s.colRunes = next, 0
}

// skipSpace skips JSON white space. YAML counts "\r\n", a lone "\r" and
// "\n" as one line break each.
func (s *jsonScanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t':
			s.pos++
		case '\n':
			s.newline(s.pos + 1)
		case '\r':
			if s.pos+1 < len(s.data) && s.data[s.pos+1] == '\n' {
				s.newline(s.pos + 2)
			} else {
				s.newline(s.pos + 1)
			}
		default:
			return
		}
	}
}

func (s *jsonScanner) peek() byte {
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

// value reads the value at pos, which follows any white space.
func (s *jsonScanner) value(depth int) (*yaml.Node, bool) {
	if s.pos >= len(s.data) {
		return nil, false
	}
	n := s.node()
	n.Line, n.Column = s.line, s.column()
	switch c := s.data[s.pos]; {
	case c == '{':
		return n, s.object(n, depth)
	case c == '[':
		return n, s.array(n, depth)
	case c == '"':
		return n, s.string(n)
	case c == '-' || ('0' <= c && c <= '9'):
		return n, s.number(n)
	case c == 't':
		return n, s.literal(n, "true", boolTag)
	case c == 'f':
		return n, s.literal(n, "false", boolTag)
	case c == 'n':
		return n, s.literal(n, "null", nullTag)
	}
	return nil, false
}

const (
	boolTag  = "!!bool"
	nullTag  = "!!null"
	strTag   = "!!str"
	intTag   = "!!int"
	floatTag = "!!float"
)

func (s *jsonScanner) object(n *yaml.Node, depth int) bool {
	if depth >= maxJSONDepth {
		return false
	}
	n.Kind, n.Tag, n.Style = yaml.MappingNode, "!!map", yaml.FlowStyle
	s.pos++
	base := len(s.stack)
	s.skipSpace()
	if s.peek() == '}' {
		s.pos++
		return true
	}
	for {
		if s.peek() != '"' {
			return false
		}
		k := s.node()
		k.Line, k.Column = s.line, s.column()
		start := s.pos
		if !s.string(k) {
			return false
		}
		s.skipSpace()
		if s.line != k.Line || s.pos-start > maxKeySpan || s.peek() != ':' {
			return false
		}
		s.pos++
		s.skipSpace()
		v, ok := s.value(depth + 1)
		if !ok {
			return false
		}
		s.stack = append(s.stack, k, v)
		s.skipSpace()
		switch s.peek() {
		case ',':
			s.pos++
			s.skipSpace()
		case '}':
			s.pos++
			n.Content = s.content(base)
			return true
		default:
			return false
		}
	}
}

func (s *jsonScanner) array(n *yaml.Node, depth int) bool {
	if depth >= maxJSONDepth {
		return false
	}
	n.Kind, n.Tag, n.Style = yaml.SequenceNode, "!!seq", yaml.FlowStyle
	s.pos++
	base := len(s.stack)
	s.skipSpace()
	if s.peek() == ']' {
		s.pos++
		return true
	}
	for {
		v, ok := s.value(depth + 1)
		if !ok {
			return false
		}
		s.stack = append(s.stack, v)
		s.skipSpace()
		switch s.peek() {
		case ',':
			s.pos++
			s.skipSpace()
		case ']':
			s.pos++
			n.Content = s.content(base)
			return true
		default:
			return false
		}
	}
}

func (s *jsonScanner) literal(n *yaml.Node, word, tag string) bool {
	end := s.pos + len(word)
	if end > len(s.data) || s.str[s.pos:end] != word {
		return false
	}
	n.Kind, n.Tag, n.Value = yaml.ScalarNode, tag, word
	s.pos = end
	return true
}

// strPlain marks the bytes a string's fast path copies as they are: not
// '"', '\\', control characters, DEL or the start of a multi-byte
// character.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// string reads the string at pos (its opening quote).
func (s *jsonScanner) string(n *yaml.Node) bool {
	n.Kind, n.Tag, n.Style = yaml.ScalarNode, strTag, yaml.DoubleQuotedStyle
	start := s.pos + 1
	i := start
	for i < len(s.data) && strPlain[s.data[i]] {
		i++
	}
	if i < len(s.data) && s.data[i] == '"' {
		n.Value = s.str[start:i]
		s.pos = i + 1
		return true
	}
	// Escapes or multi-byte characters: the slow path.
	s.buf = append(s.buf[:0], s.data[start:i]...)
	escaped := false
	for i < len(s.data) {
		c := s.data[i]
		switch {
		case c == '"':
			if escaped {
				n.Value = string(s.buf)
			} else {
				n.Value = s.str[start:i]
			}
			s.pos = i + 1
			return true
		case c == '\\':
			if i+1 >= len(s.data) {
				return false
			}
			escaped = true
			switch s.data[i+1] {
			case '"', '\\':
				s.buf = append(s.buf, s.data[i+1])
			case 'b':
				s.buf = append(s.buf, '\b')
			case 'f':
				s.buf = append(s.buf, '\f')
			case 'n':
				s.buf = append(s.buf, '\n')
			case 'r':
				s.buf = append(s.buf, '\r')
			case 't':
				s.buf = append(s.buf, '\t')
			case 'u':
				r, ok := hex4(s.data[i+2:])
				if !ok || (0xd800 <= r && r <= 0xdfff) {
					return false // yaml.v3 rejects surrogates, even in pairs
				}
				s.buf = utf8.AppendRune(s.buf, r)
				i += 4
			default:
				return false // \/ is JSON but not YAML; others are neither
			}
			i += 2
		case c < 0x80:
			if !strPlain[c] {
				return false // control character or DEL
			}
			s.buf = append(s.buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(s.data[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				return false
			case r < 0xa0, r == 0x2028, r == 0x2029, r == 0xfeff, r == 0xfffe, r == 0xffff:
				// YAML: control characters, line breaks (U+0085 too),
				// a byte order mark.
				return false
			}
			s.ascii = false
			s.buf = append(s.buf, s.data[i:i+size]...)
			i += size
		}
	}
	return false
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number reads a JSON number and tags it as yaml.v3 resolves a plain
// scalar: !!int when strconv parses it as an int64 or uint64, else
// !!float when it parses as a float64 (which every JSON number that is
// not an int does unless it is out of range), else !!str.
func (s *jsonScanner) number(n *yaml.Node) bool {
	d := s.data
	i := s.pos
	if d[i] == '-' {
		i++
	}
	digits := i
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	default:
		return false
	}
	whole := i - digits
	isInt := true
	if i < len(d) && d[i] == '.' {
		isInt = false
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return false
		}
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		isInt = false
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return false
		}
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	}
	v := s.str[s.pos:i]
	n.Kind, n.Value = yaml.ScalarNode, v
	switch {
	case isInt && whole <= 18: // fits an int64
		n.Tag = intTag
	default:
		n.Tag = resolveNumber(v)
	}
	s.pos = i
	return true
}

// resolveNumber is yaml.v3's resolve for a plain scalar that is a JSON
// number (no '_', no 0b/0o/0x prefix, no leading zeros, never a
// timestamp).
func resolveNumber(v string) string {
	if _, err := strconv.ParseInt(v, 0, 64); err == nil {
		return intTag
	}
	if _, err := strconv.ParseUint(v, 0, 64); err == nil {
		return intTag
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return floatTag
	}
	return strTag
}
