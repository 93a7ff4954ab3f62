package runstore

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fogctl/fogctl/workflow"
	"github.com/gofrs/flock"
)

// DefaultKeep is how many runs a Store keeps before a new run (Create, CreateFrom) removes the oldest.
const DefaultKeep = 200

// StateInterrupted is the state of a run whose process died (SIGKILL, a
// crash, a power cut) before it ended: its journal has no final event and
// no process holds its lock. `fogctl run --resume ID` continues it.
const StateInterrupted workflow.State = "interrupted"

// A run is one file, runs/<id>.jsonl. Runs recorded by fogctl before
// this layout are directories, runs/<id>/, holding these files; they are
// still read, listed and pruned.
const (
	journalExt  = ".jsonl"
	journalFile = "journal.jsonl" // legacy: a running or killed run
	recordFile  = "record.json"   // legacy: a compacted run
	summaryFile = "summary.json"  // legacy: List's cache
)

// ErrNotFound is returned for a run ID the store does not hold.
var ErrNotFound = errors.New("no such run")

// Store is the directory of recorded runs.
type Store struct {
	dir string
	// Keep is how many runs Create and CreateFrom keep; older runs are removed.
	Keep int
	// syncInterval is how often a running run is fsynced at most
	// (defaultSyncInterval), pruneEvery how often retention runs at most
	// (defaultPruneEvery), pruneGrace how old a journal must be for
	// retention to remove it (a minute); tests change them.
	syncInterval time.Duration
	pruneEvery   time.Duration
	pruneGrace   time.Duration
}

// pruneMark is the file in the runs directory whose modification time
// says when retention last ran.
const pruneMark = ".pruned"

const defaultPruneEvery = 10 * time.Second

// Open returns the store under stateDir/runs, creating it 0700.
func Open(stateDir string) (*Store, error) {
	dir := filepath.Join(stateDir, "runs")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open run store: %w", err)
	}
	return &Store{dir: dir, Keep: DefaultKeep, syncInterval: defaultSyncInterval, pruneEvery: defaultPruneEvery, pruneGrace: time.Minute}, nil
}

// OpenRead returns the store under stateDir/runs for reading (listing,
// showing, completing) without creating it: a store not made yet holds
// no runs. Read-only commands use it, so that they leave no directory
// behind.
func OpenRead(stateDir string) *Store {
	return &Store{dir: filepath.Join(stateDir, "runs"), Keep: DefaultKeep, syncInterval: defaultSyncInterval, pruneEvery: defaultPruneEvery, pruneGrace: time.Minute}
}

// Dir is the directory holding one sub-directory per run.
func (s *Store) Dir() string { return s.dir }

// Meta is what a run was started with: enough to run it again.
type Meta struct {
	ID string `json:"id"`
	// Workflow is the absolute path of the workflow file; a copy of its
	// bytes is kept beside the record.
	Workflow string `json:"workflow"`
	// Nodes is how many nodes the workflow has.
	Nodes int `json:"nodes"`
	// Input is the run's input (the root nodes' input).
	Input json.RawMessage `json:"input"`
	// Parallel and Timeout are the flags the run had (0 for the defaults).
	Parallel int           `json:"parallel,omitempty"`
	Timeout  time.Duration `json:"timeout,omitempty"`
	// ResumedFrom is the run this one continues, if any.
	ResumedFrom string    `json:"resumedFrom,omitempty"`
	Created     time.Time `json:"created"`
	PID         int       `json:"pid"`
}

// NewID returns a run ID for a run starting at now: the UTC second and 8
// random hex digits. The digits need not be secret, only unlikely to
// repeat within a second: math/rand/v2 is seeded by the runtime, and its
// first read costs 0.25 us where crypto/rand's costs 54-84 us of every
// process. Reserve makes the journal with O_EXCL and draws again on a
// clash.
func NewID(now time.Time) string {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], rand.Uint32())
	return now.UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// isRunID reports whether name is a run ID as NewID makes them,
