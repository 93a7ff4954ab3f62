package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/fogctl/fogctl/internal/safefile"
	"go.yaml.in/yaml/v3"
)

// Tx is one locked edit of a kubeconfig: its methods change the files in
// memory; Update writes the files that changed when fn returns nil.
type Tx struct {
	k *Kubeconfig
}

// Kubeconfig is the state as the transaction sees it, with its changes so far.
func (tx *Tx) Kubeconfig() *Kubeconfig { return tx.k }

// Update locks every file of the kubeconfig (in the sorted order of their
// real paths, symlinks followed, so two processes never deadlock),
// re-reads them so that it works on what is on disk now, calls fn, and
// writes each file fn changed with safefile.WriteFile. A file whose bytes did not change is not written.
// If fn fails, nothing is written. Afterwards k is the new state.
//
// Each file is locked twice: fogctl's own flock (safefile.Lock), on which
// fogctl processes queue, then, once all of those are held, kubectl's
// <file>.lock (safefile.LockKubectl), so that a kubectl writing meanwhile
// fails instead of losing one of the two changes. Both are released, in
// reverse order, on every return. A <file>.lock that kubectl left behind
// is never removed: Update fails after k.LockTimeout, naming it.
func (k *Kubeconfig) Update(ctx context.Context, fn func(tx *Tx) error) error {
	paths := append([]string(nil), k.precedence...)
	if def := k.defaultFile(); def != "" {
		if _, err := os.Stat(def); errors.Is(err, fs.ErrNotExist) {
			dir := filepath.Dir(def)
			if real, err := safefile.RealPath(def); err == nil {
				dir = filepath.Dir(real)
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return fmt.Errorf("kubeconfig %s: %w", def, err)
			}
		}
	}
	// Lock each file once, by its real path, in the order of real paths:
	// two processes that reach a file through different links (or list
	// it twice) take the same locks in the same order.
	type lockee struct{ path, real string }
	var files []lockee
	seen := map[string]bool{}
	for _, p := range paths {
		real, err := safefile.RealPath(p)
		if err != nil {
			return fmt.Errorf("kubeconfig %s: %w", p, err)
		}
		if !seen[real] {
			seen[real] = true
			files = append(files, lockee{p, real})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].real < files[j].real })
	var locked []string
	for _, lf := range files {
		p := lf.path
		if _, err := os.Stat(filepath.Dir(lf.real)); err != nil {
			continue
		}
		unlock, err := safefile.Lock(ctx, p, k.LockTimeout)
		if errors.Is(err, fs.ErrPermission) {
			// A file in a directory fogctl cannot write to (say
			// /etc/rancher/k3s/k3s.yaml in KUBECONFIG) cannot be
			// written either; reading it needs no lock.
			continue
		}
		if err != nil {
			return fmt.Errorf("kubeconfig %w", err)
		}
		defer unlock()
		locked = append(locked, p)
	}
	// kubectl does not wait for its lock, it fails: take it only now that
	// no other fogctl holds us up, and hold it for as short as possible.
	for _, p := range locked {
		unlock, err := safefile.LockKubectl(ctx, p, k.LockTimeout)
		if errors.Is(err, fs.ErrPermission) {
			continue
		}
		if err != nil {
			return fmt.Errorf("kubeconfig %w", err)
		}
		defer unlock()
	}
	fresh, err := k.reload()
	if err != nil {
		return err
	}
	fresh.LockTimeout = k.LockTimeout
	orig := make([][]byte, len(fresh.files))
	for i, f := range fresh.files {
		orig[i] = f.data
	}
	if err := fn(&Tx{k: fresh}); err != nil {
		// fn may have changed trees k shares with fresh: read k anew.
		if again, lerr := LoadKubeconfigFiles(k.explicit, k.precedence); lerr == nil {
			again.LockTimeout = k.LockTimeout
			*k = *again
		}
		return err
	}
	// A file kubectl could not write (read-only) is refused before any
	// file is written, so an edit of several files is not left half done.
	for i, f := range fresh.files {
		if f.changed && f.exists && !bytes.Equal(orig[i], f.data) {
			if err := safefile.CheckWritable(f.path); err != nil {
				return fmt.Errorf("kubeconfig %w", err)
			}
		}
	}
	for i, f := range fresh.files {
		if !f.changed || (f.exists && bytes.Equal(orig[i], f.data)) {
			continue
		}
		if err := safefile.WriteFile(f.path, f.data, 0o600); err != nil {
			return fmt.Errorf("kubeconfig %w", err)
		}
	}
	timeout := k.LockTimeout
	*k = *fresh
	k.LockTimeout = timeout
	return nil
}

