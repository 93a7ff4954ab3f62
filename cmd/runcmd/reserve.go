package runcmd

import (
	"fmt"
	"time"

	"github.com/fogctl/fogctl/workflow/runstore"
)

// pendingRecord is the run store opened and the run's journal created
// (runstore.Reserve) on a goroutine of their own, while the command reads
// and validates the workflow: on a short run, creating the file is the
// costliest step of recording it. Nothing runs before the journal exists:
// Execute waits for it and fails as it did before if it could not be
// created.
type pendingRecord struct {
	done  chan struct{}
	store *runstore.Store
	res   *runstore.Reservation
	err   error
}

// reserveRecord starts opening the store under stateDir and creating the
// journal of a run created now.
func reserveRecord(stateDir func() (string, error)) *pendingRecord {
	p := &pendingRecord{done: make(chan struct{})}
	created := time.Now()
	go func() {
		defer close(p.done)
		dir, err := stateDir()
		if err != nil {
			p.err = fmt.Errorf("find the state directory for the run record: %w", err)
			return
		}
		if p.store, p.err = runstore.Open(dir); p.err != nil {
			return
		}
		p.res, p.err = p.store.Reserve(created)
	}()
	return p
}

// create starts the run's record in the reserved journal.
func (p *pendingRecord) create(meta runstore.Meta, workflowData []byte) (*runstore.Run, error) {
	<-p.done
	if p.err != nil {
		return nil, p.err
	}
	return p.store.CreateFrom(p.res, meta, workflowData)
}

// abandon removes the reserved journal if no run took it: the workflow
// was invalid, say. It waits for the reservation to be made.
func (p *pendingRecord) abandon() {
	<-p.done
	p.res.Abandon()
}
