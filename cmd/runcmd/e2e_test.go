package runcmd_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fogctl/fogctl/internal/testbin"

	"github.com/google/go-cmp/cmp"
)

// The tests here run the real fogctl binary as a user (or cron) would:
// exit codes, signals, several processes.
func TestMain(m *testing.M) { testbin.Main(m) }

// proc is one fogctl process with its stdout and stderr read line by line.
type proc struct {
	cmd      *exec.Cmd
	lines    chan string  // stdout
	errLines chan string  // stderr
	stdout   bytes.Buffer // every line, once the process ended
	stderr   bytes.Buffer
	done     chan struct{}
}

// start runs the binary with its state under state, stdout a pipe (not a
// terminal) and no stdin, as cron runs it.
func start(t *testing.T, state string, args ...string) *proc {
	t.Helper()
	c := exec.Command(testbin.Fogctl(t), args...)
	c.Env = append(os.Environ(), "XDG_STATE_HOME="+state, "NO_COLOR=1")
	p := &proc{cmd: c, lines: make(chan string, 1024), errLines: make(chan string, 1024), done: make(chan struct{})}
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errOut, err := c.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	read := func(r io.Reader, buf *bytes.Buffer, lines chan string) {
		defer wg.Done()
		defer close(lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			buf.WriteString(sc.Text() + "\n")
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}
	wg.Add(2)
	go read(out, &p.stdout, p.lines)
	go read(errOut, &p.stderr, p.errLines)
	go func() { wg.Wait(); close(p.done) }()
	t.Cleanup(func() {
		if c.ProcessState == nil {
			c.Process.Kill()
			c.Wait()
		}
	})
	return p
}

// waitLine waits, at most 20 seconds, for a stdout line containing all of
// parts.
func (p *proc) waitLine(t *testing.T, parts ...string) string {
	t.Helper()
	return waitIn(t, p.lines, parts...)
}

// waitErrLine is waitLine for stderr.
func (p *proc) waitErrLine(t *testing.T, parts ...string) string {
	t.Helper()
	return waitIn(t, p.errLines, parts...)
}

func waitIn(t *testing.T, lines chan string, parts ...string) string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("fogctl closed the stream before a line with %q", parts)
			}
			all := true
			for _, s := range parts {
				all = all && strings.Contains(line, s)
			}
			if all {
				return line
			}
		case <-deadline:
			t.Fatalf("no line with %q within 20s", parts)
		}
	}
}

// wait waits, at most 30 seconds, for the process to exit and returns its
// exit code.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		t.Fatalf("fogctl did not exit within 30s")
	}
	err := p.cmd.Wait() // after the pipes are read to the end, as exec requires
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return p.cmd.ProcessState.ExitCode()
}

// fogctl runs the binary to the end and returns stdout, stderr and the
// exit code.
func fogctl(t *testing.T, state string, args ...string) (string, string, int) {
	t.Helper()
	p := start(t, state, args...)
	code := p.wait(t)
	return p.stdout.String(), p.stderr.String(), code
}

// blockingWorkflow: a and b succeed at once; slow blocks on the service
// until released; last needs b and slow.
const blockingWorkflow = `apiVersion: fogctl.io/v1alpha1
kind: Workflow
metadata:
  name: nightly
spec:
  defaults:
    timeout: 60s
  nodes:
    - name: a
      kind: http
      url: {{URL}}/ok/a
    - name: b
      kind: http
      url: {{URL}}/ok/b
      dependencies: [a]
    - name: slow
      kind: http
      url: {{URL}}/block/slow
      dependencies: [a]
    - name: last
      kind: http
      url: {{URL}}/ok/last
      dependencies: [b, slow]
`

func TestExitCodes(t *testing.T) {
	svc := startService(t)
	dir := t.TempDir()
	ok := writeWorkflow(t, dir, "ok.yaml", chainWorkflow, svc)
	failing := writeWorkflow(t, dir, "failing.yaml", failingWorkflow, svc)
	tests := []struct {
		name string
		args []string
		code int
		say  string // on stderr
	}{
		{"succeeded", []string{"run", ok}, 0, ""},
		{"node failed", []string{"run", failing}, 1, `node "upload": HTTP 500`},
		{"invalid workflow", []string{"run", "testdata/invalid.yaml"}, 2, `unknown dependency "fetch-east"`},
		{"validate invalid", []string{"validate", "testdata/invalid.yaml"}, 2, "dependency cycle: a -> b -> a"},
		{"validate ok", []string{"validate", "testdata/pipeline.yaml"}, 0, "✓ testdata/pipeline.yaml: 5 nodes, 3 layers"},
		{"unknown flag", []string{"run", ok, "--bogus"}, 2, "unknown flag: --bogus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := fogctl(t, t.TempDir(), tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.say) {
				t.Errorf("stderr does not say %q:\n%s", tt.say, stderr)
			}
		})
	}
}

