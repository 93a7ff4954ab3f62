package runcmd_test

import (
	"slices"
	"strings"
	"testing"
)

// TestResumeRerun: `run --resume ID --rerun NODE` runs NODE again though
// it succeeded, and every node after it, and reuses what came before it;
// a node the run does not have, or --rerun without --resume, exits 2
// naming the problem; shell completion offers the run's node names.
func TestResumeRerun(t *testing.T) {
	svc := startService(t)
	wf := writeWorkflow(t, t.TempDir(), "chain.yaml", chainWorkflow, svc)
	f, _, out, errOut := testFactory(t, false)
	if code := run(t, f, "run", wf); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, errOut)
	}
	out.Reset()
	if code := run(t, f, "run", "--resume", "latest", "--rerun", "merge"); code != 0 {
		t.Fatalf("resume --rerun merge: exit %d\n%s", code, errOut)
	}
	if got := [2]int{svc.Calls("/ok/fetch"), svc.Calls("/ok/publish")}; got != [2]int{1, 2} {
		t.Errorf("calls to fetch, publish = %v; want fetch reused (1), publish run again (2)", got)
	}
	if !strings.Contains(out.String(), "node\tmerge\tsucceeded") {
		t.Errorf("merge did not run again:\n%s", out)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--resume", "latest", "--rerun", "merge,nope", "--rerun", "zz"}, `--rerun: no node "nope", "zz" in ` + wf},
		{[]string{"run", wf, "--rerun", "merge"}, "--rerun goes with --resume ID"},
		// An unset $NODE: it was ignored, and the run resumed as if
		// no --rerun had been given.
		{[]string{"run", "--resume", "latest", "--rerun", ""}, "--rerun names no node"},
		{[]string{"run", "--resume", "latest", "--rerun", "merge,"}, "--rerun names no node"},
	} {
		errOut.Reset()
		if code := run(t, f, tc.args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", tc.args, code)
		}
		if !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v: stderr does not say %q:\n%s", tc.args, tc.want, errOut)
		}
	}
	if n := svc.Calls("/ok/publish"); n != 2 {
		t.Errorf("a refused --rerun called publish: %d calls", n)
	}

	for _, args := range [][]string{
		{"__complete", "run", "--resume", "latest", "--rerun", ""},
		{"__complete", "run", wf, "--rerun", ""},
	} {
		out.Reset()
		if code := run(t, f, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, errOut)
		}
		if got := strings.Fields(out.String()); !slices.Equal(got[:3], []string{"fetch", "merge", "publish"}) {
			t.Errorf("%v completes %q, want the node names", args, out)
		}
	}
}
