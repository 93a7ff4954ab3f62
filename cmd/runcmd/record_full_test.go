//go:build unix

package runcmd_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/fogctl/fogctl/internal/testbin"
)

// TestRecordCutShort: a run whose record cannot be written whole (the
// disk full; here the file-size limit, ulimit -f, which fails writes with
// EFBIG as ENOSPC would) says its own result and that its record is
// incomplete. One that succeeded exits 1: it exited 0 with a warning,
// while `runs show` reported it interrupted. A failed one exits 1, as it
// would, with the record's line beside its error.
func TestRecordCutShort(t *testing.T) {
	for _, tc := range []struct {
		name, last string
		say        []string
	}{
		{"succeeded", "kind: noop", []string{"succeeded, but its record is incomplete (", "file too large"}},
		{"failed", "kind: exec\n    argv: [\"false\"]", []string{"its record is incomplete (", `failed: node "after": exit status 1`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			// big's output (100 kB) is far beyond the limit; the header is not.
			wf := writeWorkflow(t, dir, "big.yaml", `apiVersion: fogctl.io/v1alpha1
kind: Workflow
spec:
  nodes:
  - name: big
    kind: exec
    argv: [sh, -c, 'printf "{\"x\":\""; head -c 100000 /dev/zero | tr "\0" a; printf "\"}"']
  - name: after
    dependencies: [big]
    `+tc.last+"\n", nil)
			c := exec.Command("sh", "-c", `ulimit -f 16; exec "$@"`, "sh", testbin.Fogctl(t), "run", wf)
			c.Env = append(os.Environ(), "XDG_STATE_HOME="+dir, "NO_COLOR=1")
			var stderr strings.Builder
			c.Stderr = &stderr
			c.Run()
			if code := c.ProcessState.ExitCode(); code != 1 {
				t.Errorf("exit %d, want 1; stderr:\n%s", code, stderr.String())
			}
			for _, s := range tc.say {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr does not say %q:\n%s", s, stderr.String())
				}
			}
		})
	}
}
