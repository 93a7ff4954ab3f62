package runstore

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/fogctl/fogctl/workflow"
	"github.com/gofrs/flock"
)

// Run is the record of one run being written. Append queues events for
// the writer goroutine; Close drains it and compacts the journal.
type Run struct {
	meta     Meta
	workflow string
	dir      string
	lock     *flock.Flock
	file     *os.File

	mu      sync.Mutex
	queue   []workflow.Event
	closing bool
	wake    chan struct{}
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
	w := bufio.NewWriterSize(r.file, 64<<10)
	enc := json.NewEncoder(w)
	var batch []workflow.Event
	for {
		<-r.wake
		r.mu.Lock()
		batch, r.queue = r.queue, batch[:0]
		closing := r.closing
		r.mu.Unlock()

		sync := false
		for i := range batch {
			ev := &batch[i]
			if r.err == nil {
				if err := enc.Encode(ev); err != nil {
					r.err = err
				}
			}
			r.tally.add(*ev)
			if ev.Node == "" || ev.State.Terminal() {
				sync = true
			}
		}
		clear(batch)
		if r.err == nil {
			if err := w.Flush(); err != nil {
				r.err = err
			}
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
	select {
	case r.wake <- struct{}{}:
	default:
	}
	<-r.done
	<-r.synced
	defer r.lock.Unlock()
	err := r.err
	if err == nil {
		err = r.syncErr
	}
	if err == nil && rec != nil {
		err = r.compact(rec)
	}
	if err == nil && rec == nil {
		err = r.file.Sync()
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
// directory), then summary.json (a cache: no fsync), then removes the
// journal. A kill at any point leaves the journal or the record to read.
func (r *Run) compact(rec *workflow.Record) error {
	data, err := json.Marshal(compacted{Meta: r.meta, Workflow: r.workflow, Record: rec})
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(r.dir, recordFile), data, true); err != nil {
		return err
	}
	if err := syncDir(r.dir); err != nil {
		return err
	}
	if sum, err := json.Marshal(r.tally.summary()); err == nil {
		_ = writeFile(filepath.Join(r.dir, summaryFile), sum, false)
	}
	if err := os.Remove(filepath.Join(r.dir, journalFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
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
