package cluster

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Edits change a file in two ways at once: the yaml.Node tree (the truth
// of what the file must mean afterwards) and a list of byte patches on the
// original text, so that everything outside what changed keeps its bytes.
// render applies the patches and checks that the result means exactly what
// the tree means; when a patch cannot be made (flow style, block scalars,
// anchors) or the check fails, the file is re-encoded from the tree, which
// keeps comments and order but not necessarily every byte of layout.

// patch replaces data[start:end] of a file with text.
type patch struct {
	start, end int
	text       string
}

// offset returns the byte offset of a 1-based line and rune column.
func (f *kfile) offset(line, col int) (int, bool) {
	if line < 1 || col < 1 {
		return 0, false
	}
	p := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(f.data[p:], '\n')
		if i < 0 {
			return 0, false
		}
		p += i + 1
	}
	for c := 1; c < col; c++ {
		if p >= len(f.data) || f.data[p] == '\n' {
			return 0, false
		}
		_, w := utf8.DecodeRune(f.data[p:])
		p += w
	}
	return p, true
}

// lineStart returns the offset of the start of the line holding p.
func (f *kfile) lineStart(p int) int {
	return bytes.LastIndexByte(f.data[:p], '\n') + 1
}

// nextLine returns the offset just past the end of the line holding p (its
// newline included), or len(data) on the last line without a newline.
func (f *kfile) nextLine(p int) int {
	i := bytes.IndexByte(f.data[p:], '\n')
	if i < 0 {
		return len(f.data)
	}
	return p + i + 1
}

// scalarSpan returns where a scalar's text starts and ends, checking that
// the text reads back as the node's value.
func (f *kfile) scalarSpan(n *yaml.Node) (int, int, bool) {
	if n.Kind != yaml.ScalarNode || n.Anchor != "" || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return 0, 0, false
	}
	s, ok := f.offset(n.Line, n.Column)
	if !ok || s >= len(f.data) {
		return 0, 0, false
	}
	d := f.data
	e := -1
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		if d[s] != '"' {
			return 0, 0, false
		}
		for i := s + 1; i < len(d); i++ {
			if d[i] == '\\' {
				i++
				continue
			}
			if d[i] == '"' {
				e = i + 1
				break
			}
		}
	case n.Style&yaml.SingleQuotedStyle != 0:
		if d[s] != '\'' {
			return 0, 0, false
		}
		for i := s + 1; i < len(d); i++ {
			if d[i] == '\'' {
				if i+1 < len(d) && d[i+1] == '\'' {
					i++
					continue
				}
				e = i + 1
				break
			}
		}
	default:
		end := f.nextLine(s)
		line := string(d[s:end])
		line = strings.TrimRight(line, "\r\n")
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		if i := strings.Index(line, "\t#"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimRight(line, " \t")
		if line != n.Value {
			// A plain key is followed by ": " on its line.
			if strings.HasPrefix(line, n.Value) && strings.HasPrefix(strings.TrimLeft(line[len(n.Value):], " "), ":") {
				return s, s + len(n.Value), true
			}
			return 0, 0, false
		}
		return s, s + len(line), true
	}
	if e < 0 {
		return 0, 0, false
	}
	var v string
	if err := yaml.Unmarshal(d[s:e], &v); err != nil || v != n.Value {
		return 0, 0, false
	}
	return s, e, true
}

// nodeEnd returns the offset just past a block node's last character.
func (f *kfile) nodeEnd(n *yaml.Node) (int, bool) {
	switch n.Kind {
	case yaml.ScalarNode:
		if isNull(n) && n.Value == "" {
			return 0, false
		}
		_, e, ok := f.scalarSpan(n)
		return e, ok
	case yaml.MappingNode, yaml.SequenceNode:
		if n.Anchor != "" {
			return 0, false
		}
		if n.Style&yaml.FlowStyle != 0 {
			return f.flowEnd(n)
		}
		if len(n.Content) == 0 {
			return 0, false
		}
		return f.nodeEnd(n.Content[len(n.Content)-1])
	}
	return 0, false
}

