package ctxcmd_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/internal/testbin"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cluster/clustertest"
	"github.com/fogctl/fogctl/cmd"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/cmd/ctxcmd"
)

func TestMain(m *testing.M) { testbin.Main(m) }

// fleetEnv is an operator's machine: a home directory with no kubeconfig
// yet, and fogctl's state and config directories.
type fleetEnv struct {
	home, kubeconfig, stateDir, configDir string
}

func newFleetEnv(t testing.TB) *fleetEnv {
	t.Helper()
	home := t.TempDir()
	env := &fleetEnv{
		home:       home,
		kubeconfig: filepath.Join(home, ".kube", "config"),
		stateDir:   filepath.Join(home, ".local", "state", "fogctl"),
		configDir:  filepath.Join(home, ".config", "fogctl"),
	}
	for _, d := range []string{env.stateDir, env.configDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("HOME", home)
	t.Setenv("KUBECONFIG", "")
	t.Setenv("XDG_STATE_HOME", filepath.Join(home, ".local", "state"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	return env
}

// fogctl runs one fogctl command line in-process, as main does, and
// returns its exit code and output.
func (env *fleetEnv) fogctl(t testing.TB, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	io, _, out, errOut := cmdutil.Test()
	f := &cmdutil.Factory{
		IOStreams:  io,
		Version:    "e2e",
		Now:        time.Now,
		HTTPClient: func() (*http.Client, error) { return &http.Client{}, nil },
		StateDir:   func() (string, error) { return env.stateDir, nil },
		ConfigDir:  func() (string, error) { return env.configDir, nil },
		Executable: os.Executable,
	}
	code = int(cmd.Run(context.Background(), f, args))
	return code, out.String(), errOut.String()
}

// must runs a command line that has to succeed.
func (env *fleetEnv) must(t testing.TB, args ...string) string {
	t.Helper()
	code, stdout, stderr := env.fogctl(t, args...)
	if code != 0 {
		t.Fatalf("fogctl %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// status runs `fogctl ctx status -o json` and returns its exit code,
// records by context, and how long it took.
func (env *fleetEnv) status(t testing.TB, args ...string) (int, map[string]ctxcmd.StatusRecord, time.Duration) {
	t.Helper()
	start := time.Now()
	code, stdout, stderr := env.fogctl(t, append([]string{"ctx", "status", "-o", "json"}, args...)...)
	took := time.Since(start)
	var records []ctxcmd.StatusRecord
	if err := json.Unmarshal([]byte(stdout), &records); err != nil {
		t.Fatalf("ctx status -o json: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	byName := map[string]ctxcmd.StatusRecord{}
	for _, r := range records {
		byName[r.Context] = r
	}
	return code, byName, took
}

// kubectl runs the real kubectl against the kubeconfig fogctl wrote, so
// the test sees what an operator's other tools see.
func (env *fleetEnv) kubectl(t testing.TB, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatalf("kubectl not found: `make test` installs it (scripts/test.sh)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, bin, append([]string{"--kubeconfig", env.kubeconfig}, args...)...)
	c.Env = append(os.Environ(), "HOME="+env.home)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// TestE2EFleetOfThreeControlPlanes drives fogctl ctx against three real
// kube-apiserver + etcd control planes, as an operator at the depot would:
// import each bus's k3s.yaml, rename, switch back and forth, check which
// buses are reachable while one drives out of coverage and back, delete.
func TestE2EFleetOfThreeControlPlanes(t *testing.T) {
	planes := clustertest.StartN(t, 3)
	env := newFleetEnv(t)
	t.Setenv("KUBECONFIG", env.kubeconfig)

	// A namespace of its own on each plane tells the planes apart.
	uid := make([]string, len(planes))
	for i, p := range planes {
		uid[i] = fmt.Sprintf("plane-%d-marker", i)
		req, _ := http.NewRequest(http.MethodPost, p.DirectURL+"/api/v1/namespaces",
			strings.NewReader(fmt.Sprintf(`{"metadata":{"name":%q}}`, uid[i])))
		req.Header.Set("Content-Type", "application/json")
		resp, err := p.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create marker namespace on %s: %s", p.Name, resp.Status)
		}
	}

	t.Run("import", func(t *testing.T) {
		for i, p := range planes {
			// As k3s writes it: all "default", server on 127.0.0.1:6443.
			path := filepath.Join(t.TempDir(), "k3s.yaml")
			if err := p.WriteK3sYAML(path, "https://127.0.0.1:6443"); err != nil {
				t.Fatal(err)
			}
			env.must(t, "ctx", "import", path, "--name", fmt.Sprintf("bus-0%d", i+1), "--server", p.Server(), "--label", "role=edge")
		}
		var list []ctxcmd.ContextRecord
		if err := json.Unmarshal([]byte(env.must(t, "ctx", "list", "-o", "json")), &list); err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 {
			t.Fatalf("ctx list after 3 imports: %+v", list)
		}
		for i, c := range list {
			if want := fmt.Sprintf("bus-0%d", i+1); c.Name != want || c.Server != planes[i].Server() {
				t.Errorf("context %d = %s at %s, want %s at %s", i, c.Name, c.Server, want, planes[i].Server())
			}
		}
	})

	t.Run("rename", func(t *testing.T) {
		env.must(t, "ctx", "rename", "bus-03", "depot")
		code, _, stderr := env.fogctl(t, "ctx", "status", "--contexts", "bus-03")
		if code != cmdutil.ExitUsage || !strings.Contains(stderr, `"bus-03"`) {
			t.Errorf("status of the old name bus-03: exit %d, stderr %q; want %d naming it", code, stderr, cmdutil.ExitUsage)
		}
		code, records, _ := env.status(t, "--contexts", "depot")
		if code != 0 || !records["depot"].Reachable || records["depot"].Server != planes[2].Server() {
			t.Errorf("status of renamed depot: exit %d, %+v", code, records["depot"])
		}
	})

	t.Run("use", func(t *testing.T) {
		env.must(t, "ctx", "use", "bus-01")
		env.must(t, "ctx", "use", "bus-02")
		if got := strings.TrimSpace(env.must(t, "ctx", "current")); got != "bus-02" {
			t.Fatalf("current = %q, want bus-02", got)
		}
		// kubectl now talks to plane 1 with the imported client certificate.
		if got := env.kubectl(t, "get", "namespace", uid[1], "-o", "name"); got != "namespace/"+uid[1] {
			t.Errorf("kubectl after use bus-02: %q, want plane 1's marker", got)
		}
		env.must(t, "ctx", "use", "-")
		if got := strings.TrimSpace(env.must(t, "ctx", "current")); got != "bus-01" {
			t.Fatalf("current after use - = %q, want bus-01", got)
		}
		if got := env.kubectl(t, "get", "namespace", uid[0], "-o", "name"); got != "namespace/"+uid[0] {
			t.Errorf("kubectl after use -: %q, want plane 0's marker", got)
		}
	})

	const timeout = time.Second
	for _, mode := range []clustertest.Mode{clustertest.Refuse, clustertest.BlackHole} {
		t.Run("status with bus-02 cut: "+mode.String(), func(t *testing.T) {
			code, records, _ := env.status(t, "--timeout", timeout.String())
			if code != 0 || len(records) != 3 {
				t.Fatalf("before the cut: exit %d, %+v", code, records)
			}
			for name, r := range records {
				if !r.Reachable || r.Version != "v"+clustertest.KubeVersion || r.RTTMillis <= 0 || r.LastSeen == nil {
					t.Errorf("before the cut, %s: %+v", name, r)
				}
			}
			seenBefore := *records["bus-02"].LastSeen

			planes[1].Cut(t, mode)
			code, records, took := env.status(t, "--timeout", timeout.String())
			if took > timeout+time.Second {
				// CI shares two cores among many tests: one more try
				// before calling the bound missed.
				t.Logf("status took %s; trying once more", took)
				code, records, took = env.status(t, "--timeout", timeout.String())
			}
			if code != cmdutil.ExitPending {
				t.Errorf("exit %d with bus-02 cut, want %d", code, cmdutil.ExitPending)
			}
			want := map[clustertest.Mode]string{clustertest.Refuse: cluster.ReasonRefused, clustertest.BlackHole: cluster.ReasonTimeout}[mode]
			if r := records["bus-02"]; r.Reachable || r.Reason != want || r.LastSeen == nil || !r.LastSeen.Equal(seenBefore) {
				t.Errorf("bus-02 cut: %+v, want unreachable, %q, last seen %v", r, want, seenBefore)
			}
			if !records["bus-01"].Reachable || !records["depot"].Reachable {
				t.Errorf("the other buses: %+v", records)
			}
			if took > timeout+time.Second {
				t.Errorf("status took %s with a %s timeout, want at most %s", took, timeout, timeout+time.Second)
			}
			if mode == clustertest.BlackHole && took < timeout {
				t.Errorf("status answered in %s, before the %s timeout, for a black-holed bus", took, timeout)
			}

			planes[1].Restore(t)
			code, records, _ = env.status(t, "--timeout", timeout.String())
			if code != 0 || !records["bus-02"].Reachable {
				t.Errorf("after restore: exit %d, bus-02 %+v", code, records["bus-02"])
			}
		})
	}

	t.Run("delete", func(t *testing.T) {
		env.must(t, "ctx", "delete", "depot", "--with-cluster-and-user")
		code, records, _ := env.status(t)
		if code != 0 || len(records) != 2 || !records["bus-01"].Reachable || !records["bus-02"].Reachable {
			t.Errorf("status after delete: exit %d, %+v", code, records)
		}
		if out := env.kubectl(t, "config", "get-contexts", "-o", "name"); out != "bus-01\nbus-02" {
			t.Errorf("kubectl config get-contexts after delete:\n%s", out)
		}
		if out := env.kubectl(t, "config", "get-clusters"); strings.Contains(out, "depot") {
			t.Errorf("depot's cluster is still there:\n%s", out)
		}
	})
}

// The status benchmark's fleet: 300 contexts, each behind its own loopback
// proxy in front of one real API server, every third one black-holed (a
// bus out of coverage), probed with the default 2s timeout.
const (
	fleetContexts = 300
	fleetTimeout  = 2 * time.Second
)

// fleetStatus sets up the 300-context fleet and returns a func that runs
// the fogctl binary's `ctx status` over it once, checks the result, and
// returns the wall time.
func fleetStatus(tb testing.TB) func() time.Duration {
	tb.Helper()
	bin := testbin.Fogctl(tb)
	p := clustertest.Start(tb)
	env := newFleetEnv(tb)
	direct := strings.TrimPrefix(p.DirectURL, "https://")
	var kc strings.Builder
	kc.WriteString("apiVersion: v1\nkind: Config\nclusters:\n")
	ca := base64.StdEncoding.EncodeToString(p.CA.CertPEM)
	for i := range fleetContexts {
		proxy := clustertest.NewProxy(tb, direct)
		if i%3 == 2 {
			if err := proxy.Cut(clustertest.BlackHole); err != nil {
				tb.Fatal(err)
			}
		}
		fmt.Fprintf(&kc, "- name: bus-%03d\n  cluster:\n    server: %s\n    certificate-authority-data: %s\n", i, proxy.URL(), ca)
	}
	kc.WriteString("contexts:\n")
	for i := range fleetContexts {
		fmt.Fprintf(&kc, "- name: bus-%03d\n  context:\n    cluster: bus-%03d\n    user: admin\n", i, i)
	}
	fmt.Fprintf(&kc, "current-context: bus-000\nusers:\n- name: admin\n  user:\n    token: %s\n", p.Token)
	if err := os.MkdirAll(filepath.Dir(env.kubeconfig), 0o700); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(env.kubeconfig, []byte(kc.String()), 0o600); err != nil {
		tb.Fatal(err)
	}

	return func() time.Duration {
		tb.Helper()
		start := time.Now()
		c := exec.Command(bin, "ctx", "status", "--timeout", fleetTimeout.String(), "-o", "json")
		c.Env = append(os.Environ(), "HOME="+env.home, "KUBECONFIG="+env.kubeconfig,
			"XDG_STATE_HOME="+filepath.Dir(env.stateDir), "XDG_CONFIG_HOME="+filepath.Dir(env.configDir))
		var stdout, stderr bytes.Buffer
		c.Stdout, c.Stderr = &stdout, &stderr
		err := c.Run()
		wall := time.Since(start)
		if c.ProcessState == nil || c.ProcessState.ExitCode() != cmdutil.ExitPending {
			tb.Fatalf("fogctl ctx status: %v, want exit 3; stderr:\n%s", err, stderr.String())
		}
		var records []ctxcmd.StatusRecord
		if err := json.Unmarshal(stdout.Bytes(), &records); err != nil {
			tb.Fatal(err)
		}
		up, timedOut := 0, 0
		for _, r := range records {
			switch {
			case r.Reachable:
				up++
			case r.Reason == cluster.ReasonTimeout:
				timedOut++
			default:
				tb.Errorf("%s: %s", r.Context, r.Reason)
			}
		}
		if up != fleetContexts*2/3 || timedOut != fleetContexts/3 {
			tb.Fatalf("%d reachable and %d timed out, want %d and %d", up, timedOut, fleetContexts*2/3, fleetContexts/3)
		}
		return wall
	}
}

// BenchmarkCtxStatus300 reports the wall time of `fogctl ctx status` over
// the 300-context fleet. The target is at most the probe timeout plus one
// second: the reported ratio is wall / (timeout + 1s), at most 1.0.
func BenchmarkCtxStatus300(b *testing.B) {
	run := fleetStatus(b)
	var wall time.Duration
	runs := 0
	for b.Loop() {
		wall += run()
		runs++
	}
	per := wall / time.Duration(runs)
	b.ReportMetric(per.Seconds(), "wall-s")
	b.ReportMetric(per.Seconds()/(fleetTimeout+time.Second).Seconds(), "ratio")
}

// TestCtxStatus300WithinTimeoutPlusOneSecond holds the benchmark's target
// in every test run. The machine is shared with other tests, so one
// run over the bound is tried once more before the test fails.
func TestCtxStatus300WithinTimeoutPlusOneSecond(t *testing.T) {
	run := fleetStatus(t)
	limit := fleetTimeout + time.Second
	var walls []time.Duration
	for range 2 {
		wall := run()
		walls = append(walls, wall)
		if wall <= limit {
			t.Logf("300 contexts, 100 black-holed: %s (timeout %s, ratio %.2f)", wall.Round(time.Millisecond), fleetTimeout, wall.Seconds()/limit.Seconds())
			return
		}
	}
	t.Errorf("fogctl ctx status over 300 contexts took %v, want at most %s", walls, limit)
}
