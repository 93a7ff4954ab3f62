package runstore

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fogctl/fogctl/workflow"
)

// writeCoalesce is how long the writer lets events gather after the first
// of a burst before it writes them: a SIGKILL loses at most this much.
const writeCoalesce = time.Millisecond

// defaultSyncInterval is the longest a written event waits for its fsync while
// the run goes: a power cut loses at most this much of a running run.
// Close fsyncs whatever is left, so a run that ended is on disk whatever
// its length, and a run shorter than this costs one fsync in all.
const defaultSyncInterval = 200 * time.Millisecond

// Run is the record of one run being written. Append queues events for
// the writer goroutine; Close drains it, ends the journal with the run's
// summary and fsyncs it.
type Run struct {
	store    *Store
	meta     Meta
	workflow string
	path     string
	file     *os.File // the journal, O_APPEND, flocked while the run goes

	mu      sync.Mutex
	queue   []workflow.Event
	closing bool
	wake    chan struct{}
	closeCh chan struct{} // closed by Close: stop coalescing, drain now
	done    chan struct{}

	// Owned by the writer goroutine until done is closed.
	err   error
	tally tally

	// The syncer goroutine fsyncs the runs directory once (the new
	// journal's entry) and then the journal, at most every syncInterval,
	// so that writes never wait behind an fsync. Its fields are read
	// after synced closes.
	syncReq chan struct{}
	synced  chan struct{}
	syncErr error
	syncs   atomic.Int32 // fsyncs of the journal before Close's

	// written counts the journal's bytes the writer wrote, durable those
	// a completed fsync covers. ended is set, and endCh closed, once the
	// writer wrote the run's terminal event and summary line.
	written atomic.Int64
	durable atomic.Int64
	ended   atomic.Bool
	endCh   chan struct{}

	pruned chan struct{} // closed when retention, started by Create, is over
}

// ID is the run's ID.
func (r *Run) ID() string { return r.meta.ID }

// Meta is what the run was created with.
func (r *Run) Meta() Meta { return r.meta }

// Path is the run's journal file.
func (r *Run) Path() string { return r.path }

func (r *Run) start() {
	r.wake = make(chan struct{}, 1)
	r.closeCh = make(chan struct{})
	r.done = make(chan struct{})
	r.tally = newTally(r.meta)
	r.syncReq = make(chan struct{}, 1)
	r.synced = make(chan struct{})
	r.endCh = make(chan struct{})
	go r.sync()
	go r.write()
}

// sync is the syncer goroutine. It makes the journal's directory entry
// durable (on a goroutine of its own, joined before it ends) and serves
// requests: each waits out syncInterval since the last fsync (requests
// meanwhile fold into it: group commit) and fsyncs the journal. Once the writer has written the run's end (its terminal
// event and the summary line) it fsyncs at once, while the caller still
// prints and tears down; once Close has begun without that end, it
// leaves the last fsync to Close. It ends when the writer closes syncReq.
func (r *Run) sync() {
	defer close(r.synced)
	// The directory's fsync goes on beside the journal's: on a run
	// shorter than one fsync, the end's would otherwise wait for it.
	dirSynced := make(chan error, 1)
	go func() { dirSynced <- syncDir(r.store.dir) }()
	defer func() {
		if err := <-dirSynced; err != nil && r.syncErr == nil {
			r.syncErr = err
		}
	}()
	var timer *time.Timer
	last := time.Now()
	for range r.syncReq {
		if r.syncErr != nil {
			continue
		}
		if wait := r.store.syncInterval - time.Since(last); wait > 0 && !r.ended.Load() {
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			select {
			case <-timer.C:
			case <-r.endCh:
				timer.Stop()
			case <-r.closeCh:
				timer.Stop()
			}
		}
		if !r.ended.Load() && r.isClosing() {
			continue // Close writes what is left and fsyncs it
		}
		w := r.written.Load()
		if w <= r.durable.Load() {
			continue
		}
		r.syncErr = r.file.Sync()
		if r.syncErr == nil {
			r.durable.Store(w)
		}
		r.syncs.Add(1)
		last = time.Now()
	}
}

func (r *Run) isClosing() bool {
	select {
	case <-r.closeCh:
		return true
	default:
		return false
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
// the syncer is told there is something to fsync (so it survives a power
// cut): at most one fsync in flight, however many events and batches it
// covers.
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

		buf = buf[:0]
		ended := false
		for i := range batch {
			ev := &batch[i]
			buf = appendEvent(buf, ev)
			r.tally.add(*ev)
			if ev.Node == "" && ev.State.Terminal() && !ended && !r.ended.Load() {
				// The run's last event: the summary line goes with it,
				// in the same write, and the syncer fsyncs it at once.
				buf = r.appendSummary(buf)
				ended = true
			}
		}
		clear(batch)
		n := len(buf)
		if r.err == nil && n > 0 {
			if _, err := r.file.Write(buf); err != nil {
				r.err = err
			} else {
				r.written.Add(int64(n))
			}
		}
		if cap(buf) > 1<<20 {
			buf = nil // do not keep a large burst's buffer for the whole run
		}
		if ended && r.err == nil {
			r.ended.Store(true)
			close(r.endCh)
		}
		if n > 0 && r.err == nil && (!closing || ended) {
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

// Close drains the journal, ends it with the run's summary line when the
// run ran (ran is false for one that never started) and the
// writer did not already, and fsyncs what no fsync has covered yet: when
// Close returns, the whole run is on disk. The run's lock goes with the
// journal's file descriptor either way.
func (r *Run) Close(ran bool) error {
	r.mu.Lock()
	if r.closing {
		r.mu.Unlock()
		return fmt.Errorf("record run %s: closed twice", r.meta.ID)
	}
	r.closing = true
	r.mu.Unlock()
	close(r.closeCh)
	select {
	case r.wake <- struct{}{}:
	default:
	}
	<-r.done
	defer func() { <-r.pruned }()
	err := r.err
	if err == nil && ran && !r.ended.Load() {
		line := r.appendSummary(nil)
		if _, err = r.file.Write(line); err == nil {
			r.written.Add(int64(len(line)))
		}
	}
	<-r.synced
	if err == nil {
		err = r.syncErr
	}
	if w := r.written.Load(); err == nil && r.durable.Load() < w {
		if err = r.file.Sync(); err == nil {
			r.durable.Store(w)
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

// appendSummary appends the summary line that ends a finished run's
// journal: what `fogctl runs list` reads without replaying the events.
// The writer goroutine owns the tally until done is closed.
func (r *Run) appendSummary(b []byte) []byte {
	sum := r.tally.summary()
	b = append(b, `{"summary":`...)
	b = appendSummary(b, &sum)
	return append(b, "}\n"...)
}

// summaryLine is the journal's last line once its run has ended.
type summaryLine struct {
	Summary Summary `json:"summary"`
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
