//go:build unix

package workflow

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestExecLeavesNoProcessBehind: what an exec node starts in the
// background dies when the node ends, so cron runs do not pile up
// strays.
func TestExecLeavesNoProcessBehind(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	argv := `[sh, -c, 'sleep 300 >/dev/null 2>&1 </dev/null & echo $! > ` + pidFile + `; echo "{}"']`
	wf := mustParse(t, []spec{{name: "x", kind: "exec", extra: "argv: " + argv}})
	_, rec := collect(t, context.Background(), wf, Options{})
	if n := rec.Node("x"); n.State != StateSucceeded {
		t.Fatalf("x %s: %s", n.State, n.Error)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	// The kill is sent when the node ends; the process may take a moment
	// to go (and may stay a zombie where nothing reaps orphans).
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the node's background process %d still runs after the run ended", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// alive reports whether pid runs (a zombie does not).
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) STATE ...: the state follows the last ')'.
	s := string(stat)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}
