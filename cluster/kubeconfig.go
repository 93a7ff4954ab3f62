package cluster

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fogctl/fogctl/internal/safefile"
	"go.yaml.in/yaml/v3"
)

// Kubeconfig is the merged view over one or more kubeconfig files, read
// with kubectl's rules: the first file that defines a cluster, user or
// context name wins, and the first non-empty current-context wins.
//
// A Kubeconfig read by LoadKubeconfig is a snapshot; Update locks the files,
// re-reads them and applies changes to what is on disk at that moment.
type Kubeconfig struct {
	explicit   string
	precedence []string
	files      []*kfile

	contexts map[string]*entry
	clusters map[string]*entry
	users    map[string]*entry
	current  string
	// dups are the names defined more than once in one file, which
	// kubectl refuses ("duplicate name"); nil when there are none.
	dups []*DuplicateError

	// LockTimeout bounds how long Update waits for another fogctl process
	// holding a kubeconfig lock (5s when 0).
	LockTimeout time.Duration
}

// Context is one kubeconfig context with the data a listing shows.
type Context struct {
	Name      string `json:"name"`
	Cluster   string `json:"cluster"`
	User      string `json:"user"`
	Namespace string `json:"namespace,omitempty"`
	// Server is the API server URL of the context's cluster ("" when the
	// cluster is not defined).
	Server string `json:"server"`
	// File is the kubeconfig file that defines the context.
	File string `json:"file"`
	// Line is the line of the context's entry in File.
	Line int `json:"line"`
}

// kfile is one kubeconfig file of the precedence list, parsed.
type kfile struct {
	path    string // as in the precedence list
	exists  bool
	data    []byte
	doc     *yaml.Node // document node, nil for an empty file
	root    *yaml.Node // top-level mapping, nil for an empty file
	mode    fs.FileMode
	modTime time.Time

	// Edit state.
	changed  bool
	reencode bool
	patches  []patch
}

// entry is one named cluster, user or context stanza.
type entry struct {
	section string // "clusters", "users" or "contexts"
	name    string
	file    *kfile
	index   int        // index in the section's sequence
	item    *yaml.Node // the sequence item (a mapping with name and body)
	body    *yaml.Node // the "cluster", "user" or "context" mapping, may be nil
}

var errEOF = io.EOF

// bodyKey is the key of each section's stanza body. Switches, not maps,
// so that no fogctl process builds them at start.
func bodyKey(section string) string {
	switch section {
	case "clusters":
		return "cluster"
	case "users":
		return "user"
	case "contexts":
		return "context"
	}
	return ""
}

// sections in kubectl's order.
var sections = []string{"clusters", "users", "contexts"}

// KubeconfigPrecedence returns the files kubectl would read, in order: the
// explicit path alone if set, else the KUBECONFIG list (deduplicated, empty
// entries dropped), else ~/.kube/config.
func KubeconfigPrecedence(explicitPath, kubeconfigEnv, home string) []string {
	if explicitPath != "" {
		return []string{explicitPath}
	}
	if kubeconfigEnv != "" {
		var out []string
		seen := map[string]bool{}
		for _, p := range filepath.SplitList(kubeconfigEnv) {
			if p == "" || seen[p] {
				continue
			}
			seen[p] = true
			out = append(out, p)
		}
		if len(out) > 0 {
			return out
		}
	}
	return []string{filepath.Join(home, ".kube", "config")}
}

// LoadKubeconfig reads the kubeconfig that kubectl would use: explicitPath
// (the --kubeconfig flag) if not empty, else the files of $KUBECONFIG, else
// ~/.kube/config. Missing files read as empty, as with kubectl. A file that
// does not parse is an error naming the file and line.
func LoadKubeconfig(explicitPath string) (*Kubeconfig, error) {
	home, _ := os.UserHomeDir()
	return LoadKubeconfigFiles(explicitPath, KubeconfigPrecedence(explicitPath, os.Getenv("KUBECONFIG"), home))
}

// LoadKubeconfigFiles reads the given precedence list; explicitPath is the
// --kubeconfig value it came from ("" for a KUBECONFIG list or the home
// file), which decides where new stanzas and current-context are written.
//
// Paths that name one file (a:./a, or a link and its target) are read once,
// as the first of them: the file is one, and is locked and written once.
func LoadKubeconfigFiles(explicitPath string, precedence []string) (*Kubeconfig, error) {
	k := &Kubeconfig{explicit: explicitPath, precedence: dedupFiles(precedence)}
	for _, p := range k.precedence {
		f, err := readKfile(p)
		if err != nil {
			return nil, err
		}
		k.files = append(k.files, f)
	}
	if err := k.index(); err != nil {
		return nil, err
	}
	return k, nil
}