// 20261123T021501-3f9a1c2d: anything else in the runs directory (an
// operator's archive/, a stray file) is not a run.
func isRunID(name string) bool {
	if len(name) != len("20060102T150405-")+8 || name[8] != 'T' || name[15] != '-' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case i == 8 || i == 15:
		case i < 15 && (c < '0' || c > '9'):
			return false
		case i > 15 && !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f'):
			return false
		}
	}
	return true
}

// validID reports whether id can name a run directory (no path tricks).
func validID(id string) bool {
	if id == "" || len(id) > 64 || id[0] == '.' {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// Create starts the record of a new run: it picks an ID unique across
// processes, creates the run's journal with O_EXCL, takes its lock, writes
// the header line (meta and the workflow copy) and starts the journal
// writer and, beside the run, retention. meta.ID and meta.Created are
// filled in. The caller must Close the returned Run.
func (s *Store) Create(meta Meta, workflowData []byte) (*Run, error) {
	if meta.Created.IsZero() {
		meta.Created = time.Now()
	}
	res, err := s.Reserve(meta.Created)
	if err != nil {
		return nil, err
	}
	return s.CreateFrom(res, meta, workflowData)
}

// Reservation is the journal of a run that is about to start: created,
// empty and locked. Creating the file is the costliest step of recording
// a short run (0.3-0.5 ms of kernel time was measured on an ext4 without
// a journal, whose inode allocator steps over recently deleted inodes),
// so a caller may Reserve on a goroutine of its own while it reads and
// checks the workflow, then CreateFrom. A reservation no run takes must
// be Abandoned. Until its header is written, readers skip it as a
// journal cut short, and retention spares it (it is locked).
type Reservation struct {
	created time.Time
	id      string
	path    string
	file    *os.File
	taken   bool
}

// ID is the ID the run will have.
func (res *Reservation) ID() string { return res.id }

// Reserve creates a new run's journal for a run created at created: it
// picks an ID unique across processes, creates the file with O_EXCL and
// takes its lock.
func (s *Store) Reserve(created time.Time) (*Reservation, error) {
	res := &Reservation{created: created.UTC()}
	for i := 0; ; i++ {
		res.id = NewID(res.created)
		res.path = filepath.Join(s.dir, res.id+journalExt)
		var err error
		res.file, err = os.OpenFile(res.path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || i == 9 {
			return nil, fmt.Errorf("create the run's journal: %w", err)
		}
	}
	// The journal itself is the lock: held while the run goes, released
	// by Close or by the kernel when the process dies.
	if err := lockFile(res.file); err != nil {
		res.Abandon()
		return nil, fmt.Errorf("record run %s: lock the journal: %w", res.id, err)
	}
	return res, nil
}

// Abandon removes a reserved journal that no run took. It does nothing
// once CreateFrom has taken it, or when called again.
func (res *Reservation) Abandon() {
	if res == nil || res.taken {
		return
	}
	res.taken = true
	res.file.Close()
	os.Remove(res.path)
}

// CreateFrom starts the record of a new run in a reserved journal, as
// Create does: meta.ID and meta.Created are the reservation's.
func (s *Store) CreateFrom(res *Reservation, meta Meta, workflowData []byte) (*Run, error) {
	if res.taken {
		return nil, fmt.Errorf("record run %s: the reserved journal was already used", res.id)
	}
	res.taken = true
	meta.ID, meta.Created = res.id, res.created
	meta.PID = os.Getpid()
	if len(meta.Input) == 0 {
		meta.Input = json.RawMessage("{}")
	}
	path, journal := res.path, res.file
	fail := func(err error) (*Run, error) {
		journal.Close()
		os.Remove(path)
		return nil, fmt.Errorf("record run %s: %w", meta.ID, err)
	}
	// The header line: the same object json.Marshal(header{...}) makes,
	// without reflection (see appendMeta).
	head := make([]byte, 0, len(meta.Input)+len(meta.Workflow)+len(workflowData)+256)
	head = append(head, `{"meta":`...)
	head = appendMeta(head, &meta)
	head = append(head, `,"workflow":`...)
	head = appendString(head, string(workflowData))
	head = append(head, "}\n"...)
	if _, err := journal.Write(head); err != nil {
		return fail(err)
	}
	r := &Run{store: s, meta: meta, workflow: string(workflowData), path: path, file: journal, pruned: make(chan struct{})}
	r.written.Store(int64(len(head)))
	go func() {
		defer close(r.pruned)
		s.prune(meta.ID)
	}()
	r.start()
	return r, nil
}

// prune removes the oldest runs beyond Keep that no process holds, never
// the run current. Errors are ignored: retention is best effort. CreateFrom
// starts it beside the run and Close waits for it, so it takes nothing
// from the run's path but a core while the run waits on its nodes.
//
// It runs at most every pruneEvery (10 s), as the modification time of
// runs/.pruned says: listing a directory of 200 runs costs ext4 about
// 0.3 ms of CPU, and operators and cron start fogctl by the hundred, so
// the store may hold the runs of the last 10 seconds beyond Keep.
func (s *Store) prune(current string) {
	if s.Keep <= 0 {
		return
	}
	if s.pruneEvery > 0 {
		mark := filepath.Join(s.dir, pruneMark)
		now := time.Now()
		if fi, err := os.Stat(mark); err == nil && now.Sub(fi.ModTime()) < s.pruneEvery && !fi.ModTime().After(now) {
			return // pruned moments ago (a clock set back prunes at once)
		}
		if err := os.Chtimes(mark, now, now); errors.Is(err, fs.ErrNotExist) {
			os.WriteFile(mark, nil, 0o600)
		}
	}
	ids, err := s.ids()
	if err != nil || len(ids) <= s.Keep {
		return
	}
	// ids is newest first; walk the tail.
	for _, id := range ids[s.Keep:] {
		if id == current || s.running(id) || s.claimed(id) || s.justCreated(id) {
			continue
		}
		if os.Remove(filepath.Join(s.dir, id+journalExt)) != nil {
			os.RemoveAll(filepath.Join(s.dir, id)) // a legacy run directory
		}
		os.Remove(filepath.Join(s.dir, id+claimExt)) // left by a resume that was killed
	}
}

// justCreated reports whether id's journal was written within pruneGrace
// (a minute): a run whose ID sorts among the oldest (its process's clock far
// behind) may be between its O_EXCL create and its flock, unlocked for a
// moment, and is not removed.
func (s *Store) justCreated(id string) bool {
	fi, err := os.Stat(filepath.Join(s.dir, id+journalExt))
	return err == nil && time.Since(fi.ModTime()) < s.pruneGrace
}

// ids lists run IDs newest first (IDs sort by their start second).
func (s *Store) ids() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // not created yet (OpenRead): no runs
	}
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		name := e.Name()
		if id, ok := strings.CutSuffix(name, journalExt); ok && !e.IsDir() && isRunID(id) {
			ids = append(ids, id)
		} else if e.IsDir() && isRunID(name) {
			ids = append(ids, name)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(ids)))
	return ids, nil
}

