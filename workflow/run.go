package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Size caps. Events carry node inputs and outputs up to MaxEventData bytes
// each; a larger one is replaced by a small JSON object
// {"fogctl.truncated": {"bytes": N, "excerpt": "..."}} and the event's
// Truncated is set. Stderr keeps its last MaxStderr bytes. A node's real
// input and output are never cut: only what events (and so records)
// carry.
const (
	MaxEventData = 256 << 10
	MaxStderr    = 64 << 10
	MaxResponse  = 64 << 20 // a larger HTTP response or exec stdout fails the node
	maxBackoff   = 30 * time.Second
	excerptLen   = 512
	flushGrace   = 2 * time.Second
)

// Options configure one run.
type Options struct {
	// RunID identifies the run; every event carries it. Required.
	RunID string
	// Input is the input of the root nodes; empty means {}.
	Input json.RawMessage
	// Parallel bounds the http and exec nodes running at once; 0 means
	// no bound. noop nodes and reused nodes take no slot.
	Parallel int
	// DefaultTimeout is the per-attempt timeout of a node that sets none
	// when the file's spec.defaults.timeout is not set either; 0 means
	// BuiltinTimeout.
	DefaultTimeout time.Duration
	// HTTPClient calls http nodes. When nil, Run makes one for the run
	// and closes its idle connections when the run ends.
	HTTPClient *http.Client
	// Reuse holds outputs of nodes that succeeded in an earlier run
	// (fogctl run --resume): such a node is not run again, it succeeds
	// with the recorded output as soon as its dependencies are done,
	// provided every one of them was reused too. A node downstream of
	// one that runs again runs again (its input may differ), and is
	// upstream-failed if that one fails. An output that is not valid
	// JSON, or was truncated in the record, is not reused and the node
	// runs.
	Reuse map[string]json.RawMessage
	// ResumedFrom is the ID of the run Reuse's outputs come from: the
	// events of reused nodes say it (Event.ReusedFrom).
	ResumedFrom string
	// Rerun names nodes that run again whatever Reuse holds for them
	// (fogctl run --resume ID --rerun NODE); every node after one of
	// them runs again too, even after a noop, whose output would be the
	// same.
	Rerun map[string]bool
}

// Run starts a run of wf and returns its events. Run sends the run's
// "running" event first and its terminal event (succeeded, failed or
// cancelled, Node == "") last, then closes the channel. Cancelling ctx
// cancels the running nodes through their contexts and ends the run
// cancelled.
//
// The engine never waits for the reader: an event goes into the buffered
// channel when there is room, else into a queue (at most the run's own
// events, about two per node and two per retry) that the run's goroutine
// drains, every send selecting on ctx.Done. The caller must read the
// channel until it is closed, or cancel ctx; once ctx is cancelled the
// reader gets two more seconds to take the remaining events. No goroutine
// Run starts outlives the run: the channel closes after the last one is
// done.
//
// Concurrent runs share nothing but wf, which Run only reads.
//
// A run that cannot start (Options.Input is not JSON, or wf was built in
// code and is invalid) sends a single failed event.
func Run(ctx context.Context, wf *Workflow, opts Options) <-chan Event {
	size := 2*len(wf.Nodes) + 2
	if size > 8192 {
		size = 8192
	}
	ch := make(chan Event, size)
	fail := func(msg string) <-chan Event {
		ch <- Event{Seq: 1, Time: time.Now(), RunID: opts.RunID, State: StateFailed, Error: msg}
		close(ch)
		return ch
	}
	if in := bytes.TrimSpace(opts.Input); len(in) > 0 && !json.Valid(in) {
		return fail("the run's input is not JSON")
	}
	if wf.index == nil {
		// Built in code rather than by Parse or New: check a copy.
		checked, err := New(wf.Name, wf.Nodes)
		if err != nil {
			return fail("invalid workflow: " + strings.ReplaceAll(err.Error(), "\n", "; "))
		}
		checked.File, checked.Defaults = wf.File, wf.Defaults
		wf = checked
	}
	r := newRun(wf, opts, ch)
	go r.loop(ctx)
	return ch
}

