package runcmd_test

import (
	"strings"
	"testing"

	"github.com/fogctl/fogctl/cmd/cmdutil"
)

// TestNodeTextCannotDriveTheTerminal: an exec node whose stderr holds
// escape sequences (set the window title, colour) fails; what fogctl
// prints of it, in plain lines, the live status, the final error line
// and `runs show`, shows them as text (\x1b]0;pwned\x07) and holds no
// raw ESC, BEL or CR from the node. They were printed raw: a tester's
// tmux pane title became "pwned".
func TestNodeTextCannotDriveTheTerminal(t *testing.T) {
	wf := writeWorkflow(t, t.TempDir(), "evil.yaml", `apiVersion: fogctl.io/v1alpha1
kind: Workflow
spec:
  nodes:
  - name: evil
    kind: exec
    argv: [sh, -c, 'printf "\033]0;pwned\007\033[31mred\rboom\n" >&2; exit 1']
`, nil)
	const shown = `\x1b]0;pwned\x07\x1b[31mred boom` // CR: white space on one line
	for _, tty := range []bool{false, true} {
		f, _, out, errOut := testFactory(t, tty)
		if code := run(t, f, "run", wf); code != 1 {
			t.Fatalf("tty %v: exit %d, want 1; stderr:\n%s", tty, code, errOut)
		}
		show, _, showErr := runsShow(t, f, tty)
		for name, text := range map[string]string{"run stdout": out.String(), "run stderr": errOut.String(), "runs show": show + showErr} {
			// The live status moves the cursor itself (ESC [ n F, ESC [ J):
			// only sequences that are not its own count.
			own := strings.NewReplacer("\x1b[J", "", "\x1b[1F", "", "\x1b[2F", "", "\x1b[3F", "").Replace(text)
			if strings.ContainsAny(own, "\x1b\x07\r") {
				t.Errorf("tty %v: %s holds raw control characters from the node: %q", tty, name, text)
			}
		}
		if !strings.Contains(errOut.String(), `error: run `) || !strings.Contains(errOut.String(), shown) {
			t.Errorf("tty %v: the error line does not show the node's text escaped (%s):\n%s", tty, shown, errOut)
		}
		if !strings.Contains(show, shown) {
			t.Errorf("tty %v: runs show does not show the node's text escaped (%s):\n%s", tty, shown, show)
		}
		if !tty && !strings.Contains(out.String(), "\tnode\tevil\tfailed\t") {
			t.Errorf("no plain failed line:\n%s", out)
		}
	}
}

// runsShow runs `fogctl runs show latest` on f's state directory and
// returns its stdout, exit code and stderr.
func runsShow(t *testing.T, f *cmdutil.Factory, tty bool) (string, int, string) {
	t.Helper()
	g, _, out, errOut := testFactory(t, tty)
	g.StateDir = f.StateDir
	code := run(t, g, "runs", "show", "latest")
	return out.String(), code, errOut.String()
}