// reload reads the files again (under the lock), reusing the parsed tree
// of each file whose bytes are what k read before.
func (k *Kubeconfig) reload() (*Kubeconfig, error) {
	fresh := &Kubeconfig{explicit: k.explicit, precedence: k.precedence, LockTimeout: k.LockTimeout}
	for i, p := range k.precedence {
		var old *kfile
		if i < len(k.files) && k.files[i].path == p {
			old = k.files[i]
		}
		if old != nil && old.exists && old.patches == nil && !old.reencode {
			st, err := os.Stat(p)
			if err == nil && st.Mode().IsRegular() && st.Size() == int64(len(old.data)) {
				if data, err := os.ReadFile(p); err == nil && bytes.Equal(data, old.data) {
					f := *old
					f.mode, f.modTime, f.changed = st.Mode().Perm(), st.ModTime(), false
					fresh.files = append(fresh.files, &f)
					continue
				}
			}
		}
		f, err := readKfile(p)
		if err != nil {
			return nil, err
		}
		fresh.files = append(fresh.files, f)
	}
	if err := fresh.index(); err != nil {
		return nil, err
	}
	return fresh, nil
}

// defaultFile is where kubectl puts new stanzas and a new current-context
// (clientcmd's PathOptions.GetDefaultFilename): the explicit file; else
// the only KUBECONFIG file, or the first that exists, or the last listed;
// else ~/.kube/config.
func (k *Kubeconfig) defaultFile() string {
	if k.explicit != "" {
		return k.explicit
	}
	if len(k.precedence) == 1 {
		return k.precedence[0]
	}
	for _, p := range k.precedence {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if len(k.precedence) == 0 {
		return ""
	}
	return k.precedence[len(k.precedence)-1]
}

// DefaultFile is the file new entries and current-context are written to.
func (k *Kubeconfig) DefaultFile() string { return k.defaultFile() }

func (k *Kubeconfig) file(path string) *kfile {
	for _, f := range k.files {
		if f.path == path {
			return f
		}
	}
	return nil
}

// commit renders f's pending edits into its text and re-indexes k, so the
// next edit works on fresh positions.
func (k *Kubeconfig) commit(f *kfile) error {
	if len(f.patches) == 0 && !f.reencode {
		return nil
	}
	out, doc, err := f.render()
	if err != nil {
		return err
	}
	f.patches, f.reencode = nil, false
	if err := f.adopt(out, doc); err != nil {
		return fmt.Errorf("edit produced a kubeconfig that does not load (a bug in fogctl; nothing was written): %w", err)
	}
	f.changed = true
	return k.index()
}

// setCurrent writes current-context where kubectl would: the explicit
// file, else the default file; an empty name is cleared in the first file
// that sets it.
func (tx *Tx) setCurrent(name string) error {
	k := tx.k
	if k.current == name {
		return nil
	}
	var f *kfile
	if name == "" && k.explicit == "" {
		f = k.file(k.CurrentFile())
	} else {
		f = k.file(k.defaultFile())
	}
	if f == nil {
		return fmt.Errorf("no kubeconfig file to write current-context to")
	}
	if f.root == nil {
		f.newRoot()
	}
	f.setKey(f.root, "current-context", name)
	return k.commit(f)
}

// Use makes name the current context after checking that it exists and
// that its cluster and user are defined.
func (tx *Tx) Use(name string) error {
	if err := tx.k.Check(name); err != nil {
		return err
	}
	return tx.setCurrent(name)
}

// Rename renames context old to new in the file that defines it, and
// current-context with it when old was current.
func (tx *Tx) Rename(old, new string) error {
	k := tx.k
	e, ok := k.contexts[old]
	if !ok {
		return &NotFoundError{Kind: "context", Name: old}
	}
	if err := k.duplicate("contexts", old); err != nil {
		return err
	}
	if new == "" {
		return fmt.Errorf("the new name is empty")
	}
	if old == new {
		return nil
	}
	if c, ok := k.contexts[new]; ok {
		return fmt.Errorf("context %q already exists (%s line %d): delete it first or pick another name", new, c.file.path, c.item.Line)
	}
	wasCurrent := k.current == old
	f := e.file
	for _, item := range sectionItems(f, "contexts") {
		if n := mapGet(item, "name"); scalar(n) == old {
			f.setScalar(f.own(item, "name"), new)
		}
	}
	if err := k.commit(f); err != nil {
		return err
	}
	if wasCurrent {
		return tx.setCurrent(new)
	}
	return nil
}

// SetNamespace sets the default namespace of context name ("" removes it).
func (tx *Tx) SetNamespace(name, namespace string) error {
	k := tx.k
	e, ok := k.contexts[name]
	if !ok {
		return &NotFoundError{Kind: "context", Name: name}
	}
	if err := k.duplicate("contexts", name); err != nil {
		return err
	}
	f := e.file
	if e.body != nil {
		e.body = f.own(e.item, "context")
	}
	if e.body == nil {
		body := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		setMap(e.item, "context", body)
		e.body = body
		f.reencode = true
	}
	if namespace == "" {
		f.deleteKey(e.body, "namespace")
	} else {
		f.setKey(e.body, "namespace", namespace)
	}
	return k.commit(f)
}

// Delete removes context name from the file that defines it. With
// withClusterAndUser, its cluster and user go too when no other context
// uses them. It returns what it deleted, as "context/x", "cluster/y".
func (tx *Tx) Delete(name string, withClusterAndUser bool) ([]string, error) {
	k := tx.k
	e, ok := k.contexts[name]
	if !ok {
		return nil, &NotFoundError{Kind: "context", Name: name}
	}
	if err := k.duplicate("contexts", name); err != nil {
		return nil, err
	}
	c := k.contextOf(e)
	if withClusterAndUser {
		for _, ref := range []struct{ sec, name string }{{"clusters", c.Cluster}, {"users", c.User}} {
			if err := k.duplicate(ref.sec, ref.name); err != nil {
				return nil, err
			}
		}
	}
	if err := tx.deleteEntry(e); err != nil {
		return nil, err
	}
	deleted := []string{"context/" + name}
	if !withClusterAndUser {
		return deleted, nil
	}
	for _, ref := range []struct{ sec, name, field string }{{"clusters", c.Cluster, "cluster"}, {"users", c.User, "user"}} {
		if ref.name == "" {
			continue
		}
		used := false
		for _, other := range k.contexts {
			if scalar(mapGet(other.body, ref.field)) == ref.name {
				used = true
				break
			}
		}
		m := k.clusters
		if ref.sec == "users" {
			m = k.users
		}
		se, ok := m[ref.name]
		if used || !ok {
			continue
		}
		if err := tx.deleteEntry(se); err != nil {
			return nil, err
		}
		deleted = append(deleted, ref.field+"/"+ref.name)
	}
	return deleted, nil
}

func (tx *Tx) deleteEntry(e *entry) error {
	f := e.file
	var idx []int
	for i, item := range sectionItems(f, e.section) {
		if scalar(mapGet(item, "name")) == e.name {
			f.unshare(item) // what others alias stays for them
			idx = append(idx, i)
		}
	}
	f.deleteItems(mapKey(f.root, e.section), mapGet(f.root, e.section), idx)
	return tx.k.commit(f)
}

func sectionItems(f *kfile, sec string) []*yaml.Node {
	seq := mapGet(f.root, sec)
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil
	}
	return seq.Content
}

