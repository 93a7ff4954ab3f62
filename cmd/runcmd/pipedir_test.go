//go:build unix

package runcmd_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fogctl/fogctl/internal/testbin"
)

// pwdWorkflow: a prints its working directory; b, after it, too, but
// fails until the file named by $FOGCTL_TEST_OK exists.
const pwdWorkflow = `apiVersion: fogctl.io/v1alpha1
kind: Workflow
metadata: {name: pwd}
spec:
  nodes:
    - name: a
      kind: exec
      argv: [sh, -c, 'printf "{\"pwd\": \"%s\"}" "$(pwd -P)"']
    - name: b
      kind: exec
      dependencies: [a]
      argv: [sh, -c, 'test -e "$FOGCTL_TEST_OK" && printf "{\"pwd\": \"%s\"}" "$(pwd -P)"']
`

// shFogctl runs script with sh (or bash) in dir, $FOGCTL the binary, and
// returns its stdout, stderr and exit code.
func shFogctl(t *testing.T, shell, state, dir, okFile, script string) (string, string, int) {
	t.Helper()
	c := exec.Command(shell, "-c", script)
	c.Dir = dir
	c.Env = append(os.Environ(), "XDG_STATE_HOME="+state, "NO_COLOR=1", "FOGCTL="+testbin.Fogctl(t), "FOGCTL_TEST_OK="+okFile)
	var stdout, stderr strings.Builder
	c.Stdout, c.Stderr = &stdout, &stderr
	c.Run()
	return stdout.String(), stderr.String(), c.ProcessState.ExitCode()
}

// nodePwds reads run -o json's record: each node's output pwd.
func nodePwds(t *testing.T, out string) map[string]string {
	t.Helper()
	var rec struct {
		ID    string
		Nodes []struct {
			Name   string
			Output struct{ Pwd string }
		}
	}
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("run -o json: %v:\n%s", err, out)
	}
	m := map[string]string{"id": rec.ID}
	for _, n := range rec.Nodes {
		m[n.Name] = n.Output.Pwd
	}
	return m
}

// TestPipedWorkflowRunsInWorkingDir: a workflow read from a pipe
// (/dev/stdin, bash's <(...)) has no directory of its own: its exec nodes
// run in fogctl's working directory, as before exec nodes ran in the
// file's directory (they ran in /dev and /dev/fd). A regular file's nodes
// run in its directory. Resuming a piped run uses its recorded copy and
// runs in the resume's working directory (it re-read /dev/stdin).
func TestPipedWorkflowRunsInWorkingDir(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(root, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "wf.yaml"), []byte(pwdWorkflow), 0o644); err != nil {
		t.Fatal(err)
	}
	okFile := filepath.Join(root, "ok")
	if err := os.WriteFile(okFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	cases := []struct{ name, shell, script, want string }{
		{"pipe", "sh", `cat sub/wf.yaml | "$FOGCTL" run /dev/stdin -o json`, root},
		{"redirect", "sh", `"$FOGCTL" run /dev/stdin -o json < sub/wf.yaml`, root},
		{"proc", "sh", `cat sub/wf.yaml | "$FOGCTL" run /proc/self/fd/0 -o json`, root},
		{"process substitution", "bash", `"$FOGCTL" run <(cat sub/wf.yaml) -o json`, root},
		{"file", "sh", `"$FOGCTL" run sub/wf.yaml -o json`, sub},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := exec.LookPath(c.shell); err != nil {
				t.Skip(err)
			}
			if c.name == "proc" {
				if _, err := os.Stat("/proc/self/fd/0"); err != nil {
					t.Skip(err)
				}
			}
			out, stderr, code := shFogctl(t, c.shell, state, root, okFile, c.script)
			if code != 0 {
				t.Fatalf("%s: exit %d; stderr:\n%s", c.script, code, stderr)
			}
			if got := nodePwds(t, out); got["a"] != c.want || got["b"] != c.want {
				t.Errorf("%s: nodes ran in %q and %q, want %s", c.script, got["a"], got["b"], c.want)
			}
		})
	}

	t.Run("relative dir", func(t *testing.T) {
		// dir: sub of a piped file: relative to the working directory.
		wf := strings.ReplaceAll(pwdWorkflow, "      kind: exec\n", "      kind: exec\n      dir: sub\n")
		if err := os.WriteFile(filepath.Join(root, "reldir.yaml"), []byte(wf), 0o644); err != nil {
			t.Fatal(err)
		}
		out, stderr, code := shFogctl(t, "sh", state, root, okFile, `cat reldir.yaml | "$FOGCTL" run /dev/stdin -o json`)
		if code != 0 {
			t.Fatalf("exit %d; stderr:\n%s", code, stderr)
		}
		if got := nodePwds(t, out); got["a"] != sub || got["b"] != sub {
			t.Errorf("dir: sub of a piped file: nodes ran in %q and %q, want %s", got["a"], got["b"], sub)
		}
	})

	t.Run("resume", func(t *testing.T) {
		missing := filepath.Join(root, "not-yet")
		out, stderr, code := shFogctl(t, "sh", state, root, missing, `cat sub/wf.yaml | "$FOGCTL" run /dev/stdin -o json`)
		if code != 1 {
			t.Fatalf("run: exit %d, want 1 (b fails); stderr:\n%s", code, stderr)
		}
		id := nodePwds(t, out)["id"]
		elsewhere, err := filepath.EvalSymlinks(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		out, stderr, code = shFogctl(t, "sh", state, elsewhere, okFile, `"$FOGCTL" run --resume `+id+` -o json </dev/null`)
		if code != 0 {
			t.Fatalf("resume: exit %d, want 0; stderr:\n%s", code, stderr)
		}
		if got := nodePwds(t, out); got["a"] != root || got["b"] != elsewhere {
			t.Errorf("resume: a (reused) in %q, b in %q; want %s and %s", got["a"], got["b"], root, elsewhere)
		}
	})
}
