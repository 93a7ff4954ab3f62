package runstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// ErrBusy is returned by Claim for a run another process holds: it is
// still running, or another fogctl is resuming it.
var ErrBusy = errors.New("the run is running or being resumed in another process")

// Claim is the right to resume a run: an exclusive, non-blocking flock on
// the resumed run's journal, the lock its own process held while it ran
// and the one Running tests. Two `fogctl run --resume ID` started at once
// cannot both hold it, so the second fails rather than repeat the nodes'
// side effects. The caller holds it until the resumed run has ended (and
// its successor's record says resumedFrom), then Releases it; the kernel
// releases it if the process dies.
type Claim struct {
	f *os.File
}

// Claim takes the run's lock, or fails with ErrBusy if a process holds it.
func (s *Store) Claim(id string) (*Claim, error) {
	if !validID(id) {
		return nil, fmt.Errorf("run %q: %w", id, ErrNotFound)
	}
	path := s.journalPath(id)
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		path = filepath.Join(s.dir, id, recordFile) // a compacted legacy run
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("run %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if lockBusy(err) {
			return nil, ErrBusy
		}
		return nil, fmt.Errorf("run %s: lock %s: %w", id, path, err)
	}
	return &Claim{f: f}, nil
}

// Release gives the claim up. It does nothing on a nil Claim or when called again.
func (c *Claim) Release() {
	if c == nil || c.f == nil {
		return
	}
	c.f.Close()
	c.f = nil
}

// Successors returns the runs that resumed id (their records say
// resumedFrom: id), oldest first, and the last run of id's resume chain:
// from id, the newest run that resumed it, then the newest that resumed
// that one, and so on. last is the zero Summary when nothing resumed id.
// It reads every run's summary line (or, for a run without one, its
// header's meta): `fogctl run --resume` calls it, nothing on a plain run's
// path does.
func (s *Store) Successors(id string) (next []Summary, last Summary, err error) {
	ids, err := s.ids()
	if err != nil {
		return nil, Summary{}, fmt.Errorf("list runs: %w", err)
	}
	by := map[string][]Summary{} // resumedFrom -> runs, newest first
	for _, other := range ids {
		if other == id {
			continue
		}
		sum, ok := s.resumeLink(other)
		if ok && sum.ResumedFrom != "" {
			by[sum.ResumedFrom] = append(by[sum.ResumedFrom], sum)
		}
	}
	next = append([]Summary(nil), by[id]...)
	sort.Slice(next, func(i, j int) bool { return next[i].Created.Before(next[j].Created) })
	seen := map[string]bool{id: true}
	for cur := id; len(by[cur]) > 0; {
		newest := by[cur][0]
		for _, r := range by[cur][1:] {
			if r.Created.After(newest.Created) {
				newest = r
			}
		}
		if seen[newest.ID] {
			break // a loop can only be a damaged record; stop
		}
		seen[newest.ID] = true
		last, cur = newest, newest.ID
	}
	return next, last, nil
}

// resumeLink is what Successors needs of run id: its ID, state, creation
// time and the run it resumed. A finished run's summary line has them;
// a run without one (running, killed) is read from its header's meta
// alone, never replayed. A run being created (empty journal) is skipped.
func (s *Store) resumeLink(id string) (Summary, bool) {
	path := filepath.Join(s.dir, id+journalExt)
	if line, err := lastLine(path); err == nil {
		var sl summaryLine
		if json.Unmarshal(line, &sl) == nil && sl.Summary.ID == id {
			return sl.Summary, true
		}
	} else if _, err := os.Lstat(path); err != nil {
		// A legacy directory: its summary.json, or its record replayed.
		sum, err := s.summary(id)
		return sum, err == nil
	}
	meta, err := readMeta(path)
	if err != nil {
		return Summary{}, false
	}
	state := StateInterrupted
	if s.running(id) {
		state = "running"
	}
	return Summary{ID: id, Workflow: meta.Workflow, State: state, Created: meta.Created, Nodes: meta.Nodes, ResumedFrom: meta.ResumedFrom}, true
}

// readMeta decodes the meta of a journal's header line, the line's first
// member, without reading the workflow copy that follows it.
func readMeta(path string) (Meta, error) {
	f, err := os.Open(path)
	if err != nil {
		return Meta{}, err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return Meta{}, fmt.Errorf("%s: no header line", path)
	}
	if tok, err := dec.Token(); err != nil || tok != "meta" {
		return Meta{}, fmt.Errorf("%s: no header line", path)
	}
	var m Meta
	if err := dec.Decode(&m); err != nil {
		return Meta{}, fmt.Errorf("%s: header: %w", path, err)
	}
	return m, nil
}
