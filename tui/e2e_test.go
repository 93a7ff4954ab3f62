package tui_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/internal/testbin"
	"github.com/fogctl/fogctl/internal/tmuxtest"
)

// The end-to-end tests drive the real fogctl binary in a private tmux
// server, as a person at an 80x24 terminal would.

// fogctl builds the binary once for the package's tests, or takes the one
// FOGCTL_TEST_BIN names.
func fogctl(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the fogctl binary")
	}
	return testbin.Fogctl(t)
}

func TestMain(m *testing.M) { testbin.Main(m) }

// env is a clean environment: fogctl's state and config go to dir.
func env(dir string, extra ...string) []string {
	return append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"XDG_STATE_HOME=" + filepath.Join(dir, "state"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"TERM=xterm-256color",
		"LANG=C.UTF-8",
	}, extra...)
}

const wait = 20 * time.Second

func TestE2EDemo(t *testing.T) {
	bin := fogctl(t)
	s := tmuxtest.Start(t, tmuxtest.Options{Width: 80, Height: 24, Env: env(t.TempDir())}, bin, "demo")

	// Watch it run: the live DAG comes up with nodes running, then the
	// run ends with all six nodes done.
	s.WaitFor(regexp.MustCompile(`fogctl run \S+.*running`), wait)
	final := s.WaitFor(regexp.MustCompile(`6/6 done · .* succeeded`), wait)
	if esc := s.ScreenEscapes(); !strings.Contains(esc, "\x1b[") {
		t.Errorf("no colour on a colour terminal without NO_COLOR")
	}
	for _, node := range []string{"read-north", "read-south", "clean", "aggregate"} {
		if !strings.Contains(final, node) {
			t.Errorf("node %s not on the final screen:\n%s", node, final)
		}
	}
	sawRunning := false
	for _, f := range s.Frames() {
		if regexp.MustCompile(`[0-5]/6 done`).MatchString(f) {
			sawRunning = true
		}
	}
	if !sawRunning {
		t.Errorf("never saw the run in progress; frames:\n%s", strings.Join(s.Frames(), "\n----\n"))
	}
	if !strings.Contains(final, "clean") || !regexp.MustCompile(`clean\s+retrying`).MatchString(strings.Join(s.Frames(), "\n")) {
		t.Errorf("the retry of clean never showed in the state changes")
	}

	// The terminal grows: the layout follows, and the nodes cut at 80
	// columns show whole.
	if regexp.MustCompile(`✓ store\s+\d`).MatchString(final) {
		t.Fatalf("store fits at 80 columns; the resize below proves nothing:\n%s", final)
	}
	s.Resize(120, 30)
	s.WaitFor(regexp.MustCompile(`✓ store\s+\d+(\.\d)?s`), wait)
	s.Resize(80, 24)
	s.WaitFor(regexp.MustCompile(`(?m)^›✓ read-north`), wait)

	// Open the inspector of clean, the node that retried: two attempts,
	// the first failed with the service's 503.
	s.Keys("l", "Enter")
	insp := s.WaitFor(regexp.MustCompile(`(?s)Attempts.*#2/\d`), wait)
	if !regexp.MustCompile(`#1/\d\s+at\s+\+\S+\s+took\s+\S+\s+failed\s+.*503`).MatchString(insp) {
		t.Errorf("attempt 1 of clean not shown as failed with 503:\n%s", insp)
	}
	if !regexp.MustCompile(`#2/\d\s+at\s+\+\S+\s+took\s+\S+\s+succeeded`).MatchString(insp) {
		t.Errorf("attempt 2 of clean not shown as succeeded:\n%s", insp)
	}
	if !strings.HasPrefix(strings.Split(insp, "\n")[1], "✓ clean") {
		t.Errorf("inspector is not on clean:\n%s", insp)
	}

	// Filter by name: "read" keeps the two readers.
	// (Esc and the next key must not arrive in one read: that is Alt+key.)
	s.Keys("Escape")
	s.WaitFor(regexp.MustCompile(`enter inspect node`), wait)
	s.Keys("/", "read", "Enter")
	list := s.WaitFor(regexp.MustCompile(`2 of 6 nodes · name contains "read"`), wait)
	if strings.Contains(list, "aggregate") {
		t.Errorf("filter kept aggregate:\n%s", list)
	}

	// Quit: the run is over, so no question; the process exits 0.
	s.Keys("q")
	if code := s.WaitExit(wait); code != 0 {
		t.Errorf("fogctl exited %d, want 0", code)
	}
}