// dedupFiles drops the paths that name a file named earlier in the list.
func dedupFiles(paths []string) []string {
	if len(paths) < 2 {
		return paths
	}
	out := make([]string, 0, len(paths))
	seen := map[string]bool{}
	for _, p := range paths {
		real, err := safefile.RealPath(p)
		if err != nil {
			real = p
		}
		if !seen[real] {
			seen[real] = true
			out = append(out, p)
		}
	}
	return out
}

func readKfile(path string) (*kfile, error) {
	f := &kfile{path: path, mode: 0o600}
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read kubeconfig %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("read kubeconfig %s: is a directory", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read kubeconfig %s: %w", path, err)
	}
	f.exists = true
	f.mode = st.Mode().Perm()
	f.modTime = st.ModTime()
	if err := f.parse(data); err != nil {
		return nil, err
	}
	return f, nil
}

// parse sets data, doc and root, checking the shape kubectl requires.
func (f *kfile) parse(data []byte) error {
	doc, err := parseYAML(data)
	if err != nil {
		f.data, f.doc, f.root = data, nil, nil
		if errors.Is(err, errEOF) {
			return nil
		}
		return &FileError{File: f.path, Line: problemLine(data, yamlErrLine(err)), Msg: yamlErrMsg(err)}
	}
	return f.adopt(data, doc)
}

// adopt makes doc, parsed from data, the file's content after checking
// the shape kubectl requires.
func (f *kfile) adopt(data []byte, doc *yaml.Node) error {
	f.data = data
	f.doc, f.root = doc, nil
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	switch {
	case root.Kind == yaml.ScalarNode && root.Tag == "!!null":
		return nil
	case root.Kind != yaml.MappingNode:
		return &FileError{File: f.path, Line: root.Line, Msg: "a kubeconfig is a mapping with clusters, users and contexts"}
	}
	f.root = root
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		switch key.Value {
		case "clusters", "users", "contexts":
			if isNull(val) {
				continue
			}
			if val.Kind != yaml.SequenceNode {
				return &FileError{File: f.path, Line: val.Line, Msg: fmt.Sprintf("%s must be a list", key.Value)}
			}
			for j, item := range val.Content {
				if item.Kind != yaml.MappingNode {
					return &FileError{File: f.path, Line: item.Line, Msg: fmt.Sprintf("%s[%d] must be a mapping with name and %s", key.Value, j, bodyKey(key.Value))}
				}
				for _, k := range []string{"name", bodyKey(key.Value)} {
					v := mapGet(item, k)
					if v == nil || isNull(v) {
						continue
					}
					want := yaml.ScalarNode
					if k != "name" {
						want = yaml.MappingNode
					}
					if v.Kind != want {
						return &FileError{File: f.path, Line: v.Line, Msg: fmt.Sprintf("%s[%d].%s has the wrong type", key.Value, j, k)}
					}
				}
				if body := mapGet(item, bodyKey(key.Value)); body != nil && body.Kind == yaml.MappingNode {
					for m := 0; m+1 < len(body.Content); m += 2 {
						if v := deref(body.Content[m+1]); stringField(body.Content[m].Value) && v.Kind != yaml.ScalarNode {
							return &FileError{File: f.path, Line: v.Line, Msg: fmt.Sprintf("%s[%d].%s.%s must be a string", key.Value, j, bodyKey(key.Value), body.Content[m].Value)}
						}
					}
				}
			}
		case "current-context":
			if deref(val).Kind != yaml.ScalarNode {
				return &FileError{File: f.path, Line: val.Line, Msg: "current-context must be a string"}
			}
		}
	}
	return nil
}

// stringField reports the stanza fields fogctl reads as strings.
func stringField(field string) bool {
	switch field {
	case "cluster", "user", "namespace", "server",
		"certificate-authority", "certificate-authority-data",
		"client-certificate", "client-certificate-data",
		"client-key", "client-key-data", "token", "tokenFile",
		"tls-server-name", "proxy-url":
		return true
	}
	return false
}

// index builds the merged maps from the parsed files.
func (k *Kubeconfig) index() error {
	k.contexts = map[string]*entry{}
	k.clusters = map[string]*entry{}
	k.users = map[string]*entry{}
	k.current = ""
	k.dups = nil
	maps := map[string]map[string]*entry{"contexts": k.contexts, "clusters": k.clusters, "users": k.users}
	for _, f := range k.files {
		if f.root == nil {
			continue
		}
		for _, sec := range sections {
			seq := mapGet(f.root, sec)
			if seq == nil || seq.Kind != yaml.SequenceNode {
				continue
			}
			// Within one file the last stanza of a name wins, as when
			// kubectl converts the list to a map; across files the first
			// file wins.
			local := map[string]*entry{}
			for i, item := range seq.Content {
				e := &entry{section: sec, file: f, index: i, item: item}
				e.name = scalar(mapGet(item, "name"))
				if b := mapGet(item, bodyKey(sec)); b != nil && b.Kind == yaml.MappingNode {
					e.body = b
				}
				if prev, ok := local[e.name]; ok {
					k.dups = append(k.dups, &DuplicateError{Section: sec, Name: e.name, File: f.path, Lines: [2]int{prev.item.Line, item.Line}})
				}
				local[e.name] = e
			}
			for name, e := range local {
				if _, ok := maps[sec][name]; !ok {
					maps[sec][name] = e
				}
			}
		}
		if k.current == "" {
			k.current = scalar(mapGet(f.root, "current-context"))
		}
	}
	return nil
}

