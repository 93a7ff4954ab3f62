// Package runcmd implements `fogctl run`, `fogctl validate` and `fogctl graph`.
package runcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/workflow"
	"github.com/fogctl/fogctl/workflow/runstore"
	"github.com/spf13/cobra"
)

// maxInputSize is the largest --input fogctl reads.
const maxInputSize = 16 << 20

// RunOptions are the parsed flags of `fogctl run`, `validate` and `graph`.
type RunOptions struct {
	IO         *cmdutil.IOStreams
	HTTPClient func() (*http.Client, error)
	StateDir   func() (string, error)
	// Live renders a run on a terminal (the compact status; the TUI plugs
	// in here).
	Live LiveFunc
	// WaitSignals returns once SIGINT and SIGTERM cancel the run rather
	// than end the process (Factory.WaitSignals); nil waits for nothing.
	WaitSignals func()

	File     string
	Input    string // a file, or "-" for stdin
	Parallel int
	Timeout  time.Duration
	Output   string   // "", "json" (the final record) or "jsonl" (every event)
	Resume   string   // a run ID to continue
	Rerun    []string // with Resume: nodes to run again though they succeeded
	Force    bool     // with Resume: resume a run another run already resumed
	NoTUI    bool
	Format   string // graph: "dot" or "text"

	// record, when set, is the run's journal being created beside the
	// command (runRun); Execute creates it itself otherwise.
	record *pendingRecord
	// claim, with Resume, is the resumed run's lock, held until the
	// resumed run has ended (runstore.Claim).
	claim *runstore.Claim
}