// Summary is one line of `fogctl runs list`.
type Summary struct {
	ID          string         `json:"id"`
	Workflow    string         `json:"workflow"`
	State       workflow.State `json:"state"`
	Created     time.Time      `json:"created"`
	Finished    time.Time      `json:"finished,omitzero"`
	Nodes       int            `json:"nodes"`
	Succeeded   int            `json:"succeeded"`
	Failed      int            `json:"failed"`
	Retried     int            `json:"retried"`
	ResumedFrom string         `json:"resumedFrom,omitempty"`
}

// header is the journal's first line: what the run was started with.
type header struct {
	Meta     Meta   `json:"meta"`
	Workflow string `json:"workflow"`
}

// compacted is record.json: the header and the final record.
type compacted struct {
	Meta     Meta             `json:"meta"`
	Workflow string           `json:"workflow"`
	Record   *workflow.Record `json:"record"`
}

// List returns the summaries of all recorded runs, newest first. A run
// still being written is listed as running; one whose process died as
// interrupted.
func (s *Store) List() ([]Summary, error) {
	ids, err := s.ids()
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	out := make([]Summary, 0, len(ids))
	for _, id := range ids {
		sum, err := s.summary(id)
		if err != nil {
			continue // a run being created or removed right now
		}
		out = append(out, sum)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].ID > out[j].ID
	})
	return out, nil
}