// Explicit returns the --kubeconfig path the files came from, "" when they
// came from $KUBECONFIG or ~/.kube/config.
func (k *Kubeconfig) Explicit() string { return k.explicit }

// MissingFiles returns the files of the precedence list that do not exist
// (kubectl reads them as empty).
func (k *Kubeconfig) MissingFiles() []string {
	var out []string
	for _, f := range k.files {
		if !f.exists {
			out = append(out, f.path)
		}
	}
	return out
}

// Files returns the kubeconfig files read, in precedence order.
func (k *Kubeconfig) Files() []string { return append([]string(nil), k.precedence...) }

// Current returns the current context name ("" when none is set).
func (k *Kubeconfig) Current() string { return k.current }

// CurrentFile returns the file kubectl reads current-context from.
func (k *Kubeconfig) CurrentFile() string {
	for _, f := range k.files {
		if f.root != nil && scalar(mapGet(f.root, "current-context")) != "" {
			return f.path
		}
	}
	return ""
}

// Contexts returns every context, sorted by name.
func (k *Kubeconfig) Contexts() []Context {
	out := make([]Context, 0, len(k.contexts))
	for _, e := range k.contexts {
		out = append(out, k.contextOf(e))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Context returns the named context and whether it exists.
func (k *Kubeconfig) Context(name string) (Context, bool) {
	e, ok := k.contexts[name]
	if !ok {
		return Context{}, false
	}
	return k.contextOf(e), true
}

// HasCluster reports whether a cluster stanza of that name exists.
func (k *Kubeconfig) HasCluster(name string) bool { _, ok := k.clusters[name]; return ok }

// HasUser reports whether a user stanza of that name exists.
func (k *Kubeconfig) HasUser(name string) bool { _, ok := k.users[name]; return ok }

func (k *Kubeconfig) contextOf(e *entry) Context {
	c := Context{Name: e.name, File: e.file.path, Line: e.item.Line}
	if e.body != nil {
		c.Cluster = scalar(mapGet(e.body, "cluster"))
		c.User = scalar(mapGet(e.body, "user"))
		c.Namespace = scalar(mapGet(e.body, "namespace"))
	}
	if cl, ok := k.clusters[c.Cluster]; ok && cl.body != nil {
		c.Server = scalar(mapGet(cl.body, "server"))
	}
	return c
}

// Check verifies that the named context exists and that its cluster and
// user are defined, naming the file and line of what is wrong.
func (k *Kubeconfig) Check(name string) error {
	e, ok := k.contexts[name]
	if !ok {
		return &NotFoundError{Kind: "context", Name: name}
	}
	if err := k.duplicate("contexts", name); err != nil {
		return err
	}
	where := fmt.Sprintf("contexts[%d].context", e.index)
	if e.body == nil {
		return &FileError{File: e.file.path, Line: e.item.Line, Msg: fmt.Sprintf("%s is missing (run 'fogctl ctx list')", where)}
	}
	for _, ref := range []struct{ key, sec string }{{"cluster", "clusters"}, {"user", "users"}} {
		n := mapGet(e.body, ref.key)
		v := scalar(n)
		if v == "" {
			line := e.body.Line
			if n != nil {
				line = n.Line
			}
			return &FileError{File: e.file.path, Line: line, Msg: fmt.Sprintf("%s.%s is empty (run 'fogctl ctx list')", where, ref.key)}
		}
		m := k.clusters
		if ref.sec == "users" {
			m = k.users
		}
		if _, ok := m[v]; !ok {
			return &FileError{File: e.file.path, Line: n.Line, Msg: fmt.Sprintf("%s.%s %q is not defined (run 'fogctl ctx list')", where, ref.key, v)}
		}
		if err := k.duplicate(ref.sec, v); err != nil {
			return err
		}
	}
	return nil
}

// DuplicateError says a file defines a cluster, user or context name twice.
// kubectl refuses such a file whole ("duplicate name ... in list"); fogctl
// refuses to act on the name, as it cannot know which of the two is meant.
type DuplicateError struct {
	Section string // "clusters", "users" or "contexts"
	Name    string
	File    string
	Lines   [2]int // the first two definitions
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%s: %s %q is defined twice, at line %d and line %d (kubectl refuses the whole file: duplicate name %q in list): delete or rename one of them in the file",
		e.File, bodyKey(e.Section), e.Name, e.Lines[0], e.Lines[1], e.Name)
}

// duplicate returns the *DuplicateError of name in section, if the file
// that defines name defines it more than once.
func (k *Kubeconfig) duplicate(section, name string) error {
	for _, d := range k.dups {
		if d.Section == section && d.Name == name {
			if e := map[string]map[string]*entry{"contexts": k.contexts, "clusters": k.clusters, "users": k.users}[section][name]; e == nil || e.file.path == d.File {
				return d
			}
		}
	}
	return nil
}

// Duplicates returns an error naming every cluster, user and context that
// one file defines more than once (nil when none is): the file kubectl
// refuses to read.
func (k *Kubeconfig) Duplicates() error {
	if len(k.dups) == 0 {
		return nil
	}
	if len(k.dups) == 1 {
		return k.dups[0]
	}
	msgs := make([]string, len(k.dups))
	for i, d := range k.dups {
		msgs[i] = d.Error()
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// DuplicateContext returns the *DuplicateError of context name, nil when
// it is defined once.
func (k *Kubeconfig) DuplicateContext(name string) error { return k.duplicate("contexts", name) }

// FileError is a problem at a line of a file.
type FileError struct {
	File string
	Line int
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// NotFoundError says a named context, cluster or user does not exist.
type NotFoundError struct {
	Kind string
	Name string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no %s named %q (run 'fogctl ctx list')", e.Kind, e.Name)
}

// mapGet returns the value of key in mapping m, or nil. A YAML alias
// (context: *x) is read as the node it names, and a merge key
// (context: {<<: *base, namespace: prod}) brings in the keys of the
// mapping, or list of mappings, it names, as kubectl reads them: m's own
// keys win, then the merged mappings' in order. Edits go through kfile.own,
// which gives the entry a copy of its own first.
func mapGet(m *yaml.Node, key string) *yaml.Node { return mapGetDepth(m, key, 0) }

// maxMergeDepth bounds how deep merge keys are followed (a cycle of
// aliases cannot be written in YAML, but a deep chain can).
const maxMergeDepth = 32

func mapGetDepth(m *yaml.Node, key string, depth int) *yaml.Node {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode || depth > maxMergeDepth {
		return nil
	}
	merges := 0
	for i := 0; i+1 < len(m.Content); i += 2 {
		if isMergeKey(m.Content[i]) {
			merges++
			continue
		}
		if m.Content[i].Value == key {
			return deref(m.Content[i+1])
		}
	}
	for i := 0; merges > 0 && i+1 < len(m.Content); i += 2 {
		if !isMergeKey(m.Content[i]) {
			continue
		}
		for _, src := range mergeSources(m.Content[i+1]) {
			if v := mapGetDepth(src, key, depth+1); v != nil {
				return v
			}
		}
	}
	return nil
}

// isMergeKey reports whether k is the YAML merge key <<.
func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}

// mergeSources returns the mappings the value of a merge key names: one
// mapping, or a list of them (the first wins).
func mergeSources(v *yaml.Node) []*yaml.Node {
	v = deref(v)
	switch {
	case v == nil:
		return nil
	case v.Kind == yaml.MappingNode:
		return []*yaml.Node{v}
	case v.Kind == yaml.SequenceNode:
		var out []*yaml.Node
		for _, c := range v.Content {
			if c = deref(c); c != nil && c.Kind == yaml.MappingNode {
				out = append(out, c)
			}
		}
		return out
	}
	return nil
}

// deref returns the node an alias names (n itself when n is no alias).
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// mapKey returns the key node of key in mapping m, or nil.
func mapKey(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// yamlErrLine pulls the line number out of a yaml.v3 error message.
func yamlErrLine(err error) int {
	var line int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i+5:], "%d", &line)
	}
	return line
}

// problemLine finds the line where a YAML error shows: yaml.v3 reports the
// line where the enclosing block starts, so this looks for the shortest
// prefix of whole lines, from that line on, that fails to parse.
func problemLine(data []byte, reported int) int {
	var starts []int // offset of the end of each line
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		starts = append(starts, len(data))
	}
	fails := func(lines int) bool {
		_, err := parseYAML(data[:starts[lines-1]])
		return err != nil && !errors.Is(err, errEOF)
	}
	lo, hi := reported, len(starts)
	if lo < 1 {
		lo = 1
	}
	if hi < lo || !fails(hi) {
		return reported
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// yamlErrMsg is the yaml.v3 error without its "yaml: line N: " prefix.
func yamlErrMsg(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if strings.HasPrefix(msg, "line ") {
		if i := strings.Index(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = strings.Join(te.Errors, "; ")
	}
	return "does not parse as YAML: " + msg
}
