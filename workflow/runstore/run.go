package runstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fogctl/fogctl/workflow"
	"github.com/gofrs/flock"
)

// writeCoalesce is how long the writer lets events gather after the first
// of a burst before it writes them: a SIGKILL loses at most this much.
const writeCoalesce = time.Millisecond

// Run is the record of one run being written. Append queues events for
// the writer goroutine; Close drains it and compacts the journal.
type Run struct {
	store    *Store
	meta     Meta
	workflow string
	dir      string
	lock     *flock.Flock
	file     *os.File

	mu      sync.Mutex
	queue   []workflow.Event
	closing bool
	wake    chan struct{}
	closeCh chan struct{} // closed by Close: stop coalescing, drain now
	done    chan struct{}

	// Owned by the writer goroutine until done is closed.
	err   error
	tally tally

	// The syncer goroutine fsyncs the journal when asked, so that writes
	// never wait behind an fsync. Its fields are read after synced closes.
	syncReq chan struct{}
	synced  chan struct{}
	syncErr error
	syncs   int
}

// ID is the run's ID.
func (r *Run) ID() string { return r.meta.ID }

// Meta is what the run was created with.
func (r *Run) Meta() Meta { return r.meta }

// Dir is the run's directory.
func (r *Run) Dir() string { return r.dir }

func (r *Run) start() {
	r.wake = make(chan struct{}, 1)
	r.closeCh = make(chan struct{})
	r.done = make(chan struct{})
	r.tally = newTally(r.meta)
	r.syncReq = make(chan struct{}, 1)
	r.synced = make(chan struct{})
	go r.sync()
	go r.write()
}

// sync is the syncer goroutine: one fsync per request, and requests that
// come while it syncs are served by the next fsync (group commit). It ends
// when the writer closes syncReq.
func (r *Run) sync() {
	defer close(r.synced)
	for range r.syncReq {
		if r.syncErr != nil {
			continue
		}
		r.syncErr = r.file.Sync()
		r.syncs++
	}
}

// Append queues ev for the journal. It never blocks on the disk: the
// writer goroutine encodes and writes queued events in batches.
func (r *Run) Append(ev workflow.Event) {
	r.mu.Lock()
	r.queue = append(r.queue, ev)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// write is the writer goroutine. Each batch is written with one write(2)
// as soon as it is queued (so it survives the process being killed), and
// the syncer is asked to fsync it when it finished a node or the run (so
// it survives a power cut): at most one fsync in flight, however many
// events and batches it covers.
func (r *Run) write() {
	defer close(r.done)
	defer close(r.syncReq)
	var buf []byte
	var batch []workflow.Event
	coalesce := time.NewTimer(time.Hour)
	coalesce.Stop()
	for {
		<-r.wake
		// Let a burst gather for a moment: one write(2) per burst, not
		// one per event, keeps the writer from competing with the engine
		// for the CPU when nodes finish by the thousand.
		coalesce.Reset(writeCoalesce)
		select {
		case <-coalesce.C:
		case <-r.closeCh:
			coalesce.Stop()
		}
		r.mu.Lock()
		batch, r.queue = r.queue, batch[:0]
		closing := r.closing
		r.mu.Unlock()

		sync := false
		buf = buf[:0]
		for i := range batch {
			ev := &batch[i]
			buf = appendEvent(buf, ev)
			r.tally.add(*ev)
			// A node that finished is fsynced; the run's own last event
			// is not, as Close compacts the journal right after it.
			if ev.Node != "" && ev.State.Terminal() {
				sync = true
			}
		}
		clear(batch)
		if r.err == nil && len(buf) > 0 {
			if _, err := r.file.Write(buf); err != nil {
				r.err = err
			}
		}
		if cap(buf) > 1<<20 {
			buf = nil // do not keep a large burst's buffer for the whole run
		}
		if sync && r.err == nil && !closing {
			select {
			case r.syncReq <- struct{}{}:
			default: // an fsync is already asked for; it will cover this batch
			}
		}
		if closing {
			r.mu.Lock()
			empty := len(r.queue) == 0
			r.mu.Unlock()
			if empty {
				return
			}
		}
	}
}

// Close drains the journal and, given the run's final record, compacts
// it: record.json and summary.json are written atomically and the journal
// is removed. With a nil record (the run never ran) the journal is kept as
// it is. The run's lock is released either way.
func (r *Run) Close(rec *workflow.Record) error {
	r.mu.Lock()
	r.closing = true
	r.mu.Unlock()
	close(r.closeCh)
	select {
	case r.wake <- struct{}{}:
	default:
	}
	<-r.done
	defer r.lock.Close()
	// Retention touches only other runs' directories: it goes on while
	// this run's record is written and fsynced rather than after, and is
	// over when Close returns.
	pruned := make(chan struct{})
	go func() {
		defer close(pruned)
		r.store.prune(r.meta.ID)
	}()
	defer func() { <-pruned }()
	err := r.err
	if err == nil && rec != nil {
		// The syncer may still be fsyncing the journal: the record is
		// written meanwhile, and the journal removed after.
		err = r.compact(rec)
	} else {
		<-r.synced
		if err == nil {
			err = r.syncErr
		}
		if err == nil {
			err = r.file.Sync()
		}
	}
	if cerr := r.file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("record run %s: %w", r.meta.ID, err)
	}
	return nil
}