// flowEnd returns the offset just past the closing bracket of a flow
// mapping or sequence.
func (f *kfile) flowEnd(n *yaml.Node) (int, bool) {
	s, ok := f.offset(n.Line, n.Column)
	if !ok || s >= len(f.data) || (f.data[s] != '{' && f.data[s] != '[') {
		return 0, false
	}
	d := f.data
	depth := 0
	for i := s; i < len(d); i++ {
		switch d[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		case '"':
			for i++; i < len(d) && d[i] != '"'; i++ {
				if d[i] == '\\' {
					i++
				}
			}
		case '\'':
			for i++; i < len(d); i++ {
				if d[i] == '\'' {
					if i+1 < len(d) && d[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		case '#':
			if i > 0 && (d[i-1] == ' ' || d[i-1] == '\t') {
				for i < len(d) && d[i] != '\n' {
					i++
				}
			}
		}
	}
	return 0, false
}

// itemStart returns the offset of the line holding the dash of a block
// sequence item.
func (f *kfile) itemStart(item *yaml.Node) (int, int, bool) {
	s, ok := f.offset(item.Line, item.Column)
	if !ok {
		return 0, 0, false
	}
	i := s - 1
	for i >= 0 && (f.data[i] == ' ' || f.data[i] == '\t' || f.data[i] == '\n' || f.data[i] == '\r') {
		i--
	}
	if i < 0 || f.data[i] != '-' {
		return 0, 0, false
	}
	ls := f.lineStart(i)
	if strings.TrimLeft(string(f.data[ls:i]), " ") != "" {
		return 0, 0, false
	}
	return ls, i - ls, true
}

// colonAfter returns the offset just past the ':' that follows key.
func (f *kfile) colonAfter(key *yaml.Node) (int, bool) {
	_, e, ok := f.scalarSpan(key)
	if !ok {
		return 0, false
	}
	for i := e; i < len(f.data); i++ {
		switch f.data[i] {
		case ' ', '\t':
			continue
		case ':':
			return i + 1, true
		}
		return 0, false
	}
	return 0, false
}

func (f *kfile) add(p patch) { f.patches = append(f.patches, p) }

// own returns the value of key in mapping m made safe to edit: an alias
// (key: *x) is replaced by a copy of what it names, and aliases elsewhere
// in the file of anchors in the value (key: &x) by copies, so an edit
// changes this entry alone, as kubectl, which writes aliases out expanded,
// would. Either way the file is re-encoded. nil when key is missing.
func (f *kfile) own(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	f.expandMerges(m)
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			continue
		}
		v := m.Content[i+1]
		if v.Kind == yaml.AliasNode {
			c := copyNode(v)
			m.Content[i+1] = c
			f.reencode = true
			return c
		}
		f.unshare(v)
		return v
	}
	return nil
}

// expandMerges replaces the merge keys (<<) of mapping m by copies of the
// keys they bring in that m does not set itself (see mapGet), so that an
// edit of m changes m alone and its keys can be set or deleted one by one.
// The file is then re-encoded.
func (f *kfile) expandMerges(m *yaml.Node) {
	has := false
	for i := 0; i+1 < len(m.Content); i += 2 {
		if isMergeKey(m.Content[i]) {
			has = true
			break
		}
	}
	if !has {
		return
	}
	seen := map[string]bool{}
	var out []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; !isMergeKey(k) {
			seen[k.Value] = true
			out = append(out, k, m.Content[i+1])
		}
	}
	var add func(src *yaml.Node, depth int)
	add = func(src *yaml.Node, depth int) {
		if depth > maxMergeDepth {
			return
		}
		for i := 0; i+1 < len(src.Content); i += 2 {
			if k := src.Content[i]; !isMergeKey(k) && !seen[k.Value] {
				seen[k.Value] = true
				out = append(out, copyNode(k), copyNode(src.Content[i+1]))
			}
		}
		for i := 0; i+1 < len(src.Content); i += 2 {
			if isMergeKey(src.Content[i]) {
				for _, s := range mergeSources(src.Content[i+1]) {
					add(s, depth+1)
				}
			}
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if isMergeKey(m.Content[i]) {
			for _, s := range mergeSources(m.Content[i+1]) {
				add(s, 1)
			}
		}
	}
	m.Content = out
	f.reencode = true
}

// unshare replaces every alias in the file of an anchor within n by a
// copy of what it names.
func (f *kfile) unshare(n *yaml.Node) {
	anchors := map[*yaml.Node]bool{}
	var collect func(*yaml.Node)
	collect = func(x *yaml.Node) {
		if x.Anchor != "" {
			anchors[x] = true
		}
		for _, c := range x.Content {
			collect(c)
		}
	}
	collect(n)
	if len(anchors) == 0 || f.doc == nil {
		return
	}
	var walk func(*yaml.Node)
	walk = func(x *yaml.Node) {
		for i, c := range x.Content {
			if c.Kind == yaml.AliasNode && anchors[c.Alias] {
				x.Content[i] = copyNode(c)
				f.reencode = true
				continue
			}
			walk(c)
		}
	}
	walk(f.doc)
}

// setScalar sets node n (a scalar in the file) to v.
func (f *kfile) setScalar(n *yaml.Node, v string) {
	old := *n
	n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!str", v
	s, e, ok := f.scalarSpan(&old)
	if !ok || old.Kind != yaml.ScalarNode {
		f.reencode = true
		n.Style = 0
		return
	}
	if old.Style&yaml.DoubleQuotedStyle != 0 {
		n.Style = yaml.DoubleQuotedStyle
	} else {
		n.Style = 0
	}
	f.add(patch{s, e, scalarText(v, old.Style&yaml.DoubleQuotedStyle != 0)})
}

// scalarText renders v as a YAML scalar: plain when it reads back as the
// same string, else double-quoted.
func scalarText(v string, double bool) string {
	if !double && v != "" && !strings.ContainsAny(v, ",[]{}#&*!|>'\"%@`\n\r\t") && !strings.HasPrefix(v, "-") && !strings.HasPrefix(v, " ") && !strings.HasSuffix(v, " ") && !strings.Contains(v, ": ") && !strings.HasSuffix(v, ":") && !strings.HasPrefix(v, "?") {
		var back any
		if err := yaml.Unmarshal([]byte("k: "+v), &back); err == nil {
			if m, ok := back.(map[string]any); ok {
				if s, ok := m["k"].(string); ok && s == v {
					return v
				}
			}
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// setKey sets key in mapping m to the string v, adding the key after the
// mapping's last entry when it is missing.
func (f *kfile) setKey(m *yaml.Node, key, v string) {
	// own, not mapGet: an alias (current-context: *x) or a merged key
	// must not be changed where it is defined, for everyone using it.
	if n := f.own(m, key); n != nil {
		if n.Kind == yaml.ScalarNode {
			if n.Value == v && n.Tag != "!!null" {
				return
			}
			if !isNull(n) || n.Value != "" {
				f.setScalar(n, v)
				return
			}
		}
		*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
		f.reencode = true
		return
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
	val := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
	f.insertPair(m, k, val, key+": "+scalarText(v, false))
}

// insertPair appends key: val to mapping m; text is its one-line form.
func (f *kfile) insertPair(m, k, val *yaml.Node, text string) {
	m.Content = append(m.Content, k, val)
	if len(m.Content) < 4 || m.Style&yaml.FlowStyle != 0 {
		f.reencode = true
		return
	}
	e, ok := f.nodeEnd(m.Content[len(m.Content)-3])
	if !ok {
		f.reencode = true
		return
	}
	first := m.Content[0]
	at := f.nextLine(e)
	prefix := ""
	if at == len(f.data) && (len(f.data) == 0 || f.data[len(f.data)-1] != '\n') {
		prefix = "\n"
	}
	f.add(patch{at, at, prefix + strings.Repeat(" ", first.Column-1) + text + "\n"})
}

// deleteKey removes key from mapping m.
func (f *kfile) deleteKey(m *yaml.Node, key string) {
	f.expandMerges(m) // a key merged in goes too
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			continue
		}
		k, v := m.Content[i], m.Content[i+1]
		m.Content = append(m.Content[:i:i], m.Content[i+2:]...)
		if m.Style&yaml.FlowStyle != 0 || len(m.Content) == 0 {
			f.reencode = true
			return
		}
		ks, ok := f.offset(k.Line, k.Column)
		if !ok {
			f.reencode = true
			return
		}
		ls := f.lineStart(ks)
		end, ok := f.nodeEnd(v)
		if isNull(v) && v.Value == "" {
			end, ok = f.colonAfter(k)
		}
		if !ok || strings.TrimLeft(string(f.data[ls:ks]), " ") != "" {
			f.reencode = true
			return
		}
		f.add(patch{ls, f.nextLine(end), ""})
		return
	}
}

// deleteItems removes the items at the given indexes (ascending) from the
// block sequence seq, the value of key in the root mapping.
func (f *kfile) deleteItems(key, seq *yaml.Node, idx []int) {
	drop := map[int]bool{}
	for _, i := range idx {
		drop[i] = true
	}
	var keep []*yaml.Node
	ok := seq.Style&yaml.FlowStyle == 0
	for i, item := range seq.Content {
		if !drop[i] {
			keep = append(keep, item)
			continue
		}
		if !ok {
			continue
		}
		ls, _, ok1 := f.itemStart(item)
		end, ok2 := f.nodeEnd(item)
		if !ok1 || !ok2 {
			ok = false
			continue
		}
		f.add(patch{ls, f.nextLine(end), ""})
	}
	seq.Content = keep
	if !ok {
		f.reencode = true
		return
	}
	if len(keep) == 0 {
		seq.Style = yaml.FlowStyle
		at, ok := f.colonAfter(key)
		if !ok {
			f.reencode = true
			return
		}
		f.add(patch{at, at, " []"})
	}
}

// appendItems adds items at the end of section sec of the root mapping,
// creating the section when needed.
func (f *kfile) appendItems(sec string, items []*yaml.Node) {
	if len(items) == 0 {
		return
	}
	if f.root == nil {
		f.newRoot()
	}
	key := mapKey(f.root, sec)
	seq := mapGet(f.root, sec)
	if key == nil {
		seq = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		key = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: sec}
		seq.Content = items
		lastVal := f.root.Content[len(f.root.Content)-1]
		f.root.Content = append(f.root.Content, key, seq)
		if f.root.Style&yaml.FlowStyle != 0 || f.reencode {
			f.reencode = true
			return
		}
		e, ok := f.nodeEnd(lastVal)
		if isNull(lastVal) && lastVal.Value == "" {
			e, ok = f.colonAfter(f.root.Content[len(f.root.Content)-4])
		}
		if !ok {
			f.reencode = true
			return
		}
		at := f.nextLine(e)
		prefix := ""
		if at == len(f.data) && len(f.data) > 0 && f.data[len(f.data)-1] != '\n' {
			prefix = "\n"
		}
		indent := strings.Repeat(" ", f.root.Content[0].Column-1)
		f.add(patch{at, at, prefix + indent + sec + ":\n" + renderItems(items, indent)})
		return
	}
	if seq.Kind == yaml.SequenceNode && len(seq.Content) > 0 {
		last := seq.Content[len(seq.Content)-1]
		seq.Content = append(seq.Content, items...)
		if seq.Style&yaml.FlowStyle != 0 {
			f.reencode = true
			return
		}
		_, dash, ok1 := f.itemStart(seq.Content[0])
		e, ok2 := f.nodeEnd(last)
		if !ok1 || !ok2 {
			f.reencode = true
			return
		}
		at := f.nextLine(e)
		prefix := ""
		if at == len(f.data) && f.data[len(f.data)-1] != '\n' {
			prefix = "\n"
		}
		f.add(patch{at, at, prefix + renderItems(items, strings.Repeat(" ", dash))})
		return
	}
	// An empty or null section: replace its value with a block list.
	old := *seq
	*seq = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: items}
	at, ok := f.colonAfter(key)
	if !ok {
		f.reencode = true
		return
	}
	end := at
	switch {
	case old.Kind == yaml.SequenceNode && old.Style&yaml.FlowStyle != 0:
		s, ok := f.offset(old.Line, old.Column)
		i := bytes.IndexByte(f.data[s:], ']')
		if !ok || i < 0 || strings.TrimSpace(string(f.data[s+1:s+i])) != "" {
			f.reencode = true
			return
		}
		end = s + i + 1
	case isNull(&old) && old.Value != "":
		_, e, ok := f.scalarSpan(&old)
		if !ok {
			f.reencode = true
			return
		}
		end = e
	case isNull(&old):
	default:
		f.reencode = true
		return
	}
	// Keep whatever follows on the line (a comment) before the list.
	rest := f.nextLine(end)
	tail := strings.TrimRight(string(f.data[end:rest]), "\r\n")
	indent := strings.Repeat(" ", key.Column-1)
	f.add(patch{at, rest, tail + "\n" + renderItems(items, indent)})
}

// replaceItem replaces the sequence item old of seq with item.
func (f *kfile) replaceItem(seq *yaml.Node, i int, item *yaml.Node) {
	old := seq.Content[i]
	seq.Content[i] = item
	ls, dash, ok1 := f.itemStart(old)
	end, ok2 := f.nodeEnd(old)
	if !ok1 || !ok2 || seq.Style&yaml.FlowStyle != 0 {
		f.reencode = true
		return
	}
	f.add(patch{ls, f.nextLine(end), renderItems([]*yaml.Node{item}, strings.Repeat(" ", dash))})
}

// newRoot makes an empty file a kubeconfig.
func (f *kfile) newRoot() {
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	f.root = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		str("apiVersion"), str("v1"), str("kind"), str("Config"),
	}}
	f.doc = &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{f.root}}
	f.reencode = true
}