// TestCancelExits130 interrupts a run whose node is waiting on a service,
// with SIGINT and with SIGTERM: the node is cancelled through its context,
// the run ends cancelled, is recorded as such, and fogctl exits 130.
func TestCancelExits130(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			svc := startService(t)
			state := t.TempDir()
			wf := writeWorkflow(t, t.TempDir(), "nightly.yaml", blockingWorkflow, svc)
			p := start(t, state, "run", wf)
			p.waitLine(t, "node\tslow\trunning")
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := p.wait(t); code != 130 {
				t.Errorf("exit %d, want 130; stderr:\n%s", code, &p.stderr)
			}
			if !strings.Contains(p.stdout.String(), "\tcancelled\t") || !strings.Contains(p.stderr.String(), "cancelled (continue it with 'fogctl run --resume") {
				t.Errorf("cancellation not reported:\nstdout:\n%s\nstderr:\n%s", &p.stdout, &p.stderr)
			}
			out, _, code := fogctl(t, state, "runs", "show", "latest", "-o", "json")
			var rec struct{ State string }
			if err := json.Unmarshal([]byte(out), &rec); err != nil || code != 0 || rec.State != "cancelled" {
				t.Errorf("recorded run: state %q, exit %d, %v", rec.State, code, err)
			}
			if n := svc.Calls("/ok/last"); n != 0 {
				t.Errorf("last was called %d times after the cancel", n)
			}
		})
	}
}

