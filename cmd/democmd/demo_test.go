package democmd_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/cmd"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/cmd/democmd"
	"github.com/fogctl/fogctl/internal/golden"
	"github.com/fogctl/fogctl/workflow"
	"github.com/fogctl/fogctl/workflow/runstore"
)

func testFactory(t *testing.T, tty bool) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer, string) {
	ios, _, out, errOut := cmdutil.Test()
	ios.SetTTY(tty)
	ios.SetStdinTTY(false) // no keyboard: the compact status, not the TUI
	state := t.TempDir()
	return &cmdutil.Factory{
		IOStreams:  ios,
		Version:    "test",
		Now:        time.Now,
		HTTPClient: func() (*http.Client, error) { return &http.Client{}, nil },
		StateDir:   func() (string, error) { return state, nil },
		ConfigDir:  func() (string, error) { return t.TempDir(), nil },
		Executable: os.Executable,
	}, out, errOut, state
}

var (
	reRunID = regexp.MustCompile(`\d{8}T\d{6}-[0-9a-f]{8}`)
	rePort  = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	reDur   = regexp.MustCompile(` *\b\d+(\.\d+)?(ms|s)\b`)
)

func normalize(s string) string {
	s = reRunID.ReplaceAllString(s, "RUNID")
	s = rePort.ReplaceAllString(s, "127.0.0.1:PORT")
	return reDur.ReplaceAllString(s, " DUR")
}

// screen is what a terminal shows after s, following the live status's
// "ESC [ n F" (up n lines) and "ESC [ J" (erase below).
func screen(s string) string {
	var lines []string
	row := 0
	for _, part := range regexp.MustCompile(`\x1b\[\d*[FJ]|\n|[^\x1b\n]+`).FindAllString(s, -1) {
		switch {
		case part == "\n":
			row++
		case strings.HasSuffix(part, "F") && strings.HasPrefix(part, "\x1b["):
			n := 0
			for _, c := range part[2 : len(part)-1] {
				n = n*10 + int(c-'0')
			}
			row -= n
		case part == "\x1b[J":
			if row < len(lines) {
				lines = lines[:row]
			}
		default:
			for len(lines) <= row {
				lines = append(lines, "")
			}
			lines[row] += part
		}
	}
	return strings.Join(lines, "\n")
}

// TestDemoTTY runs the demo as on a terminal: the compact status ends with
// every node succeeded, clean on its second attempt, and the run recorded.
func TestDemoTTY(t *testing.T) {
	f, out, errOut, state := testFactory(t, true)
	if code := cmd.Run(context.Background(), f, []string{"demo"}); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	golden.Assert(t, "TestDemoTTY", normalize("stdout:\n"+screen(out.String())+"\nstderr:\n"+errOut.String()))
	s, _ := runstore.Open(state)
	runs, err := s.List()
	if err != nil || len(runs) != 1 || runs[0].State != "succeeded" || runs[0].Retried != 1 {
		t.Errorf("recorded runs %+v, %v; want one succeeded with one node retried", runs, err)
	}
}

func TestDemoPrintWorkflow(t *testing.T) {
	f, out, _, _ := testFactory(t, false)
	if code := cmd.Run(context.Background(), f, []string{"demo", "--print-workflow"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	golden.Assert(t, "TestDemoPrintWorkflow", normalize(out.String()))
	// Saved as a file, it says its ports are closed and how to get live
	// ones, and still parses.
	if !strings.HasPrefix(out.String(), "# Printed by 'fogctl demo --print-workflow': the URLs below name ports of\n# demo services that stopped") ||
		!strings.Contains(out.String(), "run 'fogctl demo --keep'") {
		t.Errorf("the printed file does not say its services are gone and name --keep:\n%s", out)
	}
	if _, err := workflow.Parse("air-quality.yaml", out.Bytes()); err != nil {
		t.Errorf("the printed file does not parse: %v", err)
	}
	help, helpOut, _, _ := testFactory(t, false)
	cmd.Run(context.Background(), help, []string{"demo", "--help"})
	if h := helpOut.String(); !strings.Contains(h, "--print-workflow prints the pipeline's file and exits: its URLs name the\nports of services that stop as it exits") {
		t.Errorf("demo --help does not say the printed file's services stop:\n%s", h)
	}
}

func TestDemoFlags(t *testing.T) {
	f, _, _, _ := testFactory(t, false)
	var got *democmd.DemoOptions
	c := democmd.NewCmdDemo(f, func(o *democmd.DemoOptions) error { got = o; return nil })
	c.SetArgs([]string{"--keep", "--no-tui"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	if !got.Keep || !got.NoTUI || got.PrintWorkflow {
		t.Errorf("options %+v, want Keep and NoTUI", got)
	}
}
