package ctxproc

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cluster/kubeconfigtest"
	"go.yaml.in/yaml/v3"
)

const (
	stressWriters  = 8
	stressChanges  = 200
	stressContexts = 300
	stressMaxKills = 60
	perWriterOwned = stressContexts / stressWriters // contexts whose ns and labels one writer owns
)

// opRecord is one fogctl process the stress test ran.
type opRecord struct {
	writer     int
	args       []string
	start, end time.Time
	acked      bool // exit 0 and "✓" on stderr
	killed     bool
}

// writerModel is what one writer knows it changed. A change whose process
// was killed may or may not have happened, so each value is a set of
// possibilities; an acknowledged change narrows it to one.
type writerModel struct {
	labels map[string]map[string]bool // context -> possible values of label key w<writer>
	ns     map[string]map[string]bool // context -> possible namespaces
	// present: imported names and whether they surely exist (true) or may (false);
	// gone: names that surely do not exist, or may not (false).
	present map[string]bool
	gone    map[string]bool
}

// TestStressConcurrentWritersKilled: 8 fogctl processes at a time each make
// 200 mixed changes (use, rename, label, ns, import, delete) to one
// 300-context kubeconfig while the test SIGKILLs writers at random moments.
// Afterwards the file parses (for fogctl and for kubectl), no context is
// duplicated, no acknowledged change is lost, and no writer failed other
// than by being killed: a writer killed while holding the lock did not
// block the others.
func TestStressConcurrentWritersKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("stress test: runs 1600 fogctl processes")
	}
	bin := fogctlBinary(t)
	h := newFleetHome(t, stressContexts)

	var (
		mu      sync.Mutex
		running = map[int]*os.Process{}
		records []opRecord
	)
	models := make([]*writerModel, stressWriters)
	var wg sync.WaitGroup
	done := make(chan struct{})
	failures := make(chan string, stressWriters*stressChanges)

	for w := 0; w < stressWriters; w++ {
		m := &writerModel{labels: map[string]map[string]bool{}, ns: map[string]map[string]bool{}, present: map[string]bool{}, gone: map[string]bool{}}
		models[w] = m
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for i := 0; i < stressChanges; i++ {
				owned := kubeconfigtest.Name(w*perWriterOwned + rng.IntN(perWriterOwned))
				var args []string
				var apply func(acked bool)
				switch k := rng.IntN(10); {
				case k < 3:
					target := kubeconfigtest.Name(rng.IntN(stressContexts))
					args = []string{"ctx", "use", target}
				case k < 5:
					v := fmt.Sprintf("i%d", i)
					args = []string{"ctx", "label", owned, fmt.Sprintf("w%d=%s", w, v)}
					apply = func(acked bool) { m.labels[owned] = narrow(m.labels[owned], v, acked) }
				case k < 7:
					v := fmt.Sprintf("ns-%d-%d", w, i)
					args = []string{"ctx", "ns", v, "--context", owned}
					apply = func(acked bool) { m.ns[owned] = narrow(m.ns[owned], v, acked) }
				case k < 8:
					name := fmt.Sprintf("w%d-imp-%d", w, i)
					args = []string{"ctx", "import", h.k3s, "--name", name, "--server", fmt.Sprintf("https://10.200.%d.%d:6443", w, i)}
					apply = func(acked bool) { m.present[name] = acked }
				case k < 9:
					old := sure(m.present, rng)
					if old == "" {
						i--
						continue
					}
					name := fmt.Sprintf("w%d-ren-%d", w, i)
					args = []string{"ctx", "rename", old, name}
					apply = func(acked bool) {
						if acked {
							delete(m.present, old)
							m.gone[old] = true
							m.present[name] = true
						} else {
							m.present[old] = false
							m.present[name] = false
						}
					}
				default:
					old := sure(m.present, rng)
					if old == "" {
						i--
						continue
					}
					args = []string{"ctx", "delete", old, "--with-cluster-and-user"}
					apply = func(acked bool) {
						if acked {
							delete(m.present, old)
							m.gone[old] = true
						} else {
							m.present[old] = false
						}
					}
				}
				rec := opRecord{writer: w, args: args, start: time.Now()}
				var stderr bytes.Buffer
				c := h.command(bin, args...)
				c.Stderr = &stderr
				if err := c.Start(); err != nil {
					failures <- err.Error()
					return
				}
				mu.Lock()
				running[w] = c.Process
				mu.Unlock()
				err := c.Wait()
				mu.Lock()
				delete(running, w)
				mu.Unlock()
				rec.end = time.Now()
				var ee *exec.ExitError
				switch {
				case err == nil && strings.HasPrefix(stderr.String(), "✓"):
					rec.acked = true
				case errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL:
					rec.killed = true
				default:
					failures <- fmt.Sprintf("writer %d: fogctl %s: %v: %s", w, strings.Join(args, " "), err, stderr.String())
				}
				if apply != nil {
					apply(rec.acked)
				}
				mu.Lock()
				records = append(records, rec)
				mu.Unlock()
			}
		}(w)
	}

	// The killer: SIGKILL a random running writer every few milliseconds,
	// up to stressMaxKills times.
	kills := 0
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		rng := rand.New(rand.NewPCG(7, 7))
		for kills < stressMaxKills {
			select {
			case <-done:
				return
			case <-time.After(time.Duration(20+rng.IntN(200)) * time.Millisecond):
			}
			mu.Lock()
			var procs []*os.Process
			for _, p := range running {
				procs = append(procs, p)
			}
			if len(procs) > 0 {
				if procs[rng.IntN(len(procs))].Signal(syscall.SIGKILL) == nil {
					kills++
				}
			}
			mu.Unlock()
		}
	}()
	wg.Wait()
	close(done)
	<-killerDone
	close(failures)
	for f := range failures {
		t.Error(f)
	}

	acked, killed := 0, 0
	for _, r := range records {
		if r.acked {
			acked++
		}
		if r.killed {
			killed++
		}
	}
	t.Logf("%d processes: %d acknowledged, %d killed by SIGKILL", len(records), acked, killed)
	if killed == 0 {
		t.Fatal("no writer was killed: the test did not test anything")
	}

	// The file parses, for fogctl and for kubectl.
	k, err := cluster.LoadKubeconfig(h.kubeconfig)
	if err != nil {
		t.Fatalf("kubeconfig after the stress: %v", err)
	}
	if kubectl, err := exec.LookPath("kubectl"); err == nil {
		c := exec.Command(kubectl, "config", "get-contexts", "-o", "name")
		c.Env = h.env
		if out, err := c.CombinedOutput(); err != nil {
			t.Errorf("kubectl cannot read the kubeconfig after the stress: %v\n%s", err, out)
		}
	}
	// No duplicated name in any section.
	data, err := os.ReadFile(h.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Clusters []struct{ Name string } `yaml:"clusters"`
		Users    []struct{ Name string } `yaml:"users"`
		Contexts []struct{ Name string } `yaml:"contexts"`
	}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	for sec, names := range map[string][]string{"clusters": names(raw.Clusters), "users": names(raw.Users), "contexts": names(raw.Contexts)} {
		seen := map[string]bool{}
		for _, n := range names {
			if seen[n] {
				t.Errorf("%s: %q appears twice", sec, n)
			}
			seen[n] = true
		}
	}
	// The 300 contexts are all there, and every acknowledged change holds.
	for i := 0; i < stressContexts; i++ {
		if _, ok := k.Context(kubeconfigtest.Name(i)); !ok {
			t.Errorf("context %s was lost", kubeconfigtest.Name(i))
		}
	}
	fleet, err := cluster.LoadFleet(filepath.Join(h.dir, "config", "fogctl"))
	if err != nil {
		t.Fatalf("fleet file after the stress: %v", err)
	}
	for w, m := range models {
		for name, vals := range m.labels {
			if got := fleet.Entry(name).Labels["w"+strconv.Itoa(w)]; !vals[got] {
				t.Errorf("label w%d of %s = %q, want one of %v", w, name, got, keys(vals))
			}
		}
		for name, vals := range m.ns {
			c, _ := k.Context(name)
			if !vals[c.Namespace] {
				t.Errorf("namespace of %s = %q, want one of %v", name, c.Namespace, keys(vals))
			}
		}
		for name, surely := range m.present {
			if _, ok := k.Context(name); !ok && surely {
				t.Errorf("acknowledged context %s was lost", name)
			}
		}
		for name, surely := range m.gone {
			if _, ok := k.Context(name); ok && surely {
				t.Errorf("context %s was deleted or renamed (acknowledged) but is back", name)
			}
		}
	}
	// current-context: the last acknowledged use, or a use that may have
	// been serialised after it (one that ended after it started).
	var last *opRecord
	for i := range records {
		r := &records[i]
		if r.args[1] == "use" && r.acked && (last == nil || r.end.After(last.end)) {
			last = r
		}
	}
	if last != nil {
		ok := map[string]bool{last.args[2]: true}
		for _, r := range records {
			if r.args[1] == "use" && !r.end.Before(last.start) && (r.acked || r.killed) {
				ok[r.args[2]] = true
			}
		}
		if !ok[k.Current()] {
			t.Errorf("current-context %q, want one of %v (last acknowledged: %s)", k.Current(), keys(ok), last.args[2])
		}
	}
}