// TestKilledRunResumes kills fogctl with SIGKILL while one node waits on
// the service: `runs show` reads the journal the process left, and
// `run --resume` completes the run, calling only the nodes that had not
// succeeded.
func TestKilledRunResumes(t *testing.T) {
	svc := startService(t)
	state := t.TempDir()
	wf := writeWorkflow(t, t.TempDir(), "nightly.yaml", blockingWorkflow, svc)
	input := writeWorkflow(t, t.TempDir(), "input.json", `{"night": "2026-11-23"}`, nil)

	p := start(t, state, "run", wf, "--input", input)
	p.waitLine(t, "node\tb\tsucceeded")
	select {
	case <-svc.started:
	case <-time.After(20 * time.Second):
		t.Fatal("slow was never called")
	}
	// What the process printed reaches its journal a moment later (the
	// journal is written off the engine's path): wait, bounded, until
	// `runs show` sees b done and slow running, then kill.
	for deadline := time.Now().Add(20 * time.Second); ; {
		out, _, _ := fogctl(t, state, "runs", "show", "latest")
		if strings.Contains(out, "node\tb\tsucceeded") && strings.Contains(out, "node\tslow\trunning") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the journal never showed b succeeded and slow running:\n%s", out)
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait(t)

	out, stderr, code := fogctl(t, state, "runs", "show", "latest", "-o", "json")
	if code != 0 {
		t.Fatalf("runs show: exit %d: %s", code, stderr)
	}
	var killed struct {
		ID    string
		State string
		Input json.RawMessage
		Nodes []struct{ Name, State string }
	}
	if err := json.Unmarshal([]byte(out), &killed); err != nil {
		t.Fatal(err)
	}
	states := func(nodes []struct{ Name, State string }) map[string]string {
		m := map[string]string{}
		for _, n := range nodes {
			m[n.Name] = n.State
		}
		return m
	}
	want := map[string]string{"a": "succeeded", "b": "succeeded", "slow": "interrupted", "last": "pending"}
	if diff := cmp.Diff(want, states(killed.Nodes)); diff != "" || killed.State != "interrupted" {
		t.Errorf("killed run: state %q, nodes (-want +got):\n%s", killed.State, diff)
	}
	list, _, _ := fogctl(t, state, "runs", "list")
	if !strings.Contains(list, killed.ID+"\t") || !strings.Contains(list, "\tinterrupted\t") {
		t.Errorf("runs list does not show the run interrupted:\n%s", list)
	}

	svc.Release()
	out, stderr, code = fogctl(t, state, "run", "--resume", killed.ID, "-o", "json")
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	var resumed struct {
		ID          string
		State       string
		ResumedFrom string
		Nodes       []struct {
			Name, State string
			Output      map[string]any
		}
	}
	if err := json.Unmarshal([]byte(out), &resumed); err != nil {
		t.Fatal(err)
	}
	if resumed.State != "succeeded" || resumed.ID == killed.ID {
		t.Errorf("resumed run %s: state %q", resumed.ID, resumed.State)
	}
	for _, n := range resumed.Nodes {
		if n.Name == "last" {
			wantOut := map[string]any{"night": "2026-11-23", "a": true, "b": true, "slow": true, "last": true}
			if diff := cmp.Diff(wantOut, n.Output); diff != "" {
				t.Errorf("last's output, from reused and re-run parents (-want +got):\n%s", diff)
			}
		}
	}
	calls := map[string]int{}
	for _, p := range []string{"/ok/a", "/ok/b", "/block/slow", "/ok/last"} {
		calls[p] = svc.Calls(p)
	}
	wantCalls := map[string]int{"/ok/a": 1, "/ok/b": 1, "/block/slow": 2, "/ok/last": 1}
	if diff := cmp.Diff(wantCalls, calls); diff != "" {
		t.Errorf("service calls (-want +got): a and b must not run again:\n%s", diff)
	}
	out, _, _ = fogctl(t, state, "runs", "show", resumed.ID, "-o", "json")
	var shown struct{ ResumedFrom string }
	json.Unmarshal([]byte(out), &shown)
	if shown.ResumedFrom != killed.ID {
		t.Errorf("resumed run records resumedFrom %q, want %q", shown.ResumedFrom, killed.ID)
	}
}

// TestConcurrentProcesses runs the same workflow in several processes at
// once, each with its own input, into one state directory: every run has
// its own record, holding only its own data.
func TestConcurrentProcesses(t *testing.T) {
	svc := startService(t)
	state := t.TempDir()
	wf := writeWorkflow(t, t.TempDir(), "chain.yaml", chainWorkflow, svc)
	const n = 4
	type result struct {
		out  string
		code int
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		in := writeWorkflow(t, t.TempDir(), "in.json", fmt.Sprintf(`{"bus": "bus-%d"}`, i), nil)
		wg.Go(func() {
			p := start(t, state, "run", wf, "--input", in, "-o", "json")
			code := p.wait(t)
			results[i] = result{p.stdout.String(), code}
		})
	}
	wg.Wait()
	ids := map[string]bool{}
	for i, r := range results {
		if r.code != 0 {
			t.Fatalf("process %d: exit %d", i, r.code)
		}
		var rec struct {
			ID    string
			Nodes []struct {
				Name   string
				Output map[string]any
			}
		}
		if err := json.Unmarshal([]byte(r.out), &rec); err != nil {
			t.Fatal(err)
		}
		ids[rec.ID] = true
		shown, _, code := fogctl(t, state, "runs", "show", rec.ID, "-o", "json")
		if code != 0 {
			t.Fatalf("runs show %s: exit %d", rec.ID, code)
		}
		for k := range n {
			if k != i && strings.Contains(shown, fmt.Sprintf("bus-%d", k)) {
				t.Errorf("run %s of process %d holds bus-%d's data", rec.ID, i, k)
			}
		}
		want := map[string]any{"bus": fmt.Sprintf("bus-%d", i), "fetch": true, "publish": true}
		if diff := cmp.Diff(want, rec.Nodes[2].Output); diff != "" {
			t.Errorf("process %d: publish output (-want +got):\n%s", i, diff)
		}
	}
	if len(ids) != n {
		t.Errorf("%d distinct run IDs for %d processes", len(ids), n)
	}
	list, _, _ := fogctl(t, state, "runs", "list", "-o", "json")
	var runs []struct{ ID, State string }
	json.Unmarshal([]byte(list), &runs)
	if len(runs) != n {
		t.Errorf("runs list shows %d runs, want %d:\n%s", len(runs), n, list)
	}
}

// TestDemo runs `fogctl demo` piped: the pipeline runs end to end, clean
// is retried once then succeeds, the services stop and fogctl exits 0.
func TestDemo(t *testing.T) {
	state := t.TempDir()
	stdout, stderr, code := fogctl(t, state, "demo")
	if code != 0 {
		t.Fatalf("demo: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	var clean []string
	for _, line := range strings.Split(stdout, "\n") {
		f := strings.Split(line, "\t")
		if len(f) >= 4 && f[1] == "node" && f[2] == "clean" {
			clean = append(clean, f[3])
		}
	}
	if diff := cmp.Diff([]string{"running", "retrying", "running", "succeeded"}, clean); diff != "" {
		t.Errorf("clean's states (-want +got):\n%s\nstdout:\n%s", diff, stdout)
	}
	if !strings.Contains(stdout, "\trun\t") || !strings.Contains(stdout, "\tsucceeded\t6 nodes: 6 succeeded (1 retried)") {
		t.Errorf("no successful run line:\n%s", stdout)
	}
	if !strings.Contains(stderr, "Demo services on http://127.0.0.1:") {
		t.Errorf("stderr does not say where the services listen:\n%s", stderr)
	}
	show, _, _ := fogctl(t, state, "runs", "show", "latest")
	if !strings.Contains(show, "node\tclean\tsucceeded\t2\t") || !strings.Contains(show, "attempt 1: HTTP 503") {
		t.Errorf("runs show does not show clean retried then succeeded:\n%s", show)
	}
	// The services are stopped: the URL no longer answers.
	url := rePort.FindString(stderr)
	client := &http.Client{Timeout: 5 * time.Second}
	if resp, err := client.Get("http://" + url + "/sensors/north"); err == nil {
		resp.Body.Close()
		t.Errorf("demo services still answer on %s after fogctl exited", url)
	}
}

// TestDemoKeep keeps the demo's services up after its run: the workflow it
// saved runs again with `fogctl run`, and Ctrl-C stops the demo with 0.
func TestDemoKeep(t *testing.T) {
	state := t.TempDir()
	p := start(t, state, "demo", "--keep")
	line := p.waitErrLine(t, "fogctl run ", "air-quality.yaml")
	wf := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "fogctl run"))
	stdout, stderr, code := fogctl(t, state, "run", wf)
	if code != 0 || !strings.Contains(stdout, "\tsucceeded\t6 nodes: 6 succeeded\n") {
		t.Errorf("second run of the kept workflow: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != 0 {
		t.Errorf("demo --keep after Ctrl-C: exit %d, want 0; stderr:\n%s", code, &p.stderr)
	}
	if _, err := os.Stat(wf); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the saved workflow %s is left behind: %v", wf, err)
	}
}

// TestClosedStdoutRunGoesOn: `fogctl run wf.yaml | head -1` does not kill
// the run when head goes away: fogctl stops printing, says so on stderr,
// runs every node, records the run and exits with the run's result.
func TestClosedStdoutRunGoesOn(t *testing.T) {
	state := t.TempDir()
	wf := writeWorkflow(t, t.TempDir(), "slow.yaml", `apiVersion: fogctl.io/v1alpha1
kind: Workflow
spec:
  nodes:
  - {name: a, kind: exec, argv: [sh, -c, 'echo {}']}
  - {name: b, kind: exec, argv: [sh, -c, 'sleep 0.3; echo {}'], dependencies: [a]}
  - {name: c, kind: exec, argv: [sh, -c, 'sleep 0.3; echo {}'], dependencies: [b]}
`, nil)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(testbin.Fogctl(t), "run", wf)
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+state, "NO_COLOR=1")
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil || !strings.Contains(line, "\trun\t") {
		t.Fatalf("first line %q, %v", line, err)
	}
	r.Close() // head -1 is done
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err = <-exited:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("fogctl still running 30 s after its reader went away; stderr:\n%s", stderr.String())
	}
	if err != nil {
		t.Fatalf("fogctl run: %v (a closed stdout must not kill the run); stderr:\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "warning: printing the run") {
		t.Errorf("stderr does not say printing stopped:\n%s", stderr.String())
	}
	out, _, code := fogctl(t, state, "runs", "show", "latest", "-o", "json")
	var rec struct {
		State string
		Nodes []struct{ Name, State string }
	}
	if err := json.Unmarshal([]byte(out), &rec); err != nil || code != 0 {
		t.Fatalf("runs show: exit %d, %v\n%s", code, err, out)
	}
	if rec.State != "succeeded" || len(rec.Nodes) != 3 || rec.Nodes[2].State != "succeeded" {
		t.Errorf("recorded run %s with %+v, want succeeded with all 3 nodes", rec.State, rec.Nodes)
	}
}
