package workflow

import (
	"encoding/json"
	"time"
)

// State is the state of a node, or of a whole run.
type State string

// Node and run states. A run ends succeeded, failed or cancelled.
const (
	StatePending        State = "pending"
	StateRunning        State = "running"
	StateRetrying       State = "retrying" // an attempt failed; the next waits its backoff
	StateSucceeded      State = "succeeded"
	StateFailed         State = "failed"
	StateUpstreamFailed State = "upstream-failed" // a dependency failed; never called
	StateCancelled      State = "cancelled"
)

// Terminal reports whether s is a final state.
func (s State) Terminal() bool {
	switch s {
	case StateSucceeded, StateFailed, StateUpstreamFailed, StateCancelled:
		return true
	}
	return false
}

// Event is one state change of a run (Node == "") or of one of its nodes.
// Run sends them in the order they happen; Seq numbers them from 1.
type Event struct {
	Seq   int64     `json:"seq"`
	Time  time.Time `json:"time"`
	RunID string    `json:"runId"`
	Node  string    `json:"node,omitempty"`
	State State     `json:"state"`

	// Attempt is the 1-based attempt a node event is about; MaxAttempts
	// is 1 + the node's retries.
	Attempt     int `json:"attempt,omitempty"`
	MaxAttempts int `json:"maxAttempts,omitempty"`

	// Error says why an attempt or node failed (status and body excerpt
	// for HTTP, exit status for exec, "timed out after 2s", the failed
	// dependency for upstream-failed).
	Error string `json:"error,omitempty"`

	// Input is the node's merged input (on running); Output its output
	// (on succeeded); Stderr what an exec node wrote to stderr. All are
	// capped in size by the engine.
	Input  json.RawMessage `json:"input,omitempty"`
	Output json.RawMessage `json:"output,omitempty"`
	Stderr string          `json:"stderr,omitempty"`

	// Truncated says Input or Output was larger than MaxEventData and
	// was replaced by {"fogctl.truncated": {"bytes": N, "excerpt": "..."}}
	// (see IsTruncated): such an output cannot be reused by --resume.
	Truncated bool `json:"truncated,omitempty"`

	// Reused says the node did not run in this run: it succeeded with
	// the output it had in run ReusedFrom (Options.ResumedFrom, "" when
	// the caller did not say), which fogctl run --resume continues. Its
	// one event, succeeded, has no Attempt and carries its Input (the
	// merge of its dependencies' outputs, all reused too) and Output.
	Reused     bool   `json:"reused,omitempty"`
	ReusedFrom string `json:"reusedFrom,omitempty"`
}
