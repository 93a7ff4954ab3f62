package cmd

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/cmd/completioncmd"
	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

var update = flag.Bool("update", false, "rewrite completions/ and golden files")

// testFactory returns a factory over buffers, with state and config under a
// temporary HOME.
func testFactory(t *testing.T) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_STATE_HOME", filepath.Join(home, "state"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("KUBECONFIG", filepath.Join(home, "kubeconfig"))
	ios, _, out, errOut := cmdutil.Test()
	f := cmdutil.New("v0.0.0-test")
	f.IOStreams = ios
	f.Now = func() time.Time { return time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC) }
	return f, out, errOut
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		want       ExitCode
		wantStderr string
	}{
		{"version", []string{"version"}, 0, ""},
		{"unknown command", []string{"frobnicate"}, 2, `error: unknown command "frobnicate" for "fogctl"`},
		{"unknown flag", []string{"version", "--frob"}, 2, "error: unknown flag: --frob"},
		{"bad output format", []string{"version", "-o", "xml"}, 2, `error: unknown output format "xml": use one of json, yaml`},
		{"completion needs a shell", []string{"completion"}, 2, "error: name one shell: bash, zsh, fish or powershell"},
		{"completion unknown shell", []string{"completion", "tcsh"}, 2, `error: unknown shell "tcsh"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, errOut := testFactory(t)
			got := Run(context.Background(), f, tt.args)
			if got != tt.want {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", got, tt.want, errOut)
			}
			if tt.wantStderr != "" && !strings.HasPrefix(errOut.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want prefix %q", errOut.String(), tt.wantStderr)
			}
			if strings.Contains(errOut.String(), "goroutine ") || strings.Contains(errOut.String(), "panic") {
				t.Errorf("stderr shows a stack trace:\n%s", errOut)
			}
		})
	}
}

func TestUsageErrorPrintsUsageOnce(t *testing.T) {
	f, out, errOut := testFactory(t)
	Run(context.Background(), f, []string{"version", "--frob"})
	if out.Len() != 0 {
		t.Errorf("stdout should stay clean on a usage error, got:\n%s", out)
	}
	if n := strings.Count(errOut.String(), "Usage:"); n != 1 {
		t.Errorf("usage printed %d times, want once:\n%s", n, errOut)
	}
}

func TestVersion(t *testing.T) {
	f, out, _ := testFactory(t)
	if code := Run(context.Background(), f, []string{"version", "-o", "json"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), `"version": "v0.0.0-test"`) {
		t.Errorf("version -o json = %s", out)
	}
}

func TestRedactArgs(t *testing.T) {
	got := redactArgs([]string{"net", "list", "--token-file", "/x/authtoken.secret", "--token=abc", "bus-17"})
	want := []string{"net", "list", "--token-file", "[redacted]", "--token=[redacted]", "bus-17"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("redactArgs (-want +got):\n%s", diff)
	}
}

// TestCompletionsCommitted fails when completions/ is stale: run
// `make completions` (or this test with -update) and commit the result.
func TestCompletionsCommitted(t *testing.T) {
	for _, shell := range completioncmd.Shells {
		t.Run(shell, func(t *testing.T) {
			f, out, errOut := testFactory(t)
			if code := Run(context.Background(), f, []string{"completion", shell}); code != 0 {
				t.Fatalf("completion %s: exit %d: %s", shell, code, errOut)
			}
			path := filepath.Join("..", "completions", completioncmd.FileName(shell))
			if *update {
				if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			committed, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run `make completions`)", err)
			}
			if !bytes.Equal(committed, out.Bytes()) {
				t.Errorf("%s is stale: run `make completions` and commit it", path)
			}
		})
	}
}

// TestGroupsRefuseUnknownSubcommands: a word that names no subcommand of
// a group (a typo in a cron line) fails as an unknown command does at
// the top, exit 2, with cobra's suggestions and nothing on stdout; cobra
// alone printed the group's help to stdout and exited 0. Each group of
// the tree is tried, found by walking it, so a new one is covered too.
func TestGroupsRefuseUnknownSubcommands(t *testing.T) {
	f, _, _ := testFactory(t)
	var groups [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		for _, sub := range c.Commands() {
			p := append(slices.Clone(path), sub.Name())
			if sub.HasSubCommands() {
				groups = append(groups, p)
			}
			walk(sub, p)
		}
	}
	walk(NewCmdRoot(f), nil)
	if len(groups) < 4 { // ctx, net, net ip, net pool, runs
		t.Fatalf("found only the groups %v", groups)
	}
	for _, g := range groups {
		t.Run(strings.Join(g, " "), func(t *testing.T) {
			f, out, errOut := testFactory(t)
			if got := Run(context.Background(), f, append(slices.Clone(g), "frobnicate")); got != 2 {
				t.Errorf("exit %d, want 2", got)
			}
			want := fmt.Sprintf("error: unknown command %q for %q", "frobnicate", "fogctl "+strings.Join(g, " "))
			if !strings.HasPrefix(errOut.String(), want) {
				t.Errorf("stderr starts %q, want %q", firstLine(errOut.String()), want)
			}
			if out.Len() != 0 {
				t.Errorf("stdout: %q, want nothing", firstLine(out.String()))
			}

			// Its subcommands keep their use line.
			sub := g
			for _, c := range NewCmdRoot(f).Commands() {
				if c.Name() == g[0] {
					if found, _, err := c.Root().Find(g); err == nil && len(found.Commands()) > 0 {
						sub = append(slices.Clone(g), found.Commands()[0].Name())
					}
				}
			}
			f, out, _ = testFactory(t)
			Run(context.Background(), f, append(slices.Clone(sub), "--help"))
			if want := "Usage:\n  fogctl " + strings.Join(sub, " "); !strings.Contains(out.String(), want) {
				t.Errorf("%s --help: no use line %q in\n%s", strings.Join(sub, " "), want, out)
			}

			// Alone, or followed by help, the group prints its help and
			// succeeds.
			for _, args := range [][]string{g, append(slices.Clone(g), "help")} {
				f, out, errOut = testFactory(t)
				if got := Run(context.Background(), f, args); got != 0 || !strings.Contains(out.String(), "Available Commands:") {
					t.Errorf("%s: exit %d, stdout %q, stderr %q; want 0 and the help", strings.Join(args, " "), got, firstLine(out.String()), errOut)
				}
			}
			// help SUB prints SUB's, as `fogctl help GROUP SUB` does.
			f, out, errOut = testFactory(t)
			args := append(slices.Clone(g), "help", sub[len(sub)-1])
			if got, want := Run(context.Background(), f, args), "Usage:\n  fogctl "+strings.Join(sub, " "); got != 0 || !strings.Contains(out.String(), want) {
				t.Errorf("%s: exit %d, stderr %q; want 0 and %q", strings.Join(args, " "), got, errOut, want)
			}
		})
	}

	// A near miss is suggested.
	f2, _, errOut := testFactory(t)
	Run(context.Background(), f2, []string{"ctx", "lst"})
	if !strings.Contains(errOut.String(), "Did you mean this?\n\tlist") {
		t.Errorf("ctx lst: %q, want a suggestion of list", errOut)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