type nodeState struct {
	state   State
	pending int32 // dependencies not yet finished
	failed  int32 // position of a failed dependency, or -1
	out     []byte
	val     any // out decoded, when a child merges it with others
	hasVal  bool
	reused  bool // succeeded with its output from Options.Reuse
}

// job is a node ready to run, with what its input is made of: in as it
// is, or vals to merge (done by the worker, outside the lock).
type job struct {
	node int32
	in   []byte
	vals []any
	src  int32 // the one dependency in comes from, or -1
}

// run is the state of one run. The node workers share it under mu.
// Events are stamped under mu, so Seq follows the order of state changes,
// and queued; loop, the goroutine that owns the run, sends them, so a
// slow reader never holds up a worker.
type run struct {
	wf      *Workflow
	opts    Options
	ch      chan<- Event
	client  *http.Client
	ownHTTP bool
	input   []byte
	ctxDone <-chan struct{}
	wg      sync.WaitGroup
	wake    chan struct{} // a worker queued events (capacity 1)

	mu        sync.Mutex
	nodes     []nodeState
	needVal   []bool  // node's output is merged with others by some child
	ready     []int32 // dependencies finished, not yet looked at
	readyHead int
	waiting   []int32 // need a slot (Parallel)
	waitHead  int
	running   int
	remaining int // nodes not in a final state
	seq       int64
	queue     []Event // stamped, not yet sent
	sending   bool    // loop is sending a batch taken from queue
	woken     bool    // wake holds a token or loop is about to look
	cancelled bool
	nfailed   int
	firstErr  string
}

func newRun(wf *Workflow, opts Options, ch chan<- Event) *run {
	r := &run{wf: wf, opts: opts, ch: ch, client: opts.HTTPClient, wake: make(chan struct{}, 1)}
	r.input = bytes.TrimSpace(opts.Input)
	if len(r.input) == 0 {
		r.input = emptyObject
	}
	return r
}

func (r *run) newClient() {
	if r.client != nil {
		return
	}
	for _, n := range r.wf.Nodes {
		if n.Kind == KindHTTP {
			t := http.DefaultTransport.(*http.Transport).Clone()
			t.MaxIdleConns = 0
			t.MaxIdleConnsPerHost = 512
			r.client = &http.Client{Transport: t}
			r.ownHTTP = true
			return
		}
	}
}

// loop owns the run: it starts the root nodes, sends queued events until
// every node is final or ctx is done, waits for every worker and sends
// the run's final event.
func (r *run) loop(ctx context.Context) {
	defer close(r.ch)
	r.ctxDone = ctx.Done()
	r.newClient()
	if r.ownHTTP {
		defer r.client.CloseIdleConnections()
	}
	wf := r.wf
	n := len(wf.Nodes)
	r.mu.Lock()
	r.nodes = make([]nodeState, n)
	r.needVal = make([]bool, n)
	r.remaining = n
	for i := range wf.Nodes {
		r.nodes[i] = nodeState{state: StatePending, pending: int32(len(wf.deps[i])), failed: -1}
		if len(wf.deps[i]) > 1 {
			for _, p := range wf.deps[i] {
				r.needVal[p] = true
			}
		}
	}
	r.emit(Event{State: StateRunning})
	for i := range wf.Nodes {
		if r.nodes[i].pending == 0 {
			r.ready = append(r.ready, int32(i))
		}
	}
	_, _, spawn := r.dispatch(ctx, false)
	r.mu.Unlock()
	r.spawn(ctx, spawn)

	var spare []Event
	for {
		r.mu.Lock()
		batch := r.queue
		r.queue = spare[:0]
		r.woken = false
		r.sending = len(batch) > 0
		finished := r.remaining == 0
		r.mu.Unlock()
		for k, ev := range batch {
			if !r.send(ev) {
				r.mu.Lock()
				r.queue = append(batch[k:len(batch):len(batch)], r.queue...)
				r.mu.Unlock()
				break
			}
		}
		if len(batch) > 0 {
			r.mu.Lock()
			r.sending = false
			r.mu.Unlock()
		}
		spare = batch
		if ctx.Err() != nil {
			break
		}
		if finished && len(batch) == 0 {
			break
		}
		if len(batch) == 0 {
			select {
			case <-r.wake:
			case <-ctx.Done():
			}
		}
	}

	r.mu.Lock()
	if ctx.Err() != nil && r.remaining > 0 {
		r.cancel()
	}
	r.mu.Unlock()
	r.wg.Wait()
	r.finish()
}

