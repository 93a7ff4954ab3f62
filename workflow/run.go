package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
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
	// with the recorded output as soon as its dependencies are done. An
	// output that is not valid JSON, or was truncated in the record, is
	// not reused and the node runs.
	Reuse map[string]json.RawMessage
}

// Run starts a run of wf and returns its events. Run sends the run's
// "running" event first and its terminal event (succeeded, failed or
// cancelled, Node == "") last, then closes the channel. Cancelling ctx
// cancels the running nodes through their contexts and ends the run
// cancelled.
//
// The caller must read the channel until it is closed, or cancel ctx:
// the engine waits for a slow reader (the channel is buffered), and once
// ctx is cancelled it waits at most two seconds more for the reader to
// take the remaining events. No goroutine Run starts outlives the run.
//
// Concurrent runs share nothing but wf, which Run only reads.
func Run(ctx context.Context, wf *Workflow, opts Options) <-chan Event {
	size := 2*len(wf.Nodes) + 2
	if size > 8192 {
		size = 8192
	}
	ch := make(chan Event, size)
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
}

type msgKind uint8

const (
	msgDone msgKind = iota
	msgRetrying
	msgRunning
)

type message struct {
	kind    msgKind
	node    int32
	attempt int
	state   State // msgDone: succeeded, failed or cancelled
	out     []byte
	val     any
	hasVal  bool
	err     string
	stderr  string
}

type run struct {
	wf      *Workflow
	opts    Options
	ch      chan<- Event
	client  *http.Client
	ownHTTP bool
	input   []byte

	nodes     []nodeState
	needVal   []bool // node's output is merged with others by some child
	ready     []int32
	results   chan message
	wg        sync.WaitGroup
	running   int
	seq       int64
	stopping  bool // ctx is done: events wait in backlog
	cancelled bool
	backlog   []Event
	nfailed   int
	firstErr  string
	ctxDone   <-chan struct{}
}

func newRun(wf *Workflow, opts Options, ch chan<- Event) *run {
	r := &run{wf: wf, opts: opts, ch: ch, client: opts.HTTPClient}
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

func (r *run) loop(ctx context.Context) {
	defer close(r.ch)
	r.ctxDone = ctx.Done()
	r.newClient()
	if r.ownHTTP {
		defer r.client.CloseIdleConnections()
	}
	wf := r.wf
	n := len(wf.Nodes)
	r.nodes = make([]nodeState, n)
	r.needVal = make([]bool, n)
	r.results = make(chan message, n+1)
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
	done := ctx.Done()
	r.dispatch(ctx)
	for r.running > 0 {
		select {
		case m := <-r.results:
			r.handle(m)
			if !r.cancelled {
				r.dispatch(ctx)
			}
		case <-done:
			done = nil
			r.cancel()
		}
	}
	r.wg.Wait()
	if ctx.Err() != nil && !r.cancelled && r.unfinished() {
		r.cancel()
	}
	r.finish()
}

func (r *run) unfinished() bool {
	for i := range r.nodes {
		if !r.nodes[i].state.Terminal() {
			return true
		}
	}
	return false
}

// cancel marks every node that has not started cancelled; running nodes
// see ctx done and report cancelled themselves.
func (r *run) cancel() {
	r.cancelled = true
	r.ready = r.ready[:0]
	for i := range r.nodes {
		if r.nodes[i].state == StatePending {
			r.nodes[i].state = StateCancelled
			r.emit(Event{Node: r.wf.Nodes[i].Name, State: StateCancelled, Error: "run cancelled before the node started"})
		}
	}
}

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
	if len(r.backlog) == 0 {
		return
	}
	t := time.NewTimer(flushGrace)
	defer t.Stop()
	for _, ev := range r.backlog {
		select {
		case r.ch <- ev:
		case <-t.C:
			return
		}
	}
}