func setMap(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

// Stanza is a cluster, user or context to add with Add.
type Stanza struct {
	// Section is "clusters", "users" or "contexts".
	Section string
	Name    string
	// Body is the cluster, user or context mapping.
	Body *yaml.Node
}

// add puts stanzas into the kubeconfig: a name that exists is replaced in
// the file that defines it; new names go to the default file, in order.
func (tx *Tx) add(stanzas []Stanza) error {
	k := tx.k
	byFile := map[*kfile]map[string][]*yaml.Node{}
	var order []*kfile
	for _, s := range stanzas {
		item := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		setMap(item, bodyKey(s.Section), s.Body)
		setMap(item, "name", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s.Name})
		m := map[string]map[string]*entry{"contexts": k.contexts, "clusters": k.clusters, "users": k.users}[s.Section]
		if e, ok := m[s.Name]; ok {
			if err := k.duplicate(s.Section, s.Name); err != nil {
				return err
			}
			// Keep the existing key order of the item.
			e.file.unshare(e.item)
			newItem := copyNode(e.item)
			setMap(newItem, bodyKey(s.Section), s.Body)
			e.file.replaceItem(mapGet(e.file.root, s.Section), e.index, newItem)
			if err := k.commit(e.file); err != nil {
				return err
			}
			continue
		}
		f := k.file(k.defaultFile())
		if f == nil {
			return fmt.Errorf("no kubeconfig file to write to")
		}
		if byFile[f] == nil {
			byFile[f] = map[string][]*yaml.Node{}
			order = append(order, f)
		}
		byFile[f][s.Section] = append(byFile[f][s.Section], item)
	}
	for _, f := range order {
		for _, sec := range sections {
			if items := byFile[f][sec]; len(items) > 0 {
				f.appendItems(sec, items)
				if err := k.commit(f); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// MergePolicy says what Merge does with a name that exists with other content.
type MergePolicy int

const (
	// MergeRefuse fails on any conflict, naming each one.
	MergeRefuse MergePolicy = iota
	// MergeOverwrite replaces the existing stanza with the incoming one.
	MergeOverwrite
	// MergeRenameConflicts adds the incoming stanza under a new name
	// (name-2, name-3, ...) and points the incoming contexts at it.
	MergeRenameConflicts
)

// MergeResult says what Merge did.
type MergeResult struct {
	Added     []string `json:"added"`     // "context/bus-17"
	Unchanged []string `json:"unchanged"` // identical stanzas already present
	Replaced  []string `json:"replaced"`
	Renamed   []string `json:"renamed"` // "context/bus-17 -> bus-17-2"
	// PresentAs are the Unchanged stanzas present under a name an earlier
	// merge with MergeRenameConflicts gave them: "context/bus-17 as bus-17-2".
	PresentAs []string `json:"presentAs,omitempty"`
}

// ConflictError lists the stanzas Merge found with other content.
type ConflictError struct {
	Conflicts []string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s (use --rename-conflicts to keep both or --overwrite to replace)", strings.Join(e.Conflicts, "; "))
}

// Merge adds the clusters, users and contexts of the kubeconfig file src.
// Relative certificate and token paths of src are made absolute, so they
// still work from the file they land in.
func (tx *Tx) Merge(src string, policy MergePolicy) (MergeResult, error) {
	var res MergeResult
	in, err := readKfile(src)
	if err != nil {
		return res, err
	}
	if !in.exists {
		return res, &FileError{File: src, Msg: "no such file"}
	}
	if in.root == nil {
		return res, nil
	}
	if err := fileDuplicates(in); err != nil {
		return res, err
	}
	k := tx.k
	rename := map[string]map[string]string{"clusters": {}, "users": {}, "contexts": {}}
	var stanzas []Stanza
	var conflicts []string
	for _, sec := range sections {
		m := map[string]map[string]*entry{"contexts": k.contexts, "clusters": k.clusters, "users": k.users}[sec]
		for i, item := range sectionItems(in, sec) {
			name := scalar(mapGet(item, "name"))
			if name == "" {
				return res, &FileError{File: src, Line: item.Line, Msg: fmt.Sprintf("%s[%d].name is empty", sec, i)}
			}
			body := copyNode(mapGet(item, bodyKey(sec)))
			if body == nil || isNull(body) {
				body = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			}
			absolutize(body, src)
			if sec == "contexts" {
				for _, ref := range []struct{ field, sec string }{{"cluster", "clusters"}, {"user", "users"}} {
					if n := mapGet(body, ref.field); n != nil {
						if to, ok := rename[ref.sec][n.Value]; ok {
							n.Value = to
						}
					}
				}
			}
			label := bodyKey(sec) + "/" + name
			cur, exists := m[name]
			if exists {
				if err := k.duplicate(sec, name); err != nil {
					return res, err
				}
			}
			if !exists {
				stanzas = append(stanzas, Stanza{sec, name, body})
				res.Added = append(res.Added, label)
				continue
			}
			if sameNode(cur.body, body) {
				res.Unchanged = append(res.Unchanged, label)
				continue
			}
			switch policy {
			case MergeRefuse:
				conflicts = append(conflicts, fmt.Sprintf("%s %q in %s line %d differs from the one in %s line %d", bodyKey(sec), name, src, item.Line, cur.file.path, cur.item.Line))
			case MergeOverwrite:
				stanzas = append(stanzas, Stanza{sec, name, body})
				res.Replaced = append(res.Replaced, label)
			case MergeRenameConflicts:
				if same := renamedCopy(m, name, body); same != "" {
					// Merged with --rename-conflicts before: not again.
					rename[sec][name] = same
					res.Unchanged = append(res.Unchanged, label)
					res.PresentAs = append(res.PresentAs, label+" as "+same)
					continue
				}
				nn := freeName(m, name)
				rename[sec][name] = nn
				m[nn] = &entry{} // reserve
				stanzas = append(stanzas, Stanza{sec, nn, body})
				res.Renamed = append(res.Renamed, label+" -> "+nn)
			}
		}
	}
	if len(conflicts) > 0 {
		return res, &ConflictError{Conflicts: conflicts}
	}
	if err := k.index(); err != nil {
		return res, err
	}
	return res, tx.add(stanzas)
}

// fileDuplicates returns the *DuplicateError of the first name that f
// defines twice in a section, nil when none is.
func fileDuplicates(f *kfile) error {
	for _, sec := range sections {
		lines := map[string]int{}
		for _, item := range sectionItems(f, sec) {
			name := scalar(mapGet(item, "name"))
			if first, ok := lines[name]; ok {
				return &DuplicateError{Section: sec, Name: name, File: f.path, Lines: [2]int{first, item.Line}}
			}
			lines[name] = item.Line
		}
	}
	return nil
}

// renamedCopy returns the name NAME-N (N >= 2) under which m holds a
// stanza with the same content as body, "" when none does.
func renamedCopy(m map[string]*entry, name string, body *yaml.Node) string {
	best, bestN := "", 0
	for n, e := range m {
		rest, ok := strings.CutPrefix(n, name+"-")
		if !ok || e.item == nil {
			continue
		}
		i, err := strconv.Atoi(rest)
		if err != nil || i < 2 || strconv.Itoa(i) != rest || (bestN != 0 && i > bestN) {
			continue
		}
		if sameNode(e.body, body) {
			best, bestN = n, i
		}
	}
	return best
}

func freeName(m map[string]*entry, name string) string {
	for i := 2; ; i++ {
		n := fmt.Sprintf("%s-%d", name, i)
		if _, ok := m[n]; !ok {
			return n
		}
	}
}

// sameNode reports whether two nodes mean the same.
func sameNode(a, b *yaml.Node) bool {
	var va, vb any
	if a != nil {
		_ = a.Decode(&va)
	}
	if b != nil {
		_ = b.Decode(&vb)
	}
	return fmt.Sprint(normalize(va)) == fmt.Sprint(normalize(vb))
}

// pathFields are the stanza fields kubectl resolves relative to the file.
var pathFields = []string{"certificate-authority", "client-certificate", "client-key", "tokenFile"}

func absolutize(body *yaml.Node, file string) {
	for _, key := range pathFields {
		if n := mapGet(body, key); scalar(n) != "" && !filepath.IsAbs(n.Value) {
			n.Value = resolvePath(file, n.Value)
			n.Style = 0
		}
	}
	if ex := mapGet(body, "exec"); ex != nil {
		// exec commands with a path are relative to the file too.
		if n := mapGet(ex, "command"); scalar(n) != "" && strings.Contains(n.Value, string(filepath.Separator)) && !filepath.IsAbs(n.Value) {
			n.Value = resolvePath(file, n.Value)
		}
	}
}

// ImportOptions say how Import names and reaches an imported cluster.
type ImportOptions struct {
	// Name is the new name of the cluster, user and context.
	Name string
	// Server replaces the cluster's server URL when not empty (k3s writes
	// https://127.0.0.1:6443): a whole URL, or a host or host:port that
	// replaces only the host (and port) of the file's URL.
	Server string
	// Overwrite replaces stanzas of that name that exist already.
	Overwrite bool
}

// rewriteServer returns the new server URL: to itself when it is a URL,
// else (a host or host:port, such as the node's overlay IP) the old URL
// with its host replaced, keeping scheme and port.
func rewriteServer(old, to string) (string, error) {
	if strings.Contains(to, "://") {
		u, err := url.Parse(to)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return "", fmt.Errorf("server %q is not a URL like https://10.147.17.21:6443", to)
		}
		return to, nil
	}
	u, err := url.Parse(old)
	if err != nil || u.Host == "" {
		u = &url.URL{Scheme: "https", Host: "127.0.0.1:6443"}
	}
	host, port := to, u.Port()
	if h, p, err := net.SplitHostPort(to); err == nil {
		host, port = h, p
	} else if strings.Contains(to, ":") && !strings.HasPrefix(to, "[") {
		host = "[" + to + "]" // a bare IPv6 address
		to = host
	}
	if strings.ContainsAny(host, "/?#@ ") || host == "" {
		return "", fmt.Errorf("server %q is neither a URL nor a host", to)
	}
	if port == "" {
		u.Host = to
	} else {
		u.Host = net.JoinHostPort(strings.Trim(host, "[]"), port)
	}
	return u.String(), nil
}

// Import adds the one context of a kubeconfig like k3s's k3s.yaml, whose
// cluster, user and context are all called "default", as Name.
func (tx *Tx) Import(src string, opt ImportOptions) error {
	if opt.Name == "" {
		return fmt.Errorf("import %s: a name is needed", src)
	}
	in, err := readKfile(src)
	if err != nil {
		return err
	}
	if !in.exists {
		return fmt.Errorf("import %s: no such file", src)
	}
	if err := fileDuplicates(in); err != nil {
		return err
	}
	ctxs := sectionItems(in, "contexts")
	if len(ctxs) != 1 {
		return &FileError{File: src, Msg: fmt.Sprintf("has %d contexts; import takes a file with exactly one (use 'fogctl ctx merge' for more)", len(ctxs))}
	}
	cbody := copyNode(mapGet(ctxs[0], "context"))
	if cbody == nil || cbody.Kind != yaml.MappingNode {
		return &FileError{File: src, Line: ctxs[0].Line, Msg: "contexts[0].context is missing"}
	}
	find := func(sec, name string) (*yaml.Node, error) {
		for _, item := range sectionItems(in, sec) {
			if scalar(mapGet(item, "name")) == name {
				b := copyNode(mapGet(item, bodyKey(sec)))
				if b == nil || b.Kind != yaml.MappingNode {
					b = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
				}
				return b, nil
			}
		}
		return nil, &FileError{File: src, Line: ctxs[0].Line, Msg: fmt.Sprintf("contexts[0].context.%s %q is not defined", bodyKey(sec), name)}
	}
	clBody, err := find("clusters", scalar(mapGet(cbody, "cluster")))
	if err != nil {
		return err
	}
	usBody, err := find("users", scalar(mapGet(cbody, "user")))
	if err != nil {
		return err
	}
	absolutize(clBody, src)
	absolutize(usBody, src)
	if opt.Server != "" {
		server, err := rewriteServer(scalar(mapGet(clBody, "server")), opt.Server)
		if err != nil {
			return fmt.Errorf("import %s: %w", src, err)
		}
		setMap(clBody, "server", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: server})
	}
	setMap(cbody, "cluster", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: opt.Name})
	setMap(cbody, "user", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: opt.Name})
	k := tx.k
	if !opt.Overwrite {
		var exist []string
		for _, e := range []*entry{k.clusters[opt.Name], k.users[opt.Name], k.contexts[opt.Name]} {
			if e != nil {
				exist = append(exist, fmt.Sprintf("%s %q (%s line %d)", bodyKey(e.section), opt.Name, e.file.path, e.item.Line))
			}
		}
		if len(exist) > 0 {
			return fmt.Errorf("import %s as %q: %s already exist: pick another --name or add --overwrite", src, opt.Name, strings.Join(exist, ", "))
		}
	}
	return tx.add([]Stanza{
		{"clusters", opt.Name, clBody},
		{"users", opt.Name, usBody},
		{"contexts", opt.Name, cbody},
	})
}