// compact writes record.json (temp file, fsync, rename, fsync of the
// directory), removes the journal, then writes summary.json (a cache,
// written in place without fsync: a torn one is recomputed). A kill at
// any point leaves the journal or the record to read.
func (r *Run) compact(rec *workflow.Record) error {
	// The same object json.Marshal(compacted{...}) makes, built without
	// reflection (see appendRecord).
	meta, err := json.Marshal(r.meta)
	if err != nil {
		<-r.synced
		return err
	}
	data := make([]byte, 0, len(meta)+len(r.workflow)+64<<10)
	data = append(data, `{"meta":`...)
	data = append(data, meta...)
	data = append(data, `,"workflow":`...)
	data = appendString(data, r.workflow)
	data = append(data, `,"record":`...)
	data = appendRecord(data, rec)
	data = append(data, '}')
	err = writeFile(filepath.Join(r.dir, recordFile), data, true)
	if err == nil {
		err = syncDir(r.dir)
	}
	<-r.synced
	if err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(r.dir, journalFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if sum, err := json.Marshal(r.tally.summary()); err == nil {
		_ = os.WriteFile(filepath.Join(r.dir, summaryFile), sum, 0o600)
	}
	return nil
}

// writeFile writes data to path through a temp file in the same
// directory and a rename, so readers see the old file or the new one,
// never a part; with sync the temp file is fsynced before the rename.
func writeFile(path string, data []byte, sync bool) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if sync {
		if err := tmp.Sync(); err != nil {
			tmp.Close()
			return err
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// tally counts what List shows, from events, in the writer goroutine.
type tally struct {
	sum     Summary
	state   workflow.State
	nodes   map[string]workflow.State
	retried map[string]bool
}

func newTally(meta Meta) tally {
	return tally{
		sum: Summary{
			ID:          meta.ID,
			Workflow:    meta.Workflow,
			Created:     meta.Created,
			Nodes:       meta.Nodes,
			ResumedFrom: meta.ResumedFrom,
		},
		state:   workflow.StatePending,
		nodes:   map[string]workflow.State{},
		retried: map[string]bool{},
	}
}

func (t *tally) add(ev workflow.Event) {
	if ev.Node == "" {
		t.state = ev.State
		if ev.State.Terminal() {
			t.sum.Finished = ev.Time
		}
		return
	}
	t.nodes[ev.Node] = ev.State
	if ev.State == workflow.StateRetrying || ev.Attempt > 1 {
		t.retried[ev.Node] = true
	}
}

func (t *tally) summary() Summary {
	s := t.sum
	s.State = t.state
	s.Succeeded, s.Failed = 0, 0
	for _, st := range t.nodes {
		switch st {
		case workflow.StateSucceeded:
			s.Succeeded++
		case workflow.StateFailed:
			s.Failed++
		}
	}
	s.Retried = len(t.retried)
	return s
}