// emit stamps ev and sends it. Until ctx is done it waits for room in the
// channel; after, events queue in the backlog that finish flushes.
func (r *run) emit(ev Event) {
	r.seq++
	ev.Seq = r.seq
	ev.Time = time.Now()
	ev.RunID = r.opts.RunID
	if r.stopping {
		r.backlog = append(r.backlog, ev)
		return
	}
	select {
	case r.ch <- ev:
		return
	default:
	}
	select {
	case r.ch <- ev:
	case <-r.ctxDone:
		r.stopping = true
		r.backlog = append(r.backlog, ev)
	}
}

// dispatch starts ready nodes while slots are free; noop and reused nodes
// finish on the spot, which may make more nodes ready.
func (r *run) dispatch(ctx context.Context) {
	for len(r.ready) > 0 {
		if r.opts.Parallel > 0 && r.running >= r.opts.Parallel {
			// Only instant nodes may still go: find one.
			k := -1
			for j, i := range r.ready {
				if r.instant(i) {
					k = j
					break
				}
			}
			if k < 0 {
				return
			}
			i := r.ready[k]
			r.ready = append(r.ready[:k], r.ready[k+1:]...)
			r.start(ctx, i)
			continue
		}
		i := r.ready[0]
		r.ready = r.ready[1:]
		r.start(ctx, i)
	}
}

func (r *run) instant(i int32) bool {
	if r.wf.Nodes[i].Kind == KindNoop {
		return true
	}
	_, ok := r.reuse(i)
	return ok
}

func (r *run) reuse(i int32) ([]byte, bool) {
	if r.opts.Reuse == nil {
		return nil, false
	}
	out, ok := r.opts.Reuse[r.wf.Nodes[i].Name]
	out = bytes.TrimSpace(out)
	if !ok || len(out) == 0 || IsTruncated(out) || !json.Valid(out) {
		return nil, false
	}
	return out, true
}

// start runs node i, whose dependencies have all finished.
func (r *run) start(ctx context.Context, i int32) {
	nd := r.wf.Nodes[i]
	st := &r.nodes[i]
	if out, ok := r.reuse(i); ok {
		st.state = StateSucceeded
		st.out = out
		r.emitOutput(Event{Node: nd.Name, State: StateSucceeded, Attempt: 1, MaxAttempts: 1 + nd.Retries}, out)
		r.finished(i)
		return
	}
	if st.failed >= 0 && nd.When != WhenAlways {
		st.state = StateUpstreamFailed
		r.emit(Event{Node: nd.Name, State: StateUpstreamFailed, Error: fmt.Sprintf("dependency %q failed", r.wf.Nodes[st.failed].Name)})
		r.finished(i)
		return
	}
	in, val, hasVal := r.mergeInput(i)
	if nd.Kind == KindNoop {
		st.state = StateSucceeded
		st.out, st.val, st.hasVal = in, val, hasVal
		ev := Event{Node: nd.Name, State: StateSucceeded, Attempt: 1, MaxAttempts: 1 + nd.Retries}
		ev.Input, ev.Truncated = capData(in)
		ev.Output = ev.Input
		r.emit(ev)
		r.finished(i)
		return
	}
	st.state = StateRunning
	ev := Event{Node: nd.Name, State: StateRunning, Attempt: 1, MaxAttempts: 1 + nd.Retries}
	ev.Input, ev.Truncated = capData(in)
	r.emit(ev)
	r.running++
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.work(ctx, i, in)
	}()
}

// mergeInput computes node i's input from its dependencies' outputs.
func (r *run) mergeInput(i int32) ([]byte, any, bool) {
	deps := r.wf.deps[i]
	var single int32 = -1
	count := 0
	for _, p := range deps {
		if r.nodes[p].state == StateSucceeded {
			single = p
			count++
		}
	}
	switch count {
	case 0:
		return r.input, nil, false
	case 1:
		s := &r.nodes[single]
		return s.out, s.val, s.hasVal
	}
	var m merger
	var acc any
	first := true
	for _, p := range deps {
		s := &r.nodes[p]
		if s.state != StateSucceeded {
			continue
		}
		if !s.hasVal {
			v, err := decodeJSON(s.out)
			if err != nil {
				v = nil // outputs are checked JSON when recorded
			}
			s.val, s.hasVal = v, true
		}
		if first {
			acc, first = s.val, false
			continue
		}
		acc = m.merge(acc, s.val)
	}
	out, err := encodeJSON(acc)
	if err != nil {
		out = emptyObject
	}
	return out, acc, true
}

