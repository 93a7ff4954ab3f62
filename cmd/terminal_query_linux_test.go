package cmd

import (
	"bytes"
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fogctl/fogctl/internal/testbin"
	"golang.org/x/sys/unix"
)

// terminalQueries are the questions a program asks a terminal and then
// waits for: the background colour (OSC 11) and the cursor position (DSR).
var terminalQueries = []string{"\x1b]11;?", "\x1b[6n"}

// openPTY opens a pseudo-terminal pair of 80x24. The test holds the
// controlling side and never answers what is written to it.
func openPTY(t *testing.T) (control, term *os.File) {
	t.Helper()
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	control = os.NewFile(uintptr(fd), "/dev/ptmx")
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		control.Close()
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		control.Close()
		t.Fatalf("pty number: %v", err)
	}
	if err := unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80}); err != nil {
		control.Close()
		t.Fatalf("pty size: %v", err)
	}
	term, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		control.Close()
		t.Fatalf("open pty: %v", err)
	}
	t.Cleanup(func() { control.Close() })
	return control, term
}

// runOnSilentTerminal runs the real binary with stdin, stdout and stderr
// on a terminal that never answers, and returns all it wrote there.
func runOnSilentTerminal(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	control, term := openPTY(t)
	c := exec.Command(testbin.Fogctl(t), args...)
	c.Env = env
	c.Stdin, c.Stdout, c.Stderr = term, term, term
	// The terminal is the command's controlling terminal, as in a shell.
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := c.Start(); err != nil {
		term.Close()
		t.Fatal(err)
	}
	term.Close() // the child holds its copies; EOF (EIO) once it exits

	read := make(chan []byte, 1)
	go func() {
		var out bytes.Buffer
		buf := make([]byte, 4096)
		for {
			n, err := control.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				read <- out.Bytes()
				return
			}
		}
	}()
	waited := make(chan error, 1)
	go func() { waited <- c.Wait() }()

	// The deadline only guards against a hang; a command that waits for
	// the terminal's answer still finishes well inside it, and fails below.
	deadline := time.After(30 * time.Second)
	var err error
	select {
	case err = <-waited:
	case <-deadline:
		c.Process.Kill()
		<-waited
		t.Fatalf("fogctl %s did not exit", strings.Join(args, " "))
	}
	select {
	case out := <-read:
		return string(out), err
	case <-deadline:
		t.Fatalf("the terminal of fogctl %s was not closed after it exited", strings.Join(args, " "))
	}
	return "", nil
}

// TestNoTerminalQueryAtStartup: a command that draws no TUI asks the
// terminal nothing. A terminal that does not answer (script(1), a serial
// console, an editor's shell) must not stall it, and over SSH it must not
// cost a round trip: fogctl runs hundreds of times from scripts.
func TestNoTerminalQueryAtStartup(t *testing.T) {
	kubeconfig, err := filepath.Abs(filepath.Join("..", "testdata", "kubeconfig", "full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
		code int
	}{
		{"version", []string{"version"}, "fogctl ", 0},
		{"ctx list", []string{"ctx", "list"}, "bus-17", 0},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			env := []string{
				"PATH=" + os.Getenv("PATH"),
				"HOME=" + home,
				"XDG_STATE_HOME=" + filepath.Join(home, "state"),
				"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
				"KUBECONFIG=" + kubeconfig,
				// A terminal lipgloss v1 would have asked for its colours.
				"TERM=xterm-256color",
				"COLORTERM=truecolor",
				"LANG=C.UTF-8",
			}
			out, err := runOnSilentTerminal(t, env, tt.args...)
			wantCode := tt.code
			var exit *exec.ExitError
			switch {
			case err == nil && wantCode != 0:
				t.Errorf("fogctl %s exited 0, want %d", strings.Join(tt.args, " "), wantCode)
			case errors.As(err, &exit) && exit.ExitCode() != wantCode:
				t.Errorf("fogctl %s exited %d, want %d", strings.Join(tt.args, " "), exit.ExitCode(), wantCode)
			case err != nil && !errors.As(err, &exit):
				t.Errorf("fogctl %s: %v", strings.Join(tt.args, " "), err)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("fogctl %s wrote %q, want it to hold %q", strings.Join(tt.args, " "), out, tt.want)
			}
			for _, q := range terminalQueries {
				if strings.Contains(out, q) {
					t.Errorf("fogctl %s asked the terminal %q; it wrote %q", strings.Join(tt.args, " "), q, out)
				}
			}
		})
	}
}

// TestNoTerminalProbingInit: no module whose package init probes the
// terminal is linked into fogctl. bubbletea v1 and termenv ask it for its
// background (TestNoTerminalQueryAtStartup); lipgloss v2 detects stdout's
// colour profile in a package variable, reading terminfo and /etc/passwd
// on a terminal (3 ms a process in tmux, measured). Package inits run in
// every command, so the TUI builds its escapes with x/ansi instead.
func TestNoTerminalProbingInit(t *testing.T) {
	info, err := buildinfo.ReadFile(testbin.Fogctl(t))
	if err != nil {
		t.Fatal(err)
	}
	banned := map[string]bool{
		"github.com/charmbracelet/bubbletea": true,
		"github.com/charmbracelet/lipgloss":  true,
		"github.com/muesli/termenv":          true,
		"charm.land/lipgloss/v2":             true,
	}
	for _, m := range info.Deps {
		if banned[m.Path] {
			t.Errorf("fogctl links %s %s, whose package init probes the terminal in every process", m.Path, m.Version)
		}
	}
}
