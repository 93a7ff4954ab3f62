package workflow

import (
	"encoding/json"
	"time"
)

// Record is a run as its events describe it: what the run store keeps,
// what `fogctl run -o json` prints and what the TUI inspector shows. Its
// JSON field names are a public contract.
type Record struct {
	ID       string        `json:"id"`
	Workflow string        `json:"workflow"`
	File     string        `json:"file,omitempty"`
	State    State         `json:"state"`
	Started  time.Time     `json:"started,omitzero"`
	Ended    time.Time     `json:"ended,omitzero"`
	Error    string        `json:"error,omitempty"`
	Nodes    []*NodeRecord `json:"nodes"`
	// LastSeq is the Seq of the last event applied.
	LastSeq int64 `json:"lastSeq"`

	index map[string]int
}

// NodeRecord is one node of a Record.
type NodeRecord struct {
	Name         string          `json:"name"`
	Kind         string          `json:"kind,omitempty"`
	Dependencies []string        `json:"dependencies,omitempty"`
	State        State           `json:"state"`
	Attempts     []Attempt       `json:"attempts,omitempty"`
	Input        json.RawMessage `json:"input,omitempty"`
	Output       json.RawMessage `json:"output,omitempty"`
	Truncated    bool            `json:"truncated,omitempty"`
	Error        string          `json:"error,omitempty"`
	Stderr       string          `json:"stderr,omitempty"`
	Started      time.Time       `json:"started,omitzero"`
	Ended        time.Time       `json:"ended,omitzero"`
	// Reused says the node did not run: its output is the one it had in
	// run ReusedFrom ("" when unknown), which this run resumed. It has no
	// attempts; Started and Ended are when this run took the output.
	Reused     bool   `json:"reused,omitempty"`
	ReusedFrom string `json:"reusedFrom,omitempty"`
}

// Attempt is one try of a node.
type Attempt struct {
	N       int       `json:"n"`
	Started time.Time `json:"started,omitzero"`
	Ended   time.Time `json:"ended,omitzero"`
	Error   string    `json:"error,omitempty"`
}

// NewRecord returns the record of a run of wf that has not started: every
// node pending, in file order.
func NewRecord(wf *Workflow, runID string) *Record {
	r := &Record{ID: runID, Workflow: wf.Name, File: wf.File, State: StatePending, Nodes: make([]*NodeRecord, len(wf.Nodes))}
	r.index = make(map[string]int, len(wf.Nodes))
	for i, n := range wf.Nodes {
		r.Nodes[i] = &NodeRecord{Name: n.Name, Kind: n.Kind, Dependencies: n.Dependencies, State: StatePending}
		r.index[n.Name] = i
	}
	return r
}

// Node returns the record of the node called name, or nil.
func (r *Record) Node(name string) *NodeRecord {
	if len(r.index) != len(r.Nodes) {
		r.index = make(map[string]int, len(r.Nodes))
		for i, n := range r.Nodes {
			r.index[n.Name] = i
		}
	}
	if i, ok := r.index[name]; ok {
		return r.Nodes[i]
	}
	return nil
}

// Apply updates r with ev. It depends on nothing but r and ev, and costs
// the same whatever the run's size. An event about a node r does not know
// adds that node.
func (r *Record) Apply(ev Event) {
	if ev.Seq > r.LastSeq {
		r.LastSeq = ev.Seq
	}
	if ev.Node == "" {
		r.State = ev.State
		if ev.State == StateRunning && r.Started.IsZero() {
			r.Started = ev.Time
		}
		if ev.State.Terminal() {
			r.Ended = ev.Time
			r.Error = ev.Error
		}
		return
	}
	n := r.Node(ev.Node)
	if n == nil {
		n = &NodeRecord{Name: ev.Node, State: StatePending}
		r.index[ev.Node] = len(r.Nodes)
		r.Nodes = append(r.Nodes, n)
	}
	n.State = ev.State
	if ev.Input != nil {
		n.Input = ev.Input
	}
	if ev.Truncated {
		n.Truncated = true
	}
	if ev.Stderr != "" {
		n.Stderr = ev.Stderr
	}
	if ev.Reused {
		n.Reused, n.ReusedFrom = true, ev.ReusedFrom
	}
	switch ev.State {
	case StateRunning:
		if n.Started.IsZero() {
			n.Started = ev.Time
		}
		n.Ended = time.Time{}
		n.Error = ""
		n.Attempts = append(n.Attempts, Attempt{N: ev.Attempt, Started: ev.Time})
	case StateRetrying:
		n.closeAttempt(ev)
	case StateSucceeded, StateFailed, StateCancelled:
		if n.Started.IsZero() {
			// noop and reused nodes go straight to succeeded (a reused
			// one without an attempt).
			n.Started = ev.Time
			if ev.Attempt > 0 {
				n.Attempts = append(n.Attempts, Attempt{N: ev.Attempt, Started: ev.Time})
			}
		}
		n.closeAttempt(ev)
		n.Ended = ev.Time
		n.Error = ev.Error
		if ev.Output != nil {
			n.Output = ev.Output
		}
	case StateUpstreamFailed:
		n.Ended = ev.Time
		n.Error = ev.Error
	}
}

func (n *NodeRecord) closeAttempt(ev Event) {
	if k := len(n.Attempts) - 1; k >= 0 && n.Attempts[k].Ended.IsZero() {
		n.Attempts[k].Ended = ev.Time
		n.Attempts[k].Error = ev.Error
	}
}