// renderItems renders items as block sequence entries, each line indented.
func renderItems(items []*yaml.Node, indent string) string {
	out, err := encodeNode(&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: items})
	if err != nil {
		return ""
	}
	lines := strings.SplitAfter(string(out), "\n")
	var b strings.Builder
	for _, l := range lines {
		if l == "" {
			continue
		}
		if l != "\n" {
			b.WriteString(indent)
		}
		b.WriteString(l)
	}
	return b.String()
}

func encodeNode(n *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// render returns the file's new text: the original with the patches
// applied if that means what the tree means, else the tree re-encoded.
//
// It also returns the parsed tree of the new text, so the caller need not
// parse it again.
func (f *kfile) render() ([]byte, *yaml.Node, error) {
	if f.doc == nil {
		return f.data, nil, nil
	}
	var want any
	if err := f.doc.Decode(&want); err != nil {
		return nil, nil, err
	}
	if !f.reencode {
		if out, ok := applyPatches(f.data, f.patches); ok {
			if doc, ok := sameMeaning(want, out); ok {
				return out, doc, nil
			}
		}
	}
	out, err := encodeNode(f.doc)
	if err != nil {
		return nil, nil, err
	}
	doc, ok := sameMeaning(want, out)
	if !ok {
		return nil, nil, &FileError{File: f.path, Msg: "fogctl could not write this kubeconfig back faithfully; nothing was changed (please report this file's shape)"}
	}
	return out, doc, nil
}

// sameMeaning reports whether the YAML text out decodes to want, and
// returns its tree.
func sameMeaning(want any, out []byte) (*yaml.Node, bool) {
	doc, err := parseYAML(out)
	if err != nil {
		return nil, false
	}
	var got any
	if err := doc.Decode(&got); err != nil {
		return nil, false
	}
	return doc, reflect.DeepEqual(normalize(want), normalize(got))
}

// normalize makes empty lists and nulls compare equal, as kubectl treats them.
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = normalize(x)
		}
		return out
	case []any:
		if len(t) == 0 {
			return nil
		}
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = normalize(x)
		}
		return out
	}
	return v
}

func applyPatches(data []byte, ps []patch) ([]byte, bool) {
	sorted := append([]patch(nil), ps...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].start < sorted[j].start })
	var b bytes.Buffer
	pos := 0
	for _, p := range sorted {
		if p.start < pos || p.end < p.start || p.end > len(data) {
			return nil, false
		}
		b.Write(data[pos:p.start])
		b.WriteString(p.text)
		pos = p.end
	}
	b.Write(data[pos:])
	return b.Bytes(), true
}

// copyNode deep-copies a node tree, aliases replaced by copies of what
// they name and anchors dropped: the copy shares nothing.
func copyNode(n *yaml.Node) *yaml.Node {
	n = deref(n)
	if n == nil {
		return nil
	}
	c := *n
	c.Anchor = ""
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, x := range n.Content {
		c.Content[i] = copyNode(x)
	}
	return &c
}