// summary reads a run's summary: the last line of a finished run's
// journal, or of a legacy run its summary.json cache. A run without one
// (running, killed, or the cache torn) is replayed.
func (s *Store) summary(id string) (Summary, error) {
	var sum Summary
	if line, err := lastLine(filepath.Join(s.dir, id+journalExt)); err == nil {
		var sl summaryLine
		if json.Unmarshal(line, &sl) == nil && sl.Summary.ID == id {
			return sl.Summary, nil
		}
	} else if data, err := os.ReadFile(filepath.Join(s.dir, id, summaryFile)); err == nil {
		if err := json.Unmarshal(data, &sum); err == nil && sum.ID == id {
			return sum, nil
		}
	}
	l, err := s.Load(id)
	if err != nil {
		return Summary{}, err
	}
	return l.Summary(), nil
}

// lastLine returns the last complete line of the file at path, read from
// its end: a summary line is a few hundred bytes, a journal megabytes. It
// reads 1 KiB, then more, up to 64 KiB.
func lastLine(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	for want := int64(1 << 10); ; want *= 8 {
		n := min(size, want)
		buf := make([]byte, n)
		if _, err := f.ReadAt(buf, size-n); err != nil {
			return nil, err
		}
		buf, ok := bytes.CutSuffix(buf, []byte{'\n'})
		if !ok {
			return nil, errors.New("torn last line")
		}
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			return buf[i+1:], nil
		}
		if n == size {
			return buf, nil
		}
		if want >= 64<<10 {
			return nil, errors.New("last line too long")
		}
	}
}

// journalPath is the file holding id's journal: runs/<id>.jsonl, or the
// journal of a legacy run directory.
func (s *Store) journalPath(id string) string {
	p := filepath.Join(s.dir, id+journalExt)
	if _, err := os.Lstat(p); err == nil {
		return p
	}
	return filepath.Join(s.dir, id, journalFile)
}

// running reports whether a process holds the run's lock: an flock on
// its journal. A finished legacy run has no journal and is not running.
func (s *Store) running(id string) bool {
	lock := flock.New(s.journalPath(id), flock.SetFlag(os.O_RDONLY))
	ok, err := lock.TryRLock()
	if err != nil {
		return false // no journal: compacted, or being created or removed
	}
	lock.Close()
	return !ok
}

// exists reports whether id names a recorded run.
func (s *Store) exists(id string) bool {
	if !validID(id) {
		return false
	}
	for _, f := range []string{id + journalExt, filepath.Join(id, recordFile), filepath.Join(id, journalFile)} {
		if _, err := os.Stat(filepath.Join(s.dir, f)); err == nil {
			return true
		}
	}
	return false
}

// Resolve turns what a user typed into a run ID: "latest" is the newest
// run, and a unique prefix names the run it starts.
func (s *Store) Resolve(name string) (string, error) {
	if name == "latest" {
		// IDs sort by their start second: the newest run is in the
		// newest second that holds a run that can be read (one being
		// created right now, or cut short as it started, cannot).
		ids, err := s.ids()
		if err != nil {
			return "", fmt.Errorf("list runs: %w", err)
		}
		for i := 0; i < len(ids); {
			second, _, _ := strings.Cut(ids[i], "-")
			latest, when := "", time.Time{}
			for ; i < len(ids) && strings.HasPrefix(ids[i], second+"-"); i++ {
				sum, err := s.summary(ids[i])
				if err != nil {
					continue
				}
				if latest == "" || sum.Created.After(when) || sum.Created.Equal(when) && ids[i] > latest {
					latest, when = ids[i], sum.Created
				}
			}
			if latest != "" {
				return latest, nil
			}
		}
		return "", fmt.Errorf("no runs recorded yet in %s", s.dir)
	}
	if !validID(name) {
		return "", fmt.Errorf("run %q: %w", name, ErrNotFound)
	}
	if s.exists(name) {
		return name, nil
	}
	ids, err := s.ids()
	if err != nil {
		return "", err
	}
	var match []string
	for _, id := range ids {
		if strings.HasPrefix(id, name) {
			match = append(match, id)
		}
	}
	switch len(match) {
	case 0:
		return "", fmt.Errorf("run %q: %w (see 'fogctl runs list')", name, ErrNotFound)
	case 1:
		return match[0], nil
	}
	return "", fmt.Errorf("run %q is ambiguous: it starts %d runs (%s, ...)", name, len(match), match[0])
}