// send sends ev unless ctx is done first.
func (r *run) send(ev Event) bool {
	select {
	case r.ch <- ev:
		return true
	default:
	}
	select {
	case r.ch <- ev:
		return true
	case <-r.ctxDone:
		return false
	}
}

// cancel marks every node that has not started cancelled; running nodes
// see ctx done and report cancelled themselves. r.mu is held.
func (r *run) cancel() {
	r.cancelled = true
	r.ready, r.readyHead, r.waiting, r.waitHead = nil, 0, nil, 0
	for i := range r.nodes {
		if r.nodes[i].state == StatePending {
			r.nodes[i].state = StateCancelled
			r.emit(Event{Node: r.wf.Nodes[i].Name, State: StateCancelled, Error: "run cancelled before the node started"})
			r.remaining--
		}
	}
}

// finish queues the run's final event and sends what is queued. Every
// worker is done. Once ctx is done, the reader gets flushGrace to take
// the rest.
func (r *run) finish() {
	ev := Event{State: StateSucceeded}
	switch {
	case r.cancelled:
		ev.State = StateCancelled
		ev.Error = "run cancelled"
		if r.firstErr != "" {
			ev.Error = "run cancelled; " + r.firstErr
		}
	case r.nfailed > 0:
		ev.State = StateFailed
		ev.Error = r.firstErr
		if r.nfailed > 1 {
			ev.Error += fmt.Sprintf(" (and %d more failed)", r.nfailed-1)
		}
	}
	r.emit(ev)
	var grace <-chan time.Time
	for _, ev := range r.queue {
		if grace == nil {
			if r.send(ev) {
				continue
			}
			t := time.NewTimer(flushGrace)
			defer t.Stop()
			grace = t.C
		}
		select {
		case r.ch <- ev:
		case <-grace:
			return
		}
	}
}

// emit stamps ev and queues it for loop to send. r.mu is held (or no
// worker is left).
func (r *run) emit(ev Event) {
	r.seq++
	ev.Seq = r.seq
	ev.Time = time.Now()
	ev.RunID = r.opts.RunID
	if len(r.queue) == 0 && !r.sending {
		// Nothing sent earlier is pending: send directly if there is
		// room, so the reader works while the run goes on.
		select {
		case r.ch <- ev:
			return
		default:
		}
	}
	r.queue = append(r.queue, ev)
	r.notify()
}