func (r *run) emitOutput(ev Event, out []byte) {
	var t bool
	ev.Output, t = capData(out)
	ev.Truncated = ev.Truncated || t
	r.emit(ev)
}

// handle records what a worker reported.
func (r *run) handle(m message) {
	nd := r.wf.Nodes[m.node]
	st := &r.nodes[m.node]
	switch m.kind {
	case msgRetrying:
		st.state = StateRetrying
		r.emit(Event{Node: nd.Name, State: StateRetrying, Attempt: m.attempt, MaxAttempts: 1 + nd.Retries, Error: m.err, Stderr: m.stderr})
		return
	case msgRunning:
		st.state = StateRunning
		r.emit(Event{Node: nd.Name, State: StateRunning, Attempt: m.attempt, MaxAttempts: 1 + nd.Retries})
		return
	}
	r.running--
	st.state = m.state
	ev := Event{Node: nd.Name, State: m.state, Attempt: m.attempt, MaxAttempts: 1 + nd.Retries, Error: m.err, Stderr: m.stderr}
	switch m.state {
	case StateSucceeded:
		st.out, st.val, st.hasVal = m.out, m.val, m.hasVal
		r.emitOutput(ev, m.out)
	case StateFailed:
		r.nfailed++
		if r.firstErr == "" {
			r.firstErr = fmt.Sprintf("node %q failed: %s", nd.Name, m.err)
		}
		r.emit(ev)
	default:
		r.emit(ev)
	}
	r.finished(m.node)
}

// finished releases node i's dependants; a dependant whose last
// dependency finished becomes ready.
func (r *run) finished(i int32) {
	s := r.nodes[i].state
	bad := s != StateSucceeded
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
}

// work runs node i's attempts and reports to the run loop. results has
// room for every node's final message, and the loop keeps receiving until
// every worker is done, so these sends cannot block forever.
func (r *run) work(ctx context.Context, i int32, in []byte) {
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
	attempts := 1 + nd.Retries
	for a := 1; ; a++ {
		if a > 1 {
			r.results <- message{kind: msgRunning, node: i, attempt: a}
		}
		out, stderr, err := r.attempt(ctx, nd, in, timeout)
		switch {
		case err == nil:
			m := message{kind: msgDone, node: i, attempt: a, state: StateSucceeded, out: out, stderr: stderr}
			if r.needVal[i] {
				if v, err := decodeJSON(out); err == nil {
					m.val, m.hasVal = v, true
				}
			}
			r.results <- m
			return
		case ctx.Err() != nil:
			r.results <- message{kind: msgDone, node: i, attempt: a, state: StateCancelled, err: "cancelled", stderr: stderr}
			return
		case a >= attempts:
			r.results <- message{kind: msgDone, node: i, attempt: a, state: StateFailed, err: err.Error(), stderr: stderr}
			return
		}
		delay := backoff(nd.Backoff, a)
		r.results <- message{kind: msgRetrying, node: i, attempt: a, err: fmt.Sprintf("%s; retrying in %s", err, delay.Round(time.Millisecond)), stderr: stderr}
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				r.results <- message{kind: msgDone, node: i, attempt: a, state: StateCancelled, err: "cancelled while waiting to retry"}
				return
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

// attempt runs one attempt of nd with its own deadline.
func (r *run) attempt(ctx context.Context, nd *Node, in []byte, timeout time.Duration) (out []byte, stderr string, err error) {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch nd.Kind {
	case KindHTTP:
		out, err = r.callHTTP(actx, nd.HTTP, in)
	case KindExec:
		out, stderr, err = runExec(actx, nd.Exec, in)
	default:
		return in, "", nil
	}
	if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %s", timeout)
	}
	return out, stderr, err
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
