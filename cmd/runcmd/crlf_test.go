//go:build unix

package runcmd_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCRLFErrorIsOneLine: an exec node's last stderr line ended with CRLF
// (a Windows-made script, a progress line) reads as text in run's plain
// lines and runs show, CR a space as before SafeText; they printed
// "disk full\x0d". Other control characters stay visible escapes.
func TestCRLFErrorIsOneLine(t *testing.T) {
	wf := writeWorkflow(t, t.TempDir(), "crlf.yaml", `apiVersion: fogctl.io/v1alpha1
kind: Workflow
spec:
  nodes:
    - name: a
      kind: exec
      argv: [sh, -c, 'printf "step 1\r\n50%%\rdisk full\033]0;x\a\r\n" >&2; exit 1']
`, nil)
	state := t.TempDir()
	out, stderr, code := fogctl(t, state, "run", wf)
	if code != 1 {
		t.Fatalf("run %s: exit %d; stderr:\n%s", filepath.Base(wf), code, stderr)
	}
	id := reRunID.FindString(out)
	show, _, code := fogctl(t, state, "runs", "show", id)
	if code != 0 {
		t.Fatalf("runs show: exit %d", code)
	}
	for what, text := range map[string]string{"run": out + stderr, "runs show": show} {
		if strings.Contains(text, `\x0d`) || strings.Contains(text, "\r") {
			t.Errorf("%s shows the CR:\n%s", what, text)
		}
		if !strings.Contains(text, `50% disk full\x1b]0;x\x07`) {
			t.Errorf("%s: no %q:\n%s", what, `50% disk full\x1b]0;x\x07`, text)
		}
	}
}
