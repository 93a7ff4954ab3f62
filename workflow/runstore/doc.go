// Package runstore owns the durable record of every workflow run, under
// fogctl's state directory:
//
//	<state>/runs/<id>/
//	    meta.json       what was run: workflow path, input, options (written once, atomically)
//	    workflow        a copy of the workflow file as it was run
//	    journal.jsonl   the run's events, one JSON object a line, append-only
//	    record.json     the final run record, compacted from the journal when the run ends
//	    summary.json    a few counts for `fogctl runs list`
//	    lock            held (flock) by the process running the run
//
// Events are appended by one writer goroutine, never by the engine: Append
// only queues. The writer flushes each batch with write(2), so a process
// killed with SIGKILL loses nothing already queued and written; it fsyncs
// once per batch that finished a node (group commit), never per event. At
// the end the journal is replayed into record.json (temp file, fsync,
// rename, fsync of the directory) and removed, so a finished run costs one
// file the size of its record. A run whose process died keeps its journal;
// Load replays it through workflow.Record, ignoring a torn last line.
//
// Run IDs are the UTC start second and 8 random hex digits
// (20261123T021501-3f9a1c2d): they sort by time and the run directory is
// created with mkdir, which fails rather than share a directory with
// another process.
//
// Retention: Create removes the oldest runs beyond Keep (DefaultKeep, 200)
// that no process is running.
//
// runstore never prints and never touches a terminal.
package runstore