// IDs lists run IDs newest first, for shell completion. A journal still
// empty is not offered: a run reserved and not begun yet, or one whose
// fogctl was stopped before it began.
func (s *Store) IDs() ([]string, error) {
	ids, err := s.ids()
	if err != nil {
		return nil, err
	}
	out := ids[:0]
	for _, id := range ids {
		if fi, err := os.Stat(filepath.Join(s.dir, id+journalExt)); err == nil && fi.Size() == 0 {
			continue
		}
		out = append(out, id)
	}
	return out, nil
}

// Loaded is a recorded run as Load reads it.
type Loaded struct {
	Meta Meta
	// WorkflowData is the workflow file as it was run.
	WorkflowData []byte
	// Workflow is WorkflowData parsed; nil when this fogctl cannot read
	// it (WorkflowErr says why): Record is then built from the events,
	// for showing, and the run cannot be resumed from its copy.
	Workflow    *workflow.Workflow
	WorkflowErr error
	// Record is the run's record: its journal replayed (or a legacy
	// run's compacted record.json).
	Record *workflow.Record
	// State is the run's state, StateInterrupted for a run whose process
	// died before it ended.
	State workflow.State
	// Events are the journal's events (none for a compacted legacy run).
	Events []workflow.Event
}

// Summary is the run's line in List.
func (l *Loaded) Summary() Summary {
	sum := Summary{
		ID:          l.Meta.ID,
		Workflow:    l.Meta.Workflow,
		State:       l.State,
		Created:     l.Meta.Created,
		Finished:    l.Record.Ended,
		Nodes:       l.Meta.Nodes,
		ResumedFrom: l.Meta.ResumedFrom,
	}
	if !l.State.Terminal() {
		sum.Finished = time.Time{}
	}
	for _, n := range l.Record.Nodes {
		switch n.State {
		case workflow.StateSucceeded:
			sum.Succeeded++
		case workflow.StateFailed:
			sum.Failed++
		}
		if len(n.Attempts) > 1 {
			sum.Retried++
		}
	}
	return sum
}

