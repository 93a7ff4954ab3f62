package ctxproc

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/fogctl/fogctl/cluster/kubeconfigtest"
)

// benchPair runs fogctl and its baseline alternately b.N times each, on
// their own copies of a 300-context kubeconfig, and reports the median
// wall time of each (process start-up included) and their ratio.
func benchPair(b *testing.B, fogctl, baseline func(i int) *exec.Cmd) {
	b.Helper()
	var ft, bt []time.Duration
	run := func(c *exec.Cmd) time.Duration {
		start := time.Now()
		if out, err := c.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", c.String(), err, out)
		}
		return time.Since(start)
	}
	// One untimed run each warms the page cache.
	run(fogctl(0))
	run(baseline(0))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ft = append(ft, run(fogctl(i+1)))
		bt = append(bt, run(baseline(i+1)))
	}
	b.StopTimer()
	f, k := median(ft), median(bt)
	b.ReportMetric(float64(f.Microseconds())/1000, "fogctl-ms")
	b.ReportMetric(float64(k.Microseconds())/1000, "baseline-ms")
	b.ReportMetric(f.Seconds()/k.Seconds(), "ratio")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func kubectlOrSkip(b *testing.B) string {
	p, err := exec.LookPath("kubectl")
	if err != nil {
		b.Skip("kubectl is not installed (scripts/test.sh installs it)")
	}
	return p
}

// BenchmarkCtxList: `fogctl ctx list` against `kubectl config
// get-contexts` on a 300-context kubeconfig (target: ratio at most 0.2).
func BenchmarkCtxList(b *testing.B) {
	kubectl := kubectlOrSkip(b)
	bin := fogctlBinary(b)
	h := newFleetHome(b, 300)
	benchPair(b,
		func(int) *exec.Cmd { return h.command(bin, "ctx", "list") },
		func(int) *exec.Cmd { return h.command(kubectl, "config", "get-contexts") })
}

// BenchmarkCtxUse: `fogctl ctx use` (locked, atomic, fsynced, with a
// backup) against `kubectl config use-context` on a 300-context
// kubeconfig, each switching between two contexts so that every call
// writes (target: ratio at most 0.3).
func BenchmarkCtxUse(b *testing.B) {
	kubectl := kubectlOrSkip(b)
	bin := fogctlBinary(b)
	h := newFleetHome(b, 300)
	kubeHome := newFleetHome(b, 300)
	benchPair(b,
		func(i int) *exec.Cmd { return h.command(bin, "ctx", "use", kubeconfigtest.Name(1+i%2)) },
		func(i int) *exec.Cmd {
			return kubeHome.command(kubectl, "config", "use-context", kubeconfigtest.Name(1+i%2))
		})
	// Both really wrote: the files name the last context each switched to.
	for _, f := range []string{h.kubeconfig, kubeHome.kubeconfig} {
		if _, err := os.Stat(f); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(h.dir, ".kube", "config.fogctl.bak")); err != nil {
		b.Errorf("fogctl ctx use kept no backup: %v", err)
	}
}