// notify wakes loop, once until it looks. r.mu is held.
func (r *run) notify() {
	if !r.woken {
		r.woken = true
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// dispatch starts ready nodes while slots are free: noop, reused and
// upstream-failed nodes finish on the spot (which may make more nodes
// ready), others are returned in spawn for the caller to start once it
// has unlocked r.mu. With keep, the first job is returned as kept for the
// calling worker to run itself instead of starting a goroutine. r.mu is
// held.
func (r *run) dispatch(ctx context.Context, keep bool) (kept job, haveKept bool, spawn []job) {
	for !r.isDone() {
		free := r.opts.Parallel <= 0 || r.running < r.opts.Parallel
		if free && r.waitHead < len(r.waiting) {
			i := r.waiting[r.waitHead]
			r.waitHead++
			j := r.prepare(i)
			r.running++
			if j.vals == nil {
				// The input is known: say so now, under this lock.
				r.emitRunning(j.node, j.in)
			}
			if keep && !haveKept {
				kept, haveKept = j, true
				continue
			}
			r.wg.Add(1)
			spawn = append(spawn, j)
			continue
		}
		if r.readyHead < len(r.ready) {
			i := r.ready[r.readyHead]
			r.readyHead++
			if r.instant(i) {
				r.finishInstant(i)
			} else {
				r.waiting = append(r.waiting, i)
			}
			continue
		}
		break
	}
	if r.readyHead == len(r.ready) {
		r.ready, r.readyHead = r.ready[:0], 0
	}
	if r.waitHead == len(r.waiting) {
		r.waiting, r.waitHead = r.waiting[:0], 0
	}
	return kept, haveKept, spawn
}

// spawn starts a worker for each job, outside the lock (dispatch counted
// them in r.wg already).
func (r *run) spawn(ctx context.Context, jobs []job) {
	for _, j := range jobs {
		go r.work(ctx, j)
	}
}

func (r *run) isDone() bool {
	select {
	case <-r.ctxDone:
		return true
	default:
		return false
	}
}

// instant reports whether node i finishes without running anything.
func (r *run) instant(i int32) bool {
	nd := r.wf.Nodes[i]
	if nd.Kind == KindNoop || (r.nodes[i].failed >= 0 && nd.When != WhenAlways) {
		return true
	}
	_, ok := r.reuse(i)
	return ok
}

// reuse returns node i's recorded output when it may be reused: it has
// one and every dependency was reused. r.mu is held.
func (r *run) reuse(i int32) ([]byte, bool) {
	if r.opts.Reuse == nil {
		return nil, false
	}
	if !r.depsReused(i) {
		return nil, false
	}
	name := r.wf.Nodes[i].Name
	if r.opts.Rerun[name] {
		return nil, false
	}
	out, ok := r.opts.Reuse[name]
	out = bytes.TrimSpace(out)
	if !ok || len(out) == 0 || IsTruncated(out) || !json.Valid(out) {
		return nil, false
	}
	return out, true
}

// depsReused reports whether every dependency of node i was reused.
// r.mu is held.
func (r *run) depsReused(i int32) bool {
	for _, p := range r.wf.deps[i] {
		if !r.nodes[p].reused {
			return false
		}
	}
	return true
}

// finishInstant settles a reused, upstream-failed or noop node. r.mu is
// held.
func (r *run) finishInstant(i int32) {
	nd := r.wf.Nodes[i]
	st := &r.nodes[i]
	ev := Event{Node: nd.Name, State: StateSucceeded, Attempt: 1, MaxAttempts: 1 + nd.Retries}
	if out, ok := r.reuse(i); ok {
		// It did not run: no attempt. Its input is what it was in the
		// run it is reused from, its dependencies being reused too.
		ev.Attempt, ev.MaxAttempts = 0, 0
		ev.Reused, ev.ReusedFrom = true, r.opts.ResumedFrom
		j := r.prepare(i)
		in := j.in
		if j.vals != nil {
			in, _ = mergeVals(j.vals)
		}
		var tin, tout bool
		ev.Input, tin = capData(in)
		st.out = out
		st.reused = true
		if r.needVal[i] {
			st.val, _ = decodeJSON(out)
			st.hasVal = true
		}
		ev.Output, tout = capData(out)
		ev.Truncated = tin || tout
	} else if st.failed >= 0 && nd.When != WhenAlways {
		ev = Event{Node: nd.Name, State: StateUpstreamFailed, Error: fmt.Sprintf("dependency %q failed", r.wf.Nodes[st.failed].Name)}
	} else {
		j := r.prepare(i)
		if j.vals != nil {
			st.out, st.val = mergeVals(j.vals)
			st.hasVal = true
		} else {
			st.out = j.in
			if r.needVal[i] {
				st.val, st.hasVal = r.valueOf(j), true
			}
		}
		ev.Input, ev.Truncated = capData(st.out)
		ev.Output = ev.Input
		// A noop node computed from reused outputs alone is as good as
		// reused (its recorded output may have been too large to keep):
		// the nodes after it may be reused too. A root noop node counts
		// when the earlier run's record has it.
		if r.opts.Reuse != nil && r.depsReused(i) && !r.opts.Rerun[nd.Name] {
			_, recorded := r.opts.Reuse[nd.Name]
			st.reused = len(r.wf.deps[i]) > 0 || recorded
		}
	}
	st.state = ev.State
	r.emit(ev)
	r.release(i)
}

// prepare marks node i running and gathers its input. r.mu is held.
func (r *run) prepare(i int32) job {
	r.nodes[i].state = StateRunning
	j := job{node: i, src: -1}
	deps := r.wf.deps[i]
	var single int32 = -1
	count := 0
	for _, p := range deps {
		if r.nodes[p].state == StateSucceeded {
			single = p
			count++
		}
	}
	switch {
	case len(deps) == 0:
		j.in = r.input
	case count == 0:
		j.in = emptyObject // when: always, and no dependency succeeded
	case count == 1:
		j.in, j.src = r.nodes[single].out, single
	default:
		j.vals = make([]any, 0, count)
		for _, p := range deps {
			s := &r.nodes[p]
			if s.state != StateSucceeded {
				continue
			}
			if !s.hasVal {
				s.val, _ = decodeJSON(s.out)
				s.hasVal = true
			}
			j.vals = append(j.vals, s.val)
		}
	}
	return j
}

// valueOf returns j.in decoded, decoding a dependency's output only once
// however many noop dependants pass it on. r.mu is held.
func (r *run) valueOf(j job) any {
	if j.src < 0 {
		v, _ := decodeJSON(j.in)
		return v
	}
	s := &r.nodes[j.src]
	if !s.hasVal {
		s.val, _ = decodeJSON(s.out)
		s.hasVal = true
	}
	return s.val
}

// mergeVals merges decoded outputs in order and encodes the result.
func mergeVals(vals []any) ([]byte, any) {
	var m merger
	acc := vals[0]
	for _, v := range vals[1:] {
		acc = m.merge(acc, v)
	}
	out, err := encodeJSON(acc)
	if err != nil {
		return emptyObject, map[string]any{}
	}
	return out, acc
}

// release settles node i and releases its dependants; a dependant whose
// last dependency finished becomes ready. r.mu is held.
func (r *run) release(i int32) {
	bad := r.nodes[i].state != StateSucceeded
	for _, c := range r.wf.kids[i] {
		cs := &r.nodes[c]
		if bad && cs.failed < 0 {
			cs.failed = i
		}
		cs.pending--
		if cs.pending == 0 && cs.state == StatePending {
			r.ready = append(r.ready, c)
		}
	}
	r.remaining--
	if r.remaining == 0 {
		r.notify() // loop may be waiting with nothing queued
	}
}

// work runs jobs: the one it was given, then, while the run goes on, one
// its completion made ready, so a chain runs on one goroutine.
func (r *run) work(ctx context.Context, j job) {
	defer r.wg.Done()
	for {
		in := j.in
		if j.vals != nil {
			// Merge outside the lock, then say the node runs.
			in, _ = mergeVals(j.vals)
			r.mu.Lock()
			r.emitRunning(j.node, in)
			r.mu.Unlock()
		}

		m := r.attempts(ctx, j.node, in)

		r.mu.Lock()
		r.running--
		r.done(m)
		var ok bool
		var spawn []job
		if !r.cancelled {
			j, ok, spawn = r.dispatch(ctx, true)
		}
		r.mu.Unlock()
		r.spawn(ctx, spawn)
		if !ok {
			return
		}
	}
}

// emitRunning sends node i's first running event. r.mu is held.
func (r *run) emitRunning(i int32, in []byte) {
	nd := r.wf.Nodes[i]
	ev := Event{Node: nd.Name, State: StateRunning, Attempt: 1, MaxAttempts: 1 + nd.Retries}
	ev.Input, ev.Truncated = capData(in)
	r.emit(ev)
}

// result is how a node's attempts ended.
type result struct {
	node    int32
	attempt int
	state   State // succeeded, failed or cancelled
	out     []byte
	val     any
	hasVal  bool
	err     string
	stderr  string
}

// done records a worker's result. r.mu is held.
func (r *run) done(m result) {
	nd := r.wf.Nodes[m.node]
	st := &r.nodes[m.node]
	st.state = m.state
	ev := Event{Node: nd.Name, State: m.state, Attempt: m.attempt, MaxAttempts: 1 + nd.Retries, Error: m.err, Stderr: m.stderr}
	switch m.state {
	case StateSucceeded:
		st.out, st.val, st.hasVal = m.out, m.val, m.hasVal
		ev.Output, ev.Truncated = capData(m.out)
	case StateFailed:
		r.nfailed++
		if r.firstErr == "" {
			r.firstErr = fmt.Sprintf("node %q failed: %s", nd.Name, m.err)
		}
	}
	r.emit(ev)
	r.release(m.node)
}

// attempts runs node i's attempts, waiting its backoff between them.
func (r *run) attempts(ctx context.Context, i int32, in []byte) result {
	nd := r.wf.Nodes[i]
	timeout := nd.Timeout
	if timeout == 0 {
		timeout = r.wf.Defaults.Timeout
	}
	if timeout == 0 {
		timeout = r.opts.DefaultTimeout
	}
	if timeout == 0 {
		timeout = BuiltinTimeout
	}
	max := 1 + nd.Retries
	for a := 1; ; a++ {
		if a > 1 {
			r.mu.Lock()
			r.emit(Event{Node: nd.Name, State: StateRunning, Attempt: a, MaxAttempts: max})
			r.mu.Unlock()
		}
		out, val, stderr, err := r.attempt(ctx, nd, in, timeout, r.needVal[i])
		switch {
		case err == nil:
			m := result{node: i, attempt: a, state: StateSucceeded, out: out, val: val, stderr: stderr}
			if r.needVal[i] {
				m.hasVal = true
				if val == nil {
					if v, err := decodeJSON(out); err == nil {
						m.val = v
					}
				}
			}
			return m
		case ctx.Err() != nil:
			return result{node: i, attempt: a, state: StateCancelled, err: "cancelled", stderr: stderr}
		case a >= max:
			return result{node: i, attempt: a, state: StateFailed, err: err.Error(), stderr: stderr}
		}
		delay := backoff(nd.Backoff, a)
		r.mu.Lock()
		r.emit(Event{Node: nd.Name, State: StateRetrying, Attempt: a, MaxAttempts: max, Error: fmt.Sprintf("%s; retrying in %s", err, delay.Round(time.Millisecond)), Stderr: stderr})
		r.mu.Unlock()
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return result{node: i, attempt: a, state: StateCancelled, err: "cancelled while waiting to retry"}
			}
		}
	}
}