// Load reads one run by replaying its journal, a torn last line ignored;
// a legacy run directory is read from its record.json once compacted.
func (s *Store) Load(id string) (*Loaded, error) {
	if !validID(id) {
		return nil, fmt.Errorf("run %q: %w", id, ErrNotFound)
	}
	path := filepath.Join(s.dir, id+journalExt)
	if _, err := os.Lstat(path); err != nil {
		if l, err := s.loadLegacy(id); !errors.Is(err, fs.ErrNotExist) {
			return l, err
		}
	}
	head, events, _, err := readJournal(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("run %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	return s.replay(id, head, events)
}

func (s *Store) replay(id string, head header, events []workflow.Event) (*Loaded, error) {
	wf, err := parseRecorded(head.Meta.Workflow, []byte(head.Workflow))
	if err != nil && (head.Meta.ID != id || strings.TrimSpace(head.Workflow) == "") {
		// Not a journal fogctl wrote: no run to show.
		return nil, fmt.Errorf("run %s: recorded workflow: %w", id, err)
	}
	l := &Loaded{Meta: head.Meta, WorkflowData: []byte(head.Workflow), Workflow: wf, Events: events}
	if err != nil {
		// A copy no fogctl of today reads: the record of what ran, from
		// the events alone, so that the run can still be shown.
		l.WorkflowErr = fmt.Errorf("run %s: recorded workflow: %w", id, err)
		l.Record = recordFromEvents(id, head.Meta.Workflow, events)
	} else {
		l.Record = workflow.NewRecord(wf, id)
	}
	for _, ev := range events {
		l.Record.Apply(ev)
	}
	l.State = l.Record.State
	if !l.State.Terminal() && !s.running(id) {
		l.State = StateInterrupted
	}
	return l, nil
}

// parseRecorded parses the copy of the workflow recorded with a run as
// the fogctl that recorded it did: without the checks added since
// (workflow.ParseOptions.Recorded), so that runs recorded by an earlier
// version can still be shown and resumed.
func parseRecorded(file string, data []byte) (*workflow.Workflow, error) {
	return workflow.ParseWith(file, data, workflow.ParseOptions{Recorded: true})
}

// recordFromEvents is the record of run id built from its events alone:
// its nodes are those the events name, in the order they first appear.
func recordFromEvents(id, file string, events []workflow.Event) *workflow.Record {
	r := &workflow.Record{ID: id, File: file, State: workflow.StatePending}
	seen := map[string]bool{}
	for _, ev := range events {
		if ev.Node != "" && !seen[ev.Node] {
			seen[ev.Node] = true
			r.Nodes = append(r.Nodes, &workflow.NodeRecord{Name: ev.Node, State: workflow.StatePending})
		}
	}
	return r
}

// loadLegacy reads a run directory written before runs were one file:
// record.json once compacted, else its journal. An error wrapping
// fs.ErrNotExist means there is no such directory either.
func (s *Store) loadLegacy(id string) (*Loaded, error) {
	dir := filepath.Join(s.dir, id)
	if data, err := os.ReadFile(filepath.Join(dir, recordFile)); err == nil {
		var c compacted
		if err := json.Unmarshal(data, &c); err != nil || c.Record == nil {
			return nil, fmt.Errorf("run %s: %s is damaged: %v", id, filepath.Join(dir, recordFile), err)
		}
		l := &Loaded{Meta: c.Meta, WorkflowData: []byte(c.Workflow), Record: c.Record, State: c.Record.State}
		wf, err := parseRecorded(c.Meta.Workflow, l.WorkflowData)
		if err != nil {
			l.WorkflowErr = fmt.Errorf("run %s: recorded workflow: %w", id, err)
		}
		l.Workflow = wf
		if !l.State.Terminal() {
			l.State = StateInterrupted
		}
		return l, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	head, events, _, err := readJournal(filepath.Join(dir, journalFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	return s.replay(id, head, events)
}

// Running reports whether a process is running the run now.
func (s *Store) Running(id string) bool { return s.running(id) }

// readJournal reads a journal: its header line, then events, then the
// summary line of a run that ended, which is skipped. A last line
// without its newline, or one that does not decode, is a write torn by a
// kill: it is dropped and torn is true.
func readJournal(path string) (head header, events []workflow.Event, torn bool, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return head, nil, false, err
	}
	if len(data) == 0 {
		return head, nil, true, fmt.Errorf("%s: empty: the run never started (its fogctl was stopped first)", path)
	}
	i := bytes.IndexByte(data, '\n')
	if i < 0 || json.Unmarshal(data[:i], &head) != nil {
		return head, nil, true, fmt.Errorf("%s: no header line: the run was killed as it started", path)
	}
	data = data[i+1:]
	for n := 2; len(data) > 0; n++ {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return head, events, true, nil
		}
		line := data[:i]
		data = data[i+1:]
		if len(bytes.TrimSpace(line)) == 0 || bytes.HasPrefix(line, []byte(`{"summary":`)) {
			continue
		}
		var ev workflow.Event
		if err := json.Unmarshal(line, &ev); err != nil {
			if len(data) == 0 {
				return head, events, true, nil
			}
			return head, events, false, fmt.Errorf("%s: line %d: %w", path, n, err)
		}
		if ev.RunID == "" {
			ev.RunID = head.Meta.ID // the header holds it once
		}
		events = append(events, ev)
	}
	return head, events, false, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
