package runstore

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fogctl/fogctl/workflow"
	"github.com/gofrs/flock"
)

// DefaultKeep is how many runs a Store keeps before Create removes the oldest.
const DefaultKeep = 200

// StateInterrupted is the state of a run whose process died (SIGKILL, a
// crash, a power cut) before it ended: its journal has no final event and
// no process holds its lock. `fogctl run --resume ID` continues it.
const StateInterrupted workflow.State = "interrupted"

// File names inside a run directory.
const (
	journalFile = "journal.jsonl"
	recordFile  = "record.json"
	summaryFile = "summary.json"
)

// ErrNotFound is returned for a run ID the store does not hold.
var ErrNotFound = errors.New("no such run")

// Store is the directory of recorded runs.
type Store struct {
	dir string
	// Keep is how many runs Create keeps; older runs are removed.
	Keep int
}

// Open returns the store under stateDir/runs, creating it 0700.
func Open(stateDir string) (*Store, error) {
	dir := filepath.Join(stateDir, "runs")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open run store: %w", err)
	}
	return &Store{dir: dir, Keep: DefaultKeep}, nil
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
// random hex digits.
func NewID(now time.Time) string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return now.UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
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
// processes, writes meta.json and the workflow copy, takes the run's lock
// and starts the journal writer. meta.ID and meta.Created are filled in.
// The caller must Close the returned Run.
func (s *Store) Create(meta Meta, workflowData []byte) (*Run, error) {
	if meta.Created.IsZero() {
		meta.Created = time.Now()
	}
	meta.Created = meta.Created.UTC()
	meta.PID = os.Getpid()
	if len(meta.Input) == 0 {
		meta.Input = json.RawMessage("{}")
	}
	var dir string
	for i := 0; ; i++ {
		meta.ID = NewID(meta.Created)
		dir = filepath.Join(s.dir, meta.ID)
		err := os.Mkdir(dir, 0o700)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || i == 9 {
			return nil, fmt.Errorf("create run directory: %w", err)
		}
	}
	fail := func(err error) (*Run, error) {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("record run %s: %w", meta.ID, err)
	}
	metaData, err := json.Marshal(meta)
	if err != nil {
		return fail(err)
	}
	journalPath := filepath.Join(dir, journalFile)
	journal, err := os.OpenFile(journalPath, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fail(err)
	}
	// The journal itself is the lock: held while the run goes, released
	// by Close or by the kernel when the process dies.
	lock := flock.New(journalPath, flock.SetFlag(os.O_WRONLY))
	if ok, err := lock.TryLock(); err != nil || !ok {
		journal.Close()
		return fail(fmt.Errorf("lock the journal: %v", err))
	}
	// The header line: the same object json.Marshal(header{...}) makes.
	// It goes to disk with the first batch's fsync.
	head := make([]byte, 0, len(metaData)+len(workflowData)+64)
	head = append(head, `{"meta":`...)
	head = append(head, metaData...)
	head = append(head, `,"workflow":`...)
	head = appendString(head, string(workflowData))
	head = append(head, "}\n"...)
	if _, err := journal.Write(head); err != nil {
		journal.Close()
		lock.Close()
		return fail(err)
	}
	r := &Run{store: s, meta: meta, workflow: string(workflowData), dir: dir, lock: lock, file: journal}
	r.start()
	return r, nil
}

// prune removes the oldest runs beyond Keep that no process holds, never
// the run current. Errors are ignored: retention is best effort. Close
// runs it beside the writing of the run's record, so it never delays a
// run's start and adds little to its end.
func (s *Store) prune(current string) {
	if s.Keep <= 0 {
		return
	}
	ids, err := s.ids()
	if err != nil || len(ids) <= s.Keep {
		return
	}
	// ids is newest first; walk the tail.
	for _, id := range ids[s.Keep:] {
		if id == current || s.running(id) {
			continue
		}
		os.RemoveAll(filepath.Join(s.dir, id))
	}
}

