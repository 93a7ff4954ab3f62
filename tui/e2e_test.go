package tui_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fogctl/fogctl/internal/tmuxtest"
)

// The end-to-end tests drive the real fogctl binary in a private tmux
// server, as a person at an 80x24 terminal would.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// fogctl builds the binary once for the package's tests, or takes the one
// FOGCTL_TEST_BIN names.
func fogctl(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the fogctl binary")
	}
	buildOnce.Do(func() {
		if prebuilt := os.Getenv("FOGCTL_TEST_BIN"); prebuilt != "" {
			binPath = prebuilt
			return
		}
		dir, err := os.MkdirTemp("", "fogctl-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "fogctl")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/fogctl/fogctl").CombinedOutput()
		if err != nil {
			buildErr = err
			binPath = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build fogctl: %v\n%s", buildErr, binPath)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" && buildErr == nil && os.Getenv("FOGCTL_TEST_BIN") == "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

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
	s.Keys("Escape", "/", "read", "Enter")
	list := s.WaitFor(regexp.MustCompile(`2 of 6 nodes · name contains "read"`), wait)
	if strings.Contains(list, "aggregate") {
		t.Errorf("filter kept aggregate:\n%s", list)
	}

	// Quit: the run is over, so no question; the process exits 0.
	s.Keys("q")
	s.WaitFor(regexp.MustCompile(`Pane is dead \(status 0`), wait)
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

	s.Keys("q")
	s.WaitFor(regexp.MustCompile(`Quit and cancel it\? \(y/N\)`), wait)
	s.Keys("n")
	s.WaitFor(regexp.MustCompile(`enter inspect node`), wait)
	s.Keys("q")
	s.WaitFor(regexp.MustCompile(`Quit and cancel it\?`), wait)
	s.Keys("y")
	// The run is cancelled (exit 130), and says how to continue it.
	s.WaitFor(regexp.MustCompile(`Pane is dead \(status 130`), wait)
	if done := s.All(); !strings.Contains(done, "cancelled") || !strings.Contains(done, "--resume") {
		t.Errorf("no cancellation message after quitting:\n%s", done)
	}
}
