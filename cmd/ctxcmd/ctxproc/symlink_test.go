package ctxproc

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cluster/kubeconfigtest"
)

// TestConcurrentWritersThroughSymlink: 25 fogctl processes merge a context
// each into link/config (a symlink to ../real/config) while 25 merge into
// real/config, and 40 plus 40 set namespaces the same two ways. All of
// them take turns on one lock (the real file's), so every merge is in the
// file afterwards, every process exits 0, and link/config is still a
// symlink with no lock, temporary or backup file beside it. Without the
// symlink followed, 49 said "Merged" and 20 contexts were lost.
func TestConcurrentWritersThroughSymlink(t *testing.T) {
	bin := fogctlBinary(t)
	h := newFleetHome(t, 10)
	real := filepath.Join(h.dir, "real", "config")
	link := filepath.Join(h.dir, "link", "config")
	for _, d := range []string{filepath.Dir(real), filepath.Dir(link)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(real, kubeconfigtest.Fleet(10), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../real/config", link); err != nil {
		t.Fatal(err)
	}
	const perPath = 25
	var merges []string
	for i := 0; i < 2*perPath; i++ {
		mf := filepath.Join(h.dir, fmt.Sprintf("mf%d.yaml", i))
		name := fmt.Sprintf("m-%02d", i)
		doc := fmt.Sprintf("apiVersion: v1\nkind: Config\nclusters:\n- name: %s\n  cluster:\n    server: https://10.147.20.%d:6443\nusers:\n- name: %s\n  user:\n    token: t%d\ncontexts:\n- name: %s\n  context:\n    cluster: %s\n    user: %s\n", name, i+1, name, i, name, name, name)
		if err := os.WriteFile(mf, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		merges = append(merges, mf)
	}
	type result struct {
		args []string
		out  string
		err  error
	}
	var wg sync.WaitGroup
	results := make(chan result, 4*perPath+80)
	start := make(chan struct{})
	run := func(args ...string) {
		defer wg.Done()
		<-start
		c := h.command(bin, args...)
		out, err := c.CombinedOutput()
		results <- result{args, string(out), err}
	}
	for i, mf := range merges {
		path := real
		if i%2 == 0 {
			path = link
		}
		wg.Add(1)
		go run("ctx", "merge", mf, "--kubeconfig", path)
	}
	for i := 0; i < 80; i++ {
		path := real
		if i%2 == 0 {
			path = link
		}
		wg.Add(1)
		go run("ctx", "ns", fmt.Sprintf("ns-%d", i), "--context", kubeconfigtest.Name(i%10), "--kubeconfig", path)
	}
	close(start)
	wg.Wait()
	close(results)
	merged := 0
	for r := range results {
		if r.err != nil {
			t.Errorf("fogctl %s: %v\n%s", strings.Join(r.args, " "), r.err, r.out)
		}
		if strings.Contains(r.out, "✓ Merged") {
			merged++
		}
	}
	if merged != 2*perPath {
		t.Errorf("%d processes said Merged, want %d", merged, 2*perPath)
	}
	k, err := cluster.LoadKubeconfig(real)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(k.Contexts()), 10+2*perPath; got != want {
		t.Errorf("%d contexts in the file after %d merges into 10, want %d", got, 2*perPath, want)
	}
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("link/config is no longer a symlink: %v %v", fi.Mode(), err)
	}
	left, _ := os.ReadDir(filepath.Dir(link))
	if len(left) != 1 {
		var names []string
		for _, e := range left {
			names = append(names, e.Name())
		}
		t.Errorf("beside the link: %v, want only config (lock, temporary and backup files belong beside real/config)", names)
	}
	for _, want := range []string{"config.fogctl.lock", "config.fogctl.bak"} {
		if _, err := os.Stat(filepath.Join(filepath.Dir(real), want)); err != nil {
			t.Errorf("beside the real file: %v", err)
		}
	}
	// kubectl reads what is left.
	if kubectl, err := exec.LookPath("kubectl"); err == nil {
		out, err := h.command(kubectl, "config", "get-contexts", "-o", "name", "--kubeconfig", link).CombinedOutput()
		if n := strings.Count(string(out), "\n"); err != nil || n != 10+2*perPath {
			t.Errorf("kubectl config get-contexts: %d contexts, %v\n%s", n, err, out)
		}
	}
}
