package runcmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fogctl/fogctl/cmd"
	"github.com/fogctl/fogctl/cmd/cmdutil"
)

// service is a loopback JSON service the test controls:
//
//	/ok/NAME     echoes the JSON body with NAME set to true
//	/fail/NAME   answers 500 with a JSON error
//	/block/NAME  waits until Release (then echoes) or the caller gives up
//
// It counts calls per path.
type service struct {
	URL string

	mu      sync.Mutex
	calls   map[string]int
	release chan struct{}
	once    sync.Once
	// started gets the path of each /block call as it starts waiting.
	started chan string
}

func startService(t testing.TB) *service {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &service{URL: "http://" + ln.Addr().String(), calls: map[string]int{}, release: make(chan struct{}), started: make(chan string, 64)}
	srv := &http.Server{Handler: s}
	served := make(chan struct{})
	go func() { defer close(served); srv.Serve(ln) }()
	t.Cleanup(func() {
		s.Release()
		srv.Close()
		<-served
	})
	return s
}

// Release lets every blocked and future /block call answer.
func (s *service) Release() { s.once.Do(func() { close(s.release) }) }

// Calls is how many requests path has had.
func (s *service) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

func (s *service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls[r.URL.Path]++
	s.mu.Unlock()
	kind, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch kind {
	case "fail":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"error":"disk full on depot-db"}`)
		return
	case "block":
		select {
		case s.started <- r.URL.Path:
		default:
		}
		select {
		case <-s.release:
		case <-r.Context().Done():
			return
		}
	}
	body, _ := io.ReadAll(r.Body)
	m := map[string]any{}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	m[name] = true
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(m)
}

// writeWorkflow writes a workflow file into dir with {{URL}} replaced by
// the service's URL and returns its path.
func writeWorkflow(t testing.TB, dir, name, text string, s *service) string {
	t.Helper()
	if s != nil {
		text = strings.ReplaceAll(text, "{{URL}}", s.URL)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// testFactory returns a Factory over buffers, with its state directory in
// a fresh temp dir, and the buffers for stdin, stdout and stderr.
func testFactory(t *testing.T, tty bool) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	ios, in, out, errOut := cmdutil.Test()
	ios.SetTTY(tty)
	// No keyboard: the live view is the compact status, not the TUI
	// (tui has its own tests).
	ios.SetStdinTTY(false)
	state := t.TempDir()
	f := &cmdutil.Factory{
		IOStreams:  ios,
		Version:    "test",
		Now:        func() time.Time { return time.Date(2026, 11, 23, 2, 30, 0, 0, time.UTC) },
		HTTPClient: func() (*http.Client, error) { return &http.Client{}, nil },
		StateDir:   func() (string, error) { return state, nil },
		ConfigDir:  func() (string, error) { return t.TempDir(), nil },
		Executable: os.Executable,
	}
	return f, in, out, errOut
}

// run runs one fogctl command line in-process, as main does, and returns
// its exit code. A run still going after a minute is cancelled (exit 130)
// rather than left to hang the test.
func run(t *testing.T, f *cmdutil.Factory, args ...string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return int(cmd.Run(ctx, f, args))
}

var (
	reRunID = regexp.MustCompile(`\d{8}T\d{6}-[0-9a-f]{8}`)
	reTime  = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
	reDur   = regexp.MustCompile(`\b\d+(\.\d+)?(ms|s)\b`)
	reRetry = regexp.MustCompile(`retrying in \S+`)
	rePort  = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	reSpDur = regexp.MustCompile(` +DUR`)
)

// normalize replaces what changes from run to run (IDs, times, durations,
// ports, temp dirs) with fixed words, so outputs compare with goldens.
func normalize(s string, tempDirs ...string) string {
	for _, d := range tempDirs {
		s = strings.ReplaceAll(s, d, "TMP")
	}
	s = reRunID.ReplaceAllString(s, "RUNID")
	s = reTime.ReplaceAllString(s, "TIME")
	s = reRetry.ReplaceAllString(s, "retrying in BACKOFF")
	s = reDur.ReplaceAllString(s, "DUR")
	s = reSpDur.ReplaceAllString(s, " DUR") // right-aligned durations
	s = rePort.ReplaceAllString(s, "127.0.0.1:PORT")
	return s
}

// screen is what a terminal shows after s: it follows the two sequences
// the live status uses, "ESC [ n F" (up n lines, to column 0) and
// "ESC [ J" (erase from the cursor down), and plain lines.
func screen(s string) string {
	var lines []string
	row := 0
	put := func(text string) {
		for len(lines) <= row {
			lines = append(lines, "")
		}
		lines[row] += text
	}
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, "\x1b["):
			end := strings.IndexAny(s[2:], "FJ")
			if end < 0 {
				put(s)
				s = ""
				continue
			}
			arg, op := s[2:2+end], s[2+end]
			s = s[3+end:]
			if op == 'F' {
				n, _ := strconv.Atoi(arg)
				row -= n
			} else if row < len(lines) {
				lines = lines[:row]
			}
		case s[0] == '\n':
			put("")
			row++
			s = s[1:]
		default:
			i := strings.IndexAny(s, "\n\x1b")
			if i < 0 {
				i = len(s)
			}
			put(s[:i])
			s = s[i:]
		}
	}
	return strings.Join(lines, "\n")
}