// backoff is the wait after failed attempt a: base·2^(a-1), capped at 30s,
// with "equal jitter" (a uniform random half of it added to the other
// half), so retries of many nodes do not arrive together.
func backoff(base time.Duration, a int) time.Duration {
	if base <= 0 {
		return 0
	}
	d := base
	for k := 1; k < a && d < maxBackoff; k++ {
		d *= 2
	}
	if d > maxBackoff {
		d = maxBackoff
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// attempt runs one attempt of nd with its own deadline. With decode, an
// http node's output comes back decoded too.
func (r *run) attempt(ctx context.Context, nd *Node, in []byte, timeout time.Duration, decode bool) (out []byte, val any, stderr string, err error) {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch nd.Kind {
	case KindHTTP:
		out, val, err = r.callHTTP(actx, nd.HTTP, in, decode)
	case KindExec:
		out, stderr, err = runExec(actx, nd.Exec, in)
	default:
		return in, nil, "", nil
	}
	if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %s", timeout)
	}
	return out, val, stderr, err
}

// IsTruncated reports whether raw is the marker that replaces an input or
// output larger than MaxEventData in events and records.
func IsTruncated(raw json.RawMessage) bool {
	return bytes.HasPrefix(raw, []byte(`{"fogctl.truncated":`))
}

// capData returns data, or the truncation marker when it is larger than
// MaxEventData.
func capData(data []byte) (json.RawMessage, bool) {
	if len(data) <= MaxEventData {
		return data, false
	}
	ex, _ := json.Marshal(excerpt(string(data[:excerptLen*2]), excerptLen))
	return json.RawMessage(fmt.Sprintf(`{"fogctl.truncated":{"bytes":%d,"excerpt":%s}}`, len(data), ex)), true
}
