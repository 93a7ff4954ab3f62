// Package runstore owns the durable record of every workflow run, under
// fogctl's state directory, one file a run:
//
//	<state>/runs/<id>.jsonl
//	    a header line (what was run: the workflow path and a copy of the
//	    file, the input, the flags), then one event a line, append-only,
//	    then, once the run has ended, a summary line for `fogctl runs
//	    list`; the process running the run holds an flock on the file
//
// The record of a run is its events replayed through workflow.Record:
// nothing is rewritten, so what a run writes is linear in its events.
//
// The file may be made ahead of its run (Reserve, then CreateFrom), while
// the caller reads and checks the workflow: empty and locked until the
// header is written, skipped by List, Resolve and IDs, and removed by
// Abandon if no run takes it.
//
// Events are appended by one writer goroutine, never by the engine: Append
// only queues. The writer writes each batch with one write(2), so a
// process killed with SIGKILL loses nothing it had written. A second
// goroutine fsyncs the runs directory once (the new file's entry), then
// the journal at most every 200 ms while there is something unsynced, so
// writes never wait behind an fsync and a power cut loses at most the
// last 200 ms of a run still going (group commit: never per event, never
// while the engine waits). The run's terminal event is written with the
// summary line and fsynced at once, while the caller still prints; Close
// fsyncs only what no fsync covered: a run that has ended is on disk when
// Close returns, and a short run costs one fsync of its file and one of
// the directory. Journal lines are encoded without reflection
// (encode.go), as encoding/json would but for the run ID, which the
// header holds once. A run whose process died has no summary line; Load
// replays it the same way, ignoring a torn last line, and reports it
// interrupted once no process holds its lock.
//
// Resuming a run claims it (Claim): an exclusive flock on <id>.claim,
// beside the resumed run's journal, taken without waiting and held until
// the resumed run ends, so two resumes of one run never both go on; the
// resumed run stays interrupted in List and Load (its journal's lock is
// free), and a run being written cannot be claimed. The successor's header names the run it resumed
// (Meta.ResumedFrom); Successors finds the runs that resumed a run, and
// the last run of its chain, from the summary lines and headers alone.
//
// Runs recorded before this layout are directories, <id>/, holding
// record.json (compacted) and summary.json, or journal.jsonl (killed):
// they are read, listed and pruned as before.
//
// Run IDs are the UTC start second and 8 random hex digits
// (20261123T021501-3f9a1c2d): they sort by time and the journal is
// created with O_EXCL, which fails rather than share a file with another
// process.
//
// Retention: CreateFrom (and Create) start removing, beside the run, the oldest
// runs beyond Keep (DefaultKeep, 200) that no process is running, and
// Close waits for it. It lists the directory at most every 10 seconds
// (runs/.pruned's modification time says when it last did), so a burst
// of runs pays for one listing.
//
// runstore never prints and never touches a terminal.
package runstore
