// Package runstore owns the durable record of every workflow run, under
// fogctl's state directory:
//
//	<state>/runs/<id>/
//	    journal.jsonl   while the run goes: a header line (what was run: the
//	                    workflow path and a copy of the file, the input, the
//	                    flags), then one event a line, append-only; the
//	                    process running the run holds an flock on it
//	    record.json     when the run has ended: the header and the final
//	                    record, compacted from the journal, which is removed
//	    summary.json    a few counts for `fogctl runs list` (a cache)
//
// Events are appended by one writer goroutine, never by the engine: Append
// only queues. The writer writes each batch with one write(2), so a
// process killed with SIGKILL loses nothing it had written. A batch that
// finished a node is fsynced by a second goroutine, so writes never wait
// behind an fsync and one fsync covers every batch written while the
// previous one ran (group commit): never per event, and never while the
// engine waits. When the run ends, Close drains the queue and writes
// record.json (temp file, fsync, rename, fsync of the directory) before
// it removes the journal: two fsyncs per run, whatever its size. Journal
// lines and the record are encoded without reflection (encode.go), as
// the same JSON encoding/json makes. Everything written is linear in the
// run's events. A run whose process died keeps its journal; Load replays
// it through workflow.Record, ignoring a torn last line, and reports it
// interrupted once no process holds its lock.
//
// Run IDs are the UTC start second and 8 random hex digits
// (20261123T021501-3f9a1c2d): they sort by time and the run directory is
// created with mkdir, which fails rather than share a directory with
// another process.
//
// Retention: each Run's Close removes the oldest runs beyond Keep
// (DefaultKeep, 200) that no process is running.
//
// runstore never prints and never touches a terminal.
package runstore