// ids lists run IDs newest first (IDs sort by their start second).
func (s *Store) ids() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.IsDir() && validID(e.Name()) {
			ids = append(ids, e.Name())
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

// summary reads summary.json, a cache written without fsync; when it is
// missing or torn, the summary is computed from the record or journal.
func (s *Store) summary(id string) (Summary, error) {
	var sum Summary
	if data, err := os.ReadFile(filepath.Join(s.dir, id, summaryFile)); err == nil {
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

// running reports whether a process holds the run's lock: an flock on
// its journal. A compacted run has no journal and is not running.
func (s *Store) running(id string) bool {
	lock := flock.New(filepath.Join(s.dir, id, journalFile), flock.SetFlag(os.O_RDONLY))
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
	for _, f := range []string{recordFile, journalFile} {
		if _, err := os.Stat(filepath.Join(s.dir, id, f)); err == nil {
			return true
		}
	}
	return false
}

// Resolve turns what a user typed into a run ID: "latest" is the newest
// run, and a unique prefix names the run it starts.
func (s *Store) Resolve(name string) (string, error) {
	if name == "latest" {
		runs, err := s.List()
		if err != nil {
			return "", err
		}
		if len(runs) == 0 {
			return "", fmt.Errorf("no runs recorded yet in %s", s.dir)
		}
		return runs[0].ID, nil
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

// IDs lists run IDs newest first, for shell completion.
func (s *Store) IDs() ([]string, error) { return s.ids() }

// Loaded is a recorded run as Load reads it.
type Loaded struct {
	Meta Meta
	// WorkflowData is the workflow file as it was run.
	WorkflowData []byte
	// Workflow is WorkflowData parsed.
	Workflow *workflow.Workflow
	// Record is the run's record: the compacted record.json of a finished
	// run, or the journal replayed for one that is running or was killed.
	Record *workflow.Record
	// State is the run's state, StateInterrupted for a run whose process
	// died before it ended.
	State workflow.State
	// Events are the journal's events (only for a run not yet compacted).
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

// Load reads one run. A finished run is read from record.json; a running
// or killed one is replayed from its journal, a torn last line ignored.
func (s *Store) Load(id string) (*Loaded, error) {
	if !validID(id) {
		return nil, fmt.Errorf("run %q: %w", id, ErrNotFound)
	}
	dir := filepath.Join(s.dir, id)
	if data, err := os.ReadFile(filepath.Join(dir, recordFile)); err == nil {
		var c compacted
		if err := json.Unmarshal(data, &c); err != nil || c.Record == nil {
			return nil, fmt.Errorf("run %s: %s is damaged: %v", id, filepath.Join(dir, recordFile), err)
		}
		l := &Loaded{Meta: c.Meta, WorkflowData: []byte(c.Workflow), Record: c.Record, State: c.Record.State}
		wf, err := workflow.Parse(c.Meta.Workflow, l.WorkflowData)
		if err != nil {
			return nil, fmt.Errorf("run %s: recorded workflow: %w", id, err)
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
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("run %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	wf, err := workflow.Parse(head.Meta.Workflow, []byte(head.Workflow))
	if err != nil {
		return nil, fmt.Errorf("run %s: recorded workflow: %w", id, err)
	}
	l := &Loaded{Meta: head.Meta, WorkflowData: []byte(head.Workflow), Workflow: wf, Events: events}
	l.Record = workflow.NewRecord(wf, id)
	for _, ev := range events {
		l.Record.Apply(ev)
	}
	l.State = l.Record.State
	if !l.State.Terminal() && !s.running(id) {
		l.State = StateInterrupted
	}
	return l, nil
}

// Running reports whether a process is running the run now.
func (s *Store) Running(id string) bool { return s.running(id) }

// readJournal reads a journal: its header line, then events. A last line
// without its newline, or one that does not decode, is a write torn by a
// kill: it is dropped and torn is true.
func readJournal(path string) (head header, events []workflow.Event, torn bool, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return head, nil, false, err
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
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var ev workflow.Event
		if err := json.Unmarshal(line, &ev); err != nil {
			if len(data) == 0 {
				return head, events, true, nil
			}
			return head, events, false, fmt.Errorf("%s: line %d: %w", path, n, err)
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