// TestKilledLockHolderDoesNotBlock SIGKILLs a fogctl process at a moment
// it surely holds the kubeconfig lock (its PID is in the lock file), and
// checks that the next fogctl write goes through at once.
func TestKilledLockHolderDoesNotBlock(t *testing.T) {
	bin := fogctlBinary(t)
	h := newFleetHome(t, stressContexts)
	lockFile := h.kubeconfig + ".fogctl.lock"
	caught := false
	for attempt := 0; attempt < 50 && !caught; attempt++ {
		c := h.command(bin, "ctx", "use", kubeconfigtest.Name(1+attempt%2))
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		pid := strconv.Itoa(c.Process.Pid) + " "
		exited := make(chan struct{})
		go func() { _ = c.Wait(); close(exited) }()
		deadline := time.After(5 * time.Second)
	poll:
		for {
			select {
			case <-exited:
				break poll
			case <-deadline:
				t.Fatal("fogctl ctx use did not finish in 5s")
			default:
			}
			if data, _ := os.ReadFile(lockFile); strings.HasPrefix(string(data), pid) {
				caught = c.Process.Signal(syscall.SIGKILL) == nil
				<-exited
				break poll
			}
		}
	}
	if !caught {
		t.Fatal("never caught a fogctl process holding the lock in 50 tries")
	}
	start := time.Now()
	h.run(t, bin, "ctx", "use", kubeconfigtest.Name(5))
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the next write took %s after its predecessor died holding the lock", took)
	}
	if got := strings.TrimSpace(string(h.run(t, bin, "ctx", "current"))); got != kubeconfigtest.Name(5) {
		t.Errorf("current = %q", got)
	}
}

func narrow(set map[string]bool, v string, acked bool) map[string]bool {
	if acked || set == nil {
		if !acked {
			// Before any change the value was unset; a killed first
			// change leaves "unset" possible.
			return map[string]bool{"": true, v: true}
		}
		return map[string]bool{v: true}
	}
	set[v] = true
	return set
}

// sure picks a name that surely exists, or "".
func sure(present map[string]bool, rng *rand.Rand) string {
	var names []string
	for n, ok := range present {
		if ok {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sortStrings(names)
	return names[rng.IntN(len(names))]
}

func names[T ~struct{ Name string }](items []T) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = struct{ Name string }(it).Name
	}
	return out
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

func sortStrings(s []string) { slices.Sort(s) }
