package tmuxtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// pollEvery is the pause between two reads of the screen while waiting.
const pollEvery = 25 * time.Millisecond

var serial atomic.Int64

// Session is one tmux server with one window running a command.
type Session struct {
	t      testing.TB
	socket string
	target string
	// frames holds every distinct screen seen while waiting, for failure
	// reports and for tests that assert what was shown on the way.
	frames []string
}

// Options size the window and set the command's environment.
type Options struct {
	Width, Height int
	// Env is the command's whole environment (tmux's own is not passed on).
	Env []string
	// Dir is the command's working directory.
	Dir string
}

// Start runs argv in a new tmux server of its own. The test is skipped when
// tmux is not installed (scripts/test.sh installs it, so CI never skips).
func Start(t testing.TB, opts Options, argv ...string) *Session {
	t.Helper()
	bin, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("tmux is not installed (scripts/test.sh installs it)")
		}
		t.Skip("tmux is not installed")
	}
	if opts.Width == 0 {
		opts.Width, opts.Height = 80, 24
	}
	s := &Session{
		t:      t,
		socket: fmt.Sprintf("fogctl-test-%d-%d", os.Getpid(), serial.Add(1)),
	}
	s.target = s.socket + ":0.0"
	conf := filepath.Join(t.TempDir(), "tmux.conf")
	// No status line: the window is exactly Width x Height. The shell
	// never runs: the window's command is argv through env -i.
	confText := "set -g status off\nset -g default-terminal tmux-256color\nset -g remain-on-exit on\n"
	if err := os.WriteFile(conf, []byte(confText), 0o600); err != nil {
		t.Fatal(err)
	}
	// The server runs in the foreground (-D) as this test's child: it
	// needs no daemon(3), which insists on /dev/null being the null device.
	server := exec.Command(bin, "-D", "-L", s.socket, "-f", conf)
	server.Env = append(os.Environ(), "TMUX=")
	if err := server.Start(); err != nil {
		t.Fatalf("start tmux server: %v", err)
	}
	t.Cleanup(func() {
		// Only this test's server, by its socket; then reap it.
		_ = exec.Command(bin, "-L", s.socket, "kill-server").Run()
		_ = server.Wait()
	})
	if err := s.waitServer(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	args := []string{"new-session", "-d", "-s", s.socket, "-x", fmt.Sprint(opts.Width), "-y", fmt.Sprint(opts.Height)}
	if opts.Dir != "" {
		args = append(args, "-c", opts.Dir)
	}
	// The shell says how the command exited: tmux's own pane_dead_status
	// is lost when the pane's output ends before its exit is reaped.
	cmdline := append([]string{"env", "-i"}, opts.Env...)
	cmdline = append(cmdline, "sh", "-c", `"$@"; echo "`+exitMark+`$?"`, "sh")
	cmdline = append(cmdline, argv...)
	args = append(args, shellJoin(cmdline))
	if _, err := s.tmux(args...); err != nil {
		t.Fatalf("start the window: %v", err)
	}
	return s
}

// waitServer polls until the server answers on its socket.
func (s *Session) waitServer(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		out, err := exec.Command("tmux", "-L", s.socket, "list-sessions").CombinedOutput()
		// A server with no session yet answers "no sessions".
		if err == nil || strings.Contains(string(out), "no sessions") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("tmux server on socket %s did not answer within %s: %s", s.socket, timeout, out)
		}
		<-tick.C
	}
}

// shellJoin quotes argv for the shell command tmux runs.
func shellJoin(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

func (s *Session) tmux(args ...string) (string, error) {
	cmd := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("tmux %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}

// Keys types keys as tmux names them: "Enter", "Escape", "C-c", "Up", or
// literal text ("q", "/sens").
func (s *Session) Keys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		args := []string{"send-keys", "-t", s.target}
		if isKeyName(k) {
			args = append(args, k)
		} else {
			args = append(args, "-l", k)
		}
		if _, err := s.tmux(args...); err != nil {
			s.t.Fatal(err)
		}
	}
}

func isKeyName(k string) bool {
	switch k {
	case "Enter", "Escape", "Up", "Down", "Left", "Right", "BSpace", "Tab", "PageUp", "PageDown", "Home", "End":
		return true
	}
	return strings.HasPrefix(k, "C-") && len(k) == 3
}

// Screen is what the window shows now, one line per row, without escapes.
func (s *Session) Screen() string {
	s.t.Helper()
	out, err := s.tmux("capture-pane", "-p", "-t", s.target)
	if err != nil {
		s.t.Fatal(err)
	}
	return strings.TrimRight(out, "\n")
}

// ScreenEscapes is the screen with its colours and attributes as SGR
// escape sequences, as tmux keeps them for each cell.
func (s *Session) ScreenEscapes() string {
	s.t.Helper()
	out, err := s.tmux("capture-pane", "-p", "-e", "-t", s.target)
	if err != nil {
		s.t.Fatal(err)
	}
	return strings.TrimRight(out, "\n")
}

// All is the whole pane: the scrollback, then the screen.
func (s *Session) All() string {
	s.t.Helper()
	out, err := s.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", s.target)
	if err != nil {
		s.t.Fatal(err)
	}
	return strings.TrimRight(out, "\n")
}

// Resize changes the window size, as a person resizing the terminal does.
func (s *Session) Resize(w, h int) {
	s.t.Helper()
	if _, err := s.tmux("resize-window", "-t", s.socket, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h)); err != nil {
		s.t.Fatal(err)
	}
}

// WaitFor polls the screen until re matches it, for at most timeout, and
// returns the screen. It fails the test with the last screen otherwise.
func (s *Session) WaitFor(re *regexp.Regexp, timeout time.Duration) string {
	s.t.Helper()
	screen, ok := s.Poll(func(screen string) bool { return re.MatchString(screen) }, timeout)
	if !ok {
		s.t.Fatalf("after %s the screen does not match %q:\n%s", timeout, re, screen)
	}
	return screen
}

// Poll reads the screen until ok says yes or timeout passes; it returns the
// last screen and whether ok said yes.
func (s *Session) Poll(ok func(screen string) bool, timeout time.Duration) (string, bool) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		screen := s.Screen()
		if n := len(s.frames); n == 0 || s.frames[n-1] != screen {
			s.frames = append(s.frames, screen)
		}
		if ok(screen) {
			return screen, true
		}
		if time.Now().After(deadline) {
			return screen, false
		}
		<-tick.C
	}
}

// exitMark starts the line the window prints when its command exits.
const exitMark = "tmuxtest: exit status "

var exitLine = regexp.MustCompile(`(?m)^` + exitMark + `(\d+)$`)

// WaitExit waits, for at most timeout, until the window's command has
// exited, and returns its exit status.
func (s *Session) WaitExit(timeout time.Duration) int {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		if m := exitLine.FindStringSubmatch(s.All()); m != nil {
			var code int
			fmt.Sscan(m[1], &code)
			return code
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("after %s the program still runs; its screen:\n%s", timeout, s.Screen())
		}
		<-tick.C
	}
}

// Frames is every distinct screen seen so far while waiting.
func (s *Session) Frames() []string { return s.frames }