// NewCmdRun builds `fogctl run FILE`.
func NewCmdRun(f *cmdutil.Factory, runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{IO: f.IOStreams, HTTPClient: f.HTTPClient, StateDir: f.StateDir, Live: DefaultLive, WaitSignals: f.WaitSignals}
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a workflow",
		Long: `Run a workflow: each node starts when its dependencies have finished, with
their merged outputs as its input. On a terminal a live status shows the
run; otherwise one line per state change is printed, tab-separated:

  TIME  run|node  ID|NAME  STATE  DETAIL

Every run is recorded under the state directory ('fogctl runs list').
--resume ID continues a run: the nodes that did not succeed run again,
with every node after them, and the others' recorded outputs are reused.
It runs the run's workflow file as it is now (the copy recorded with the
run if the file is gone), or FILE when given (the file moved, or another
copy); a node defined otherwise than in the run (kind, action,
dependencies, when) runs again too, with every node after it, and stderr
says which. A resume is refused while the run is running or being resumed
by another fogctl, and once another run has resumed it (the message names
the last run of the chain; --force resumes it anyway).

Exit status: 0 succeeded; 1 a node failed, or fogctl could not do its own
part (no state directory, the record not written whole, the run to resume
held by another fogctl); 2 invalid workflow, input or usage (--resume of
no such run, or of one already resumed); 130 cancelled (Ctrl-C, SIGTERM
or SIGHUP). fogctl run never prompts: it is safe to call from cron.`,
		Example: `  fogctl run pipeline.yaml
  fogctl run pipeline.yaml --input readings.json --parallel 8 --timeout 10s
  fogctl run pipeline.yaml -o json | jq .state
  fogctl run --resume latest
  fogctl run --resume latest --rerun clean   # clean and what follows it, again
  fogctl run --resume 20261123T021501 moved/pipeline.yaml`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) > 1:
				return cmdutil.FlagErrorf("run takes one workflow file, got %d arguments", len(args))
			case len(args) == 0 && opts.Resume == "":
				return cmdutil.FlagErrorf("name the workflow file to run, or give --resume ID")
			}
			return nil
		},
		ValidArgsFunction: completeWorkflowFile,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.File = args[0]
			}
			if cmd.Flags().Changed("input") && opts.Input == "" {
				// --input "$FILE" with FILE unset, in cron: never {} in silence.
				return cmdutil.WithExitCode(cmdutil.ExitUsage, errors.New("--input names no file (an unset variable?): give a JSON file, or - for stdin"))
			}
			if opts.Parallel < 0 {
				return cmdutil.FlagErrorf("--parallel must be 0 (no limit) or more, got %d", opts.Parallel)
			}
			if opts.Timeout < 0 || opts.Timeout == 0 && cmd.Flags().Changed("timeout") {
				// As a file's timeout: 0s would not mean "none".
				return cmdutil.FlagErrorf("--timeout must be more than 0, got %s (leave it out for the default, 30s)", opts.Timeout)
			}
			if cmd.Flags().Changed("rerun") && (len(opts.Rerun) == 0 || slices.Contains(opts.Rerun, "")) {
				return cmdutil.FlagErrorf("--rerun names no node (an unset variable?): give the name of a node to run again")
			}
			if len(opts.Rerun) > 0 && opts.Resume == "" {
				return cmdutil.FlagErrorf("--rerun goes with --resume ID: it names nodes of that run to run again")
			}
			if opts.Force && opts.Resume == "" {
				return cmdutil.FlagErrorf("--force goes with --resume ID: it resumes a run that another run already resumed")
			}
			if runF != nil {
				return runF(opts)
			}
			return runRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Input, "input", "", "JSON `FILE` given to the root nodes, or - for stdin (default {})")
	cmd.Flags().IntVar(&opts.Parallel, "parallel", 0, "Run at most `N` nodes at once (0: no limit)")
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 0, "Per-attempt timeout of nodes that set none (default 30s)")
	cmd.Flags().StringVar(&opts.Resume, "resume", "", "Continue run `ID`: re-run the nodes that did not succeed, reuse the others' outputs")
	cmd.Flags().StringSliceVar(&opts.Rerun, "rerun", nil, "With --resume: run `NODE` again though it succeeded, and every node after it (repeat, or comma-separate)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "With --resume: resume the run even though another run already resumed it (its nodes' side effects happen again)")
	cmd.Flags().BoolVar(&opts.NoTUI, "no-tui", false, "Print one line per state change even on a terminal")
	cmdutil.AddOutputFlag(cmd, &opts.Output, "json", "jsonl")
	_ = cmd.RegisterFlagCompletionFunc("resume", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return RunIDs(f), cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("rerun", func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		resume, _ := cmd.Flags().GetString("resume")
		return rerunNodes(f, resume, args), cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.MarkFlagFilename("input", "json")
	return cmd
}

// completeWorkflowFile completes workflow files: YAML and JSON.
func completeWorkflowFile(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return []string{"yaml", "yml", "json"}, cobra.ShellCompDirectiveFilterFileExt
}

// RunIDs lists recorded run IDs, newest first, with "latest", for shell
// completion. It never fails: no store means no IDs.
func RunIDs(f *cmdutil.Factory) []string {
	dir, err := f.StateDir()
	if err != nil {
		return nil
	}
	ids, _ := runstore.OpenRead(dir).IDs()
	return append([]string{"latest"}, ids...)
}

// rerunNodes completes --rerun with node names: of the run --resume names
// (its workflow as it was run), or of the workflow file given. It never
// fails: nothing to read means nothing to offer.
func rerunNodes(f *cmdutil.Factory, resume string, args []string) []string {
	var wf *workflow.Workflow
	switch {
	case resume != "":
		dir, err := f.StateDir()
		if err != nil {
			return nil
		}
		store := runstore.OpenRead(dir)
		id, err := store.Resolve(resume)
		if err != nil {
			return nil
		}
		prev, err := store.Load(id)
		if err != nil {
			return nil
		}
		wf = prev.Workflow
	case len(args) == 1:
		data, popts, err := readWorkflow(args[0])
		if err != nil {
			return nil
		}
		if wf, err = workflow.ParseWith(args[0], data, popts); err != nil {
			return nil
		}
	}
	if wf == nil {
		return nil
	}
	names := make([]string, len(wf.Nodes))
	for i, n := range wf.Nodes {
		names[i] = n.Name
	}
	return names
}

// Job is one run to execute: the workflow, its input, and what a resumed
// run reuses.
type Job struct {
	// Path is the workflow file's path and Data its bytes, recorded with
	// the run so --resume can run it again.
	Path     string
	Data     []byte
	Workflow *workflow.Workflow
	Input    json.RawMessage
	// Reuse maps the nodes that succeeded in ResumedFrom to their outputs.
	Reuse map[string]json.RawMessage
	// Rerun names nodes to run again though Reuse may hold them, and the
	// nodes after them (--rerun).
	Rerun       map[string]bool
	ResumedFrom string
}

func runRun(ctx context.Context, opts *RunOptions) error {
	tuneGC()
	keepRunningOnClosedPipe()
	var input json.RawMessage
	if opts.Input != "" {
		var err error
		if input, err = readInput(opts.IO.In, opts.Input); err != nil {
			return cmdutil.WithExitCode(cmdutil.ExitUsage, err)
		}
	}
	// The run's journal is created while the workflow is read and
	// checked (after the input, which may take its time on stdin: the
	// run is created when it can start); an invalid workflow removes it.
	opts.record = reserveRecord(opts.StateDir)
	defer opts.record.abandon()
	if opts.Resume != "" {
		defer func() { opts.claim.Release() }() // once the resumed run has ended
		job, err := resumeJob(opts, input)
		if err != nil {
			return err
		}
		_, err = Execute(ctx, opts, job)
		return err
	}
	job, err := loadJob(opts.IO, opts.File)
	if err != nil {
		return err
	}
	job.Input = input
	_, err = Execute(ctx, opts, job)
	return err
}

// loadJob reads and validates a workflow file. An invalid file lists every
// problem on stderr and exits 2.
func loadJob(ios *cmdutil.IOStreams, file string) (Job, error) {
	data, popts, err := readWorkflow(file)
	var wf *workflow.Workflow
	if err == nil {
		wf, err = workflow.ParseWith(file, data, popts)
	}
	if err != nil {
		return Job{}, invalid(ios, file, err)
	}
	printWarnings(ios, wf.Warnings)
	path, _ := filepath.Abs(file)
	return Job{Path: path, Data: data, Workflow: wf}, nil
}

// printWarnings prints what the parser warns about in an accepted file
// (keys a plain DAG file does not know, which it ignores), one a line
// on stderr, as FILE:LINE: warning: ...: validate, run and graph alike.
func printWarnings(ios *cmdutil.IOStreams, warnings []workflow.Problem) {
	for _, w := range warnings {
		fmt.Fprintln(ios.ErrOut, w.String())
	}
}

// pseudoFile reports whether the absolute path file names a file of the
// kernel's (a descriptor: /dev/stdin, /dev/fd/63, /proc/self/fd/0), not
// one in a directory.
func pseudoFile(file string) bool {
	file = filepath.ToSlash(file)
	return strings.HasPrefix(file, "/dev/") || strings.HasPrefix(file, "/proc/")
}

// readWorkflow reads a workflow file whole: a regular file or a pipe of
// at most workflow.MaxFileSize bytes (readCapped). What it cannot read is
// one problem naming the file, as validate prints it.
// opts.NoFileDir is set for a pipe: it has no directory for exec nodes.
func readWorkflow(file string) ([]byte, workflow.ParseOptions, error) {
	data, regular, err := readCapped(file, workflow.MaxFileSize)
	if err == nil {
		return data, workflow.ParseOptions{NoFileDir: !regular}, nil
	}
	var msg string
	var pe *fs.PathError
	switch {
	case errors.Is(err, errNotFile):
		msg = err.Error() + ": give a workflow file (YAML or JSON), or a pipe"
	case errors.Is(err, errTooLarge):
		msg = "larger than " + sizeMiB(workflow.MaxFileSize) + ", the most a workflow file may be"
	case errors.As(err, &pe):
		msg = pe.Err.Error()
	default:
		msg = err.Error()
	}
	return nil, workflow.ParseOptions{}, &workflow.ValidationError{Problems: []workflow.Problem{{File: file, Msg: msg}}}
}

// invalid prints every problem of a rejected workflow file and returns the
// exit-2 error that ends the command.
func invalid(ios *cmdutil.IOStreams, file string, err error) error {
	var verr *workflow.ValidationError
	if !errors.As(err, &verr) {
		return cmdutil.WithExitCode(cmdutil.ExitUsage, fmt.Errorf("%s: %w", file, err))
	}
	for _, p := range verr.Problems {
		fmt.Fprintln(ios.ErrOut, p.String())
	}
	printWarnings(ios, verr.Warnings) // a misspelt key may explain a problem
	n := len(verr.Problems)
	if n == 1 {
		return cmdutil.WithExitCode(cmdutil.ExitUsage, nil)
	}
	return cmdutil.WithExitCode(cmdutil.ExitUsage, fmt.Errorf("%s: %d problems", file, n))
}

// readInput reads the run's input: a JSON object from a file or stdin.
func readInput(stdin io.Reader, name string) (json.RawMessage, error) {
	var data []byte
	var err error
	label := name
	if name == "-" {
		label = "stdin"
		data, err = io.ReadAll(io.LimitReader(stdin, maxInputSize+1))
		if err == nil && len(data) > maxInputSize {
			err = errTooLarge
		}
	} else {
		data, _, err = readCapped(name, maxInputSize)
	}
	switch {
	case errors.Is(err, errNotFile):
		return nil, fmt.Errorf("input %s: %v: give a JSON file, or - for stdin", label, err)
	case errors.Is(err, errTooLarge):
		return nil, fmt.Errorf("input %s: larger than %s, the most --input may be", label, sizeMiB(maxInputSize))
	case err != nil:
		return nil, fmt.Errorf("read input: %w", err)
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		// An empty stdin or file is a mistake (a pipe whose writer
		// failed, a file not written yet), not an empty object.
		if name == "-" {
			return nil, errors.New("input: stdin was empty: give a JSON object ({} for none)")
		}
		return nil, fmt.Errorf("input %s: the file is empty: give a JSON object ({} for none)", label)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		var se *json.SyntaxError
		if err != nil && errors.As(err, &se) {
			return nil, fmt.Errorf("input %s: byte %d: %v (want a JSON object)", label, se.Offset, err)
		}
		return nil, fmt.Errorf("input %s: must be a JSON object, not %s", label, jsonKind(data))
	}
	return json.RawMessage(data), nil
}

// Execute runs a job and records it: the engine's events go to the run
// store's journal and to one printer (live status on a terminal, plain
// lines otherwise, JSON with -o). It returns the run's ID (once the run
// is recorded) and nil when the run succeeded, or an ExitError with code
// 1 (a node failed) or 130 (cancelled). `fogctl demo` runs its pipeline
// through here too.
func Execute(ctx context.Context, opts *RunOptions, job Job) (runID string, err error) {
	client, err := opts.HTTPClient()
	if err != nil {
		return "", err
	}
	if isZeroClient(client) {
		client = runClient() // tuned for DAG layers, never closed
	}
	pending := opts.record
	if pending == nil {
		pending = reserveRecord(opts.StateDir)
	}
	input := job.Input
	if len(input) == 0 {
		input = json.RawMessage("{}")
	}
	rec, err := pending.create(runstore.Meta{
		Workflow:    job.Path,
		Nodes:       len(job.Workflow.Nodes),
		Input:       input,
		Parallel:    opts.Parallel,
		Timeout:     opts.Timeout,
		ResumedFrom: job.ResumedFrom,
	}, job.Data)
	if err != nil {
		return "", err
	}
	runID = rec.ID()

	// From here a signal must cancel the run, not end the process.
	if opts.WaitSignals != nil {
		opts.WaitSignals()
	}
	// runCtx also ends when a live view the user quit returns early.
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	events := workflow.Run(runCtx, job.Workflow, workflow.Options{
		RunID:          runID,
		Input:          input,
		Parallel:       opts.Parallel,
		DefaultTimeout: opts.Timeout,
		HTTPClient:     client,
		Reuse:          job.Reuse,
		Rerun:          job.Rerun,
		ResumedFrom:    job.ResumedFrom,
	})

	// Each event goes into the journal (which only queues) and the
	// tally. Plain and JSON lines are formatted in the same loop, on this
	// goroutine, and written by one of their own; a live view reads a
	// channel of its own at its own pace (and may quit early).
	var tally runTally
	var record *workflow.Record
	follow := func(ev workflow.Event) {
		rec.Append(ev)
		tally.add(ev)
	}
	// A live view (the TUI or the compact status) leaves the screen as it
	// found it; the summary printed after it is what the scrollback keeps.
	live := opts.Output != "json" && opts.Output != "jsonl" && opts.IO.IsStdoutTTY() && !opts.NoTUI && opts.Live != nil
	var perr error
	switch {
	case live:
		perr = followLive(runCtx, cancelRun, opts, job.Workflow, events, follow)
	case opts.Output == "json":
		// The final record, printed when the run ends: the only
		// printer that needs every input and output in memory.
		record = workflow.NewRecord(job.Workflow, runID)
		if job.Path != "" {
			// The file as recorded, absolute, as runs show prints it;
			// the parser's is the path as given (sub/wf.yaml).
			record.File = job.Path
		}
		for ev := range events {
			follow(ev)
			record.Apply(ev)
		}
	case opts.Output == "jsonl":
		perr = printEvents(events, follow, newLineWriter(opts.IO.Out), appendJSONLine)
	default:
		perr = printEvents(events, follow, newLineWriter(opts.IO.Out), func(b []byte, ev workflow.Event) []byte {
			return appendPlain(b, ev, &tally)
		})
	}

	recErr := rec.Close(true)
	if opts.Output == "json" {
		shown := ShownRun{Record: record, Input: input, ResumedFrom: job.ResumedFrom}
		if err := cmdutil.PrintJSON(opts.IO.Out, shown); err != nil {
			return runID, err
		}
	}
	if perr != nil && !errors.Is(perr, context.Canceled) {
		fmt.Fprintf(opts.IO.ErrOut, "warning: printing the run: %v\n", perr)
	}
	err = runResult(ctx, runID, &tally)
	if recErr != nil {
		err = recordLost(opts.IO, runID, &tally, recErr, err)
	}
	return runID, err
}

// recordLost is the command's result when the run's record could not be
// written whole (the disk filled up, a quota): the run's own result is
// said, and that its record is incomplete. A run that succeeded exits 1
// then, not 0: what cron or a script checks must not pass while `runs
// show` reports the run interrupted and --resume would run again what
// the record misses. A failed run exits 1 and a cancelled one 130, as
// they would, with the record's problem on a line of its own.
func recordLost(ios *cmdutil.IOStreams, runID string, t *runTally, recErr, result error) error {
	what := fmt.Sprintf("its record is incomplete (%v): 'fogctl runs show %s' shows only what was written", recErr, runID)
	if result == nil {
		return cmdutil.WithExitCode(cmdutil.ExitFailed, fmt.Errorf("run %s %s, but %s", runID, t.state, what))
	}
	fmt.Fprintf(ios.ErrOut, "error: run %s: %s\n", runID, what)
	return result
}

// ShownRun is a run's record as `run -o json` and `runs show -o json`
// print it, the same for both: the record, the run's input and the run
// it resumed.
type ShownRun struct {
	*workflow.Record
	Input       json.RawMessage `json:"input"`
	ResumedFrom string          `json:"resumedFrom,omitempty"`
}

// followLive shows the run in opts.Live, which reads a channel of its own:
// a goroutine follows each event and passes it on. When the view returns
// the run is cancelled (if it still goes, the user quit it) and followed
// to its end; then the summary the scrollback keeps is printed.
func followLive(ctx context.Context, cancel context.CancelFunc, opts *RunOptions, wf *workflow.Workflow, events <-chan workflow.Event, follow func(workflow.Event)) error {
	summary := newStatusView(opts.IO, wf)
	summary.quiet = true
	out := make(chan workflow.Event, 256)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		defer close(out)
		for ev := range events {
			follow(ev)
			summary.add(ev)
			out <- ev
		}
	}()
	err := opts.Live(ctx, opts.IO, wf, out)
	cancel()
	drain(out) // a view that returned early must not block the run
	<-copied
	if serr := summary.printSummary(); serr != nil && err == nil {
		err = serr
	}
	return err
}

// runResult turns how a run ended into the command's error and exit code.
func runResult(ctx context.Context, runID string, t *runTally) error {
	switch {
	case t.state == workflow.StateSucceeded:
		return nil
	case t.state == workflow.StateCancelled || ctx.Err() != nil:
		return cmdutil.WithExitCode(cmdutil.ExitCancelled,
			fmt.Errorf("run %s cancelled (continue it with 'fogctl run --resume %s')", runID, runID))
	case t.firstFail.Node != "":
		return cmdutil.WithExitCode(cmdutil.ExitFailed,
			fmt.Errorf("run %s failed: node %q: %s (details: 'fogctl runs show %s')", runID, t.firstFail.Node, oneLine(t.firstFail.Error), runID))
	}
	return cmdutil.WithExitCode(cmdutil.ExitFailed, fmt.Errorf("run %s ended %s (details: 'fogctl runs show %s')", runID, t.state, runID))
}

// resumeJob builds the job that continues run opts.Resume: the workflow it
// ran (re-read from its file, or the copy recorded with the run if the
// file is gone, or opts.File when given), its input unless --input gives
// another, and the outputs of the nodes that succeeded.
func resumeJob(opts *RunOptions, input json.RawMessage) (Job, error) {
	stateDir, err := opts.StateDir()
	if err != nil {
		return Job{}, err
	}
	store, err := runstore.Open(stateDir)
	if err != nil {
		return Job{}, err
	}
	id, err := store.Resolve(opts.Resume)
	if err != nil {
		return Job{}, cmdutil.WithExitCode(cmdutil.ExitUsage, fmt.Errorf("resume: %w", err))
	}
	// The claim is held until the resumed run ends: a second resume of id
	// started meanwhile fails here, and one started later finds this
	// run's record naming id as the run it resumed.
	claim, err := store.Claim(id)
	if errors.Is(err, runstore.ErrBusy) {
		return Job{}, fmt.Errorf("resume %s: the run is running or being resumed in another process; see 'fogctl runs list'", id)
	}
	if err != nil {
		return Job{}, fmt.Errorf("resume %s: %w", id, err)
	}
	opts.claim = claim
	if !opts.Force {
		next, last, err := store.Successors(id)
		if err != nil {
			return Job{}, fmt.Errorf("resume %s: %w", id, err)
		}
		if len(next) > 0 {
			by := make([]string, len(next))
			for i, r := range next {
				by[i] = fmt.Sprintf("%s (%s)", r.ID, r.State)
			}
			return Job{}, cmdutil.WithExitCode(cmdutil.ExitUsage, fmt.Errorf(
				"resume %s: run %s was already resumed by %s; resuming it again would repeat what that did. Continue the last run of its chain, 'fogctl run --resume %s' (%s), or give --force to resume %s again",
				id, id, strings.Join(by, ", "), last.ID, last.State, id))
		}
	}
	prev, err := store.Load(id)
	if err != nil {
		return Job{}, fmt.Errorf("resume %s: %w", id, err)
	}
	if prev.Workflow == nil {
		// Without the definitions it ran, no output can be told
		// still good (changedNodes).
		return Job{}, fmt.Errorf("resume %s: %w; this fogctl cannot tell which of its outputs still hold: run the workflow again ('fogctl run FILE'); 'fogctl runs show %s' shows what the run did", id, prev.WorkflowErr, id)
	}
	var job Job
	switch {
	case opts.File != "":
		if job, err = loadJob(opts.IO, opts.File); err != nil {
			return Job{}, err
		}
	default:
		// The file as it is now; the copy recorded with the run once
		// the file is gone, or when it was a pipe (/dev/stdin,
		// /dev/fd/63: what they read now is not the run's workflow).
		if _, serr := os.Stat(prev.Meta.Workflow); errors.Is(serr, fs.ErrNotExist) || pseudoFile(prev.Meta.Workflow) {
			job = Job{Path: prev.Meta.Workflow, Data: prev.WorkflowData, Workflow: prev.Workflow}
		} else if job, err = loadJob(opts.IO, prev.Meta.Workflow); err != nil {
			return Job{}, err
		}
	}
	job.Input = prev.Meta.Input
	if len(input) > 0 {
		job.Input = input
	}
	if opts.Parallel == 0 {
		opts.Parallel = prev.Meta.Parallel
	}
	if opts.Timeout == 0 {
		opts.Timeout = prev.Meta.Timeout
	}
	job.ResumedFrom = id
	job.Reuse = succeededOutputs(prev.Record, job.Workflow)
	// A node defined otherwise than when it succeeded runs again, and so
	// does every node after it (the engine reuses a node only when all
	// its dependencies were reused): its recorded output is not what it
	// makes now.
	if changed := changedNodes(prev.Workflow, job.Workflow, job.Reuse); len(changed) > 0 {
		for _, c := range changed {
			delete(job.Reuse, c.name)
		}
		fmt.Fprintf(opts.IO.ErrOut, "resume %s: %s changed since that run: %s again, with every node after %s\n",
			id, job.Path, changedList(changed), map[bool]string{true: "it", false: "them"}[len(changed) == 1])
	}
	var unknown []string
	for _, name := range opts.Rerun {
		if job.Workflow.Node(name) == nil {
			unknown = append(unknown, strconv.Quote(name))
			continue
		}
		// It runs again, and so does every node after it
		// (workflow.Options.Rerun).
		if job.Rerun == nil {
			job.Rerun = map[string]bool{}
		}
		job.Rerun[name] = true
	}
	if len(unknown) > 0 {
		return Job{}, cmdutil.WithExitCode(cmdutil.ExitUsage,
			fmt.Errorf("resume %s: --rerun: no node %s in %s (see 'fogctl graph %s --format text')", id, strings.Join(unknown, ", "), job.Path, job.Path))
	}
	if len(input) > 0 && !sameJSON(input, prev.Meta.Input) {
		// A new input: the root nodes run again on it, and so does
		// everything after them (workflow.Options.Reuse).
		for _, n := range job.Workflow.Nodes {
			if len(n.Dependencies) == 0 {
				delete(job.Reuse, n.Name)
			}
		}
	}
	return job, nil
}

// jsonKind names the kind of the valid JSON value data: "an array", "a
// string", "a number", "a boolean", "null".
func jsonKind(data []byte) string {
	switch data[0] {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// sameJSON reports whether a and b are the same JSON value, whatever
// their spacing.
func sameJSON(a, b []byte) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

// succeededOutputs maps the nodes that succeeded in rec, and still exist
// in wf, to their recorded outputs. The engine runs again any node whose
// output was truncated in the record.
func succeededOutputs(rec *workflow.Record, wf *workflow.Workflow) map[string]json.RawMessage {
	reuse := map[string]json.RawMessage{}
	for _, n := range rec.Nodes {
		if n.State == workflow.StateSucceeded && wf.Node(n.Name) != nil && len(n.Output) > 0 {
			reuse[n.Name] = n.Output
		}
	}
	return reuse
}
