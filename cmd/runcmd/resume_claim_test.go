package runcmd_test

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// cancelledRun runs blockingWorkflow in a real process and stops it with
// SIGTERM while slow waits on the service: a run to resume, whose a and b
// succeeded (called once each) and whose slow was called once.
func cancelledRun(t *testing.T) (svc *service, state, id string) {
	t.Helper()
	svc = startService(t)
	state = t.TempDir()
	wf := writeWorkflow(t, t.TempDir(), "nightly.yaml", blockingWorkflow, svc)
	p := start(t, state, "run", wf)
	// b and slow start together, after a: wait for both lines, in
	// either order, so that b succeeded before the run is stopped.
	for seen := map[string]bool{}; !seen["b"] || !seen["slow"]; {
		line := waitIn(t, p.lines, "node\t")
		switch {
		case strings.Contains(line, "\tb\tsucceeded"):
			seen["b"] = true
		case strings.Contains(line, "\tslow\trunning"):
			seen["slow"] = true
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != 130 {
		t.Fatalf("run: exit %d, want 130; stderr:\n%s", code, &p.stderr)
	}
	id = reRunID.FindString(p.stdout.String())
	if id == "" {
		t.Fatalf("no run ID in:\n%s", &p.stdout)
	}
	return svc, state, id
}

// firstExit waits, at most 20 seconds, for one of ps to exit and returns
// it and the other.
func firstExit(t *testing.T, p1, p2 *proc) (exited, other *proc) {
	t.Helper()
	select {
	case <-p1.done:
		return p1, p2
	case <-p2.done:
		return p2, p1
	case <-time.After(20 * time.Second):
		t.Fatal("both resumes still run after 20s: neither was refused")
	}
	return nil, nil
}

// TestConcurrentResumesRunOnce starts two `fogctl run --resume` of one
// run at the same moment, as two cron jobs or two operators would, by ID
// and as "latest": one resumes it, the other is refused at once (exit 1)
// while the first still runs, and the nodes are called once. Resuming
// the run again once the first resume is over is refused too (exit 2),
// naming the run that resumed it and the last run of the chain; --force
// resumes it anyway.
func TestConcurrentResumesRunOnce(t *testing.T) {
	for _, second := range []string{"id", "latest"} {
		t.Run(second, func(t *testing.T) {
			svc, state, id := cancelledRun(t)
			other := id
			if second == "latest" {
				other = "latest"
			}
			p1 := start(t, state, "run", "--resume", id)
			p2 := start(t, state, "run", "--resume", other)
			refused, winner := firstExit(t, p1, p2)
			if code := refused.wait(t); code != 1 || !strings.Contains(refused.stderr.String(), "is running or being resumed in another process") {
				t.Errorf("the second resume: exit %d, want 1 saying the run is being resumed; stderr:\n%s", code, &refused.stderr)
			}
			svc.Release()
			if code := winner.wait(t); code != 0 {
				t.Fatalf("the resume that won: exit %d; stderr:\n%s", code, &winner.stderr)
			}
			resumed := reRunID.FindString(winner.stdout.String())
			want := map[string]int{"/ok/a": 1, "/ok/b": 1, "/block/slow": 2, "/ok/last": 1}
			for path, n := range want {
				if got := svc.Calls(path); got != n {
					t.Errorf("%s called %d times, want %d (once by the run, once by one resume)", path, got, n)
				}
			}

			// Resumed already: refused, naming the successor.
			_, stderr, code := fogctl(t, state, "run", "--resume", id)
			if code != 2 || !strings.Contains(stderr, "already resumed by "+resumed+" (succeeded)") ||
				!strings.Contains(stderr, "'fogctl run --resume "+resumed+"'") || !strings.Contains(stderr, "--force") {
				t.Errorf("resuming %s again: exit %d, want 2 naming %s; stderr:\n%s", id, code, resumed, stderr)
			}
			// The chain goes on: the suggestion is its last run.
			out, stderr, code := fogctl(t, state, "run", "--resume", resumed)
			if code != 0 {
				t.Fatalf("resume %s: exit %d; stderr:\n%s", resumed, code, stderr)
			}
			last := reRunID.FindString(out)
			_, stderr, code = fogctl(t, state, "run", "--resume", id)
			if code != 2 || !strings.Contains(stderr, "already resumed by "+resumed) || !strings.Contains(stderr, "'fogctl run --resume "+last+"'") {
				t.Errorf("resuming %s a third time: exit %d, want 2 suggesting %s; stderr:\n%s", id, code, last, stderr)
			}
			if got := svc.Calls("/block/slow"); got != 2 {
				t.Errorf("slow called %d times after refused resumes, want 2", got)
			}
			// --force: the operator says so.
			if _, stderr, code = fogctl(t, state, "run", "--resume", id, "--force"); code != 0 {
				t.Errorf("--force: exit %d; stderr:\n%s", code, stderr)
			}
			if got := svc.Calls("/block/slow"); got != 3 {
				t.Errorf("slow called %d times after --force, want 3", got)
			}
		})
	}
}

// TestResumedRunStaysInterrupted kills a run (SIGKILL: no summary line)
// and resumes it: while the resume runs, runs list and runs show say the
// killed run is interrupted, not running (the claim took the journal's
// lock, which is what running means).
func TestResumedRunStaysInterrupted(t *testing.T) {
	svc := startService(t)
	state := t.TempDir()
	wf := writeWorkflow(t, t.TempDir(), "nightly.yaml", blockingWorkflow, svc)
	p := start(t, state, "run", wf)
	waitIn(t, p.lines, "\tslow\trunning")
	id := reRunID.FindString(p.stdout.String())
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait(t)
	if id == "" {
		t.Fatalf("no run ID in:\n%s", &p.stdout)
	}
	r := start(t, state, "run", "--resume", id)
	waitIn(t, r.lines, "\tslow\trunning") // the resume holds its claim
	for _, args := range [][]string{{"runs", "list"}, {"runs", "show", id}} {
		out, stderr, code := fogctl(t, state, args...)
		line := ""
		for l := range strings.SplitSeq(out, "\n") {
			if strings.HasPrefix(l, id+"\t") || strings.HasPrefix(l, "run\t"+id+"\t") {
				line = l
			}
		}
		if code != 0 || !strings.Contains(line, "\tinterrupted\t") {
			t.Errorf("%v while %s is resumed: exit %d, want its line interrupted:\n%s%s", args, id, code, out, stderr)
		}
	}
	svc.Release()
	if code := r.wait(t); code != 0 {
		t.Fatalf("resume: exit %d; stderr:\n%s", code, &r.stderr)
	}
}