func TestE2EQuitEarlyCancelsTheRun(t *testing.T) {
	bin := fogctl(t)
	dir := t.TempDir()
	wf := filepath.Join(dir, "slow.yaml")
	if err := os.WriteFile(wf, []byte(`apiVersion: fogctl.io/v1alpha1
kind: Workflow
metadata:
  name: slow
spec:
  nodes:
    - name: quick
      kind: noop
    - name: wait-for-depot
      kind: exec
      argv: [sleep, "300"]
      timeout: 10m
      dependencies: [quick]
`), 0o600); err != nil {
		t.Fatal(err)
	}
	s := tmuxtest.Start(t, tmuxtest.Options{Width: 80, Height: 24, Env: env(dir, "NO_COLOR=1")}, bin, "run", wf)
	s.WaitFor(regexp.MustCompile(`wait-for-depot\s+running`), wait)
	// NO_COLOR: not one colour or attribute on screen.
	if esc := s.ScreenEscapes(); regexp.MustCompile(`\x1b\[[0-9;]*[1-9][0-9;]*m`).MatchString(esc) {
		t.Errorf("NO_COLOR screen has colour or attributes: %q", esc)
	}

	s.Keys("q")
	s.WaitFor(regexp.MustCompile(`Quit and cancel it\? \(y/N\)`), wait)
	s.Keys("n")
	s.WaitFor(regexp.MustCompile(`enter inspect node`), wait)
	s.Keys("q")
	s.WaitFor(regexp.MustCompile(`Quit and cancel it\?`), wait)
	s.Keys("y")
	// The run is cancelled (exit 130), and says how to continue it.
	if code := s.WaitExit(wait); code != 130 {
		t.Errorf("fogctl exited %d, want 130", code)
	}
	if done := s.All(); !strings.Contains(done, "cancelled") || !strings.Contains(done, "--resume") {
		t.Errorf("no cancellation message after quitting:\n%s", done)
	}
}

// TestE2EDash opens the dashboard on a kubeconfig whose API servers refuse
// connections (nothing listens there), makes another context current,
// runs a workflow with :run and comes back to find it in the recent runs.
func TestE2EDash(t *testing.T) {
	bin := fogctl(t)
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	var kc strings.Builder
	kc.WriteString("apiVersion: v1\nkind: Config\nclusters:\n")
	for _, n := range []string{"depot", "bus-17"} {
		fmt.Fprintf(&kc, "- name: %s\n  cluster:\n    server: https://%s\n", n, closed)
	}
	kc.WriteString("contexts:\n")
	for _, n := range []string{"depot", "bus-17"} {
		fmt.Fprintf(&kc, "- name: %s\n  context:\n    cluster: %s\n    user: op\n", n, n)
	}
	kc.WriteString("users:\n- name: op\n  user:\n    token: not-a-real-token\ncurrent-context: depot\n")
	if err := os.WriteFile(kubeconfig, []byte(kc.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	wf := filepath.Join(dir, "tiny.yaml")
	if err := os.WriteFile(wf, []byte("apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: tiny\nspec:\n  nodes:\n    - name: only\n      kind: noop\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	s := tmuxtest.Start(t, tmuxtest.Options{Width: 80, Height: 24, Env: env(dir, "KUBECONFIG="+kubeconfig)}, bin, "dash")
	s.WaitFor(regexp.MustCompile(`0/2 reachable`), wait)
	screen := s.WaitFor(regexp.MustCompile(`bus-17\s+✗ refused`), wait)
	if !regexp.MustCompile(`› \* depot\s+✗ refused`).MatchString(screen) {
		t.Errorf("depot is not the selected, current context:\n%s", screen)
	}

	s.Keys("k")
	s.WaitFor(regexp.MustCompile(`›   bus-17`), wait)
	s.Keys("Enter")
	s.WaitFor(regexp.MustCompile(`✓ Switched to context bus-17`), wait)
	data, err := os.ReadFile(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "current-context: bus-17") {
		t.Errorf("kubeconfig not switched:\n%s", data)
	}

	// :run hands the terminal to the run view; quitting it comes back.
	s.Keys(":")
	s.WaitFor(regexp.MustCompile(`(?m)^:_`), wait)
	s.Keys("run "+wf, "Enter")
	s.WaitFor(regexp.MustCompile(`1/1 done · .* succeeded`), wait)
	s.Keys("q")
	back := s.WaitFor(regexp.MustCompile(`✓ run of .*tiny.yaml ended`), wait)
	if !regexp.MustCompile(`\S+-\S+\s+…\S*/tiny.yaml\s+succeeded\s+1/1`).MatchString(back) {
		t.Errorf("the run is not in the recent runs:\n%s", back)
	}

	s.Keys("q")
	if code := s.WaitExit(wait); code != 0 {
		t.Errorf("fogctl exited %d, want 0", code)
	}
}

// TestE2ENoTUI: with --no-tui, or with stdin not a terminal, `fogctl run`
// on a terminal starts no TUI (the alternate screen is never entered).
func TestE2ENoTUI(t *testing.T) {
	bin := fogctl(t)
	dir := t.TempDir()
	wf := filepath.Join(dir, "tiny.yaml")
	if err := os.WriteFile(wf, []byte("apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: tiny\nspec:\n  nodes:\n    - name: only\n      kind: noop\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		argv []string
	}{
		{"--no-tui", []string{bin, "run", "--no-tui", wf}},
		{"stdin not a terminal", []string{"sh", "-c", `exec "$0" run "$1" </dev/null`, bin, wf}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tmuxtest.Start(t, tmuxtest.Options{Width: 80, Height: 24, Env: env(dir)}, tc.argv...)
			if code := s.WaitExit(wait); code != 0 {
				t.Errorf("fogctl exited %d, want 0", code)
			}
			all := s.All()
			if !regexp.MustCompile(`only\s.*succeeded`).MatchString(all) {
				t.Errorf("no line for the node:\n%s", all)
			}
			for _, f := range s.Frames() {
				if strings.Contains(f, "enter inspect node") {
					t.Fatalf("the TUI started:\n%s", f)
				}
			}
		})
	}
}
