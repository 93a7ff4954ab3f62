package runstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// ErrBusy is returned by Claim for a run another process holds: it is
// still running, or another fogctl is resuming it.
var ErrBusy = errors.New("the run is running or being resumed in another process")

// claimExt is the suffix of a run's claim file, runs/<id>.claim. Listings
// of the store (ids) take only journals and run directories, so they skip it.
const claimExt = ".claim"

// Claim is the right to resume a run: an exclusive, non-blocking flock on
// runs/<id>.claim, a file of its own beside the run's journal. Two
// `fogctl run --resume ID` started at once cannot both hold it, so the
// second fails rather than repeat the nodes' side effects. It is not the
// journal's lock, so the resumed run still lists as interrupted, not
// running. The caller holds it until the resumed run has ended (and its
// successor's record says resumedFrom), then Releases it, which removes
// the file; the kernel releases the lock if the process dies, and the
// file left behind is taken by the next claim, or removed with its run.
type Claim struct {
	f    *os.File
	path string
}

// Claim takes the run's claim, or fails with ErrBusy if another process
// holds it or is running the run (holds its journal's lock).
func (s *Store) Claim(id string) (*Claim, error) {
	if !s.exists(id) {
		return nil, fmt.Errorf("run %q: %w", id, ErrNotFound)
	}
	path := filepath.Join(s.dir, id+claimExt)
	for range 10 {
		// Opened for writing: on NFS flock is emulated with fcntl
		// locks, and an exclusive one needs a file open for writing.
		f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|openNoFollow, 0o600)
		if err != nil {
			return nil, fmt.Errorf("run %s: claim %s: %w", id, path, err)
		}
		if err := lockFile(f); err != nil {
			f.Close()
			if lockBusy(err) {
				return nil, ErrBusy
			}
			return nil, fmt.Errorf("run %s: lock %s: %w", id, path, err)
		}
		// Release removes the file before it unlocks it: a lock taken
		// on a file no longer at path (opened before that remove) is
		// no claim; take the one at path instead.
		fi, ferr := f.Stat()
		pi, perr := os.Lstat(path)
		if ferr != nil || perr != nil || !os.SameFile(fi, pi) {
			f.Close()
			continue
		}
		c := &Claim{f: f, path: path}
		if s.running(id) {
			c.Release()
			return nil, ErrBusy
		}
		return c, nil
	}
	return nil, fmt.Errorf("run %s: claim %s: the file kept changing; try again", id, path)
}

// claimed reports whether a process holds run id's claim. It creates no
// file: a run never resumed has none.
func (s *Store) claimed(id string) bool {
	f, err := os.OpenFile(filepath.Join(s.dir, id+claimExt), os.O_RDWR|openNoFollow, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	return lockBusy(lockFile(f))
}

// Release gives the claim up and removes its file. It does nothing on a
// nil Claim or when called again.
func (c *Claim) Release() {
	if c == nil || c.f == nil {
		return
	}
	os.Remove(c.path) // before the unlock: see Claim
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
