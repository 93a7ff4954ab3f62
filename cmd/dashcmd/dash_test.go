package dashcmd_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cluster/clustertest"
	"github.com/fogctl/fogctl/cmd"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/cmd/dashcmd"
	"github.com/fogctl/fogctl/cmd/netcmd"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/fogctl/fogctl/netoverlay/ztfake"
	"github.com/fogctl/fogctl/tui"
	"github.com/google/go-cmp/cmp"
)

var now = time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC)

// env is a home with a kubeconfig, a fleet file and a state directory.
type env struct {
	home, kubeconfig, stateDir, configDir string
}

func newEnv(t *testing.T, servers map[string]string, ca []byte, token string) *env {
	t.Helper()
	home := t.TempDir()
	e := &env{
		home:       home,
		kubeconfig: filepath.Join(home, ".kube", "config"),
		stateDir:   filepath.Join(home, "state"),
		configDir:  filepath.Join(home, "config"),
	}
	for _, d := range []string{filepath.Dir(e.kubeconfig), e.stateDir, e.configDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	var clusters, contexts, users strings.Builder
	for _, name := range []string{"bus-17", "bus-18", "depot"} {
		fmt.Fprintf(&clusters, "- name: %s\n  cluster:\n    server: %s\n    certificate-authority-data: %s\n", name, servers[name], base64.StdEncoding.EncodeToString(ca))
		fmt.Fprintf(&contexts, "- name: %s\n  context:\n    cluster: %s\n    user: %s\n", name, name, name)
		fmt.Fprintf(&users, "- name: %s\n  user:\n    token: %s\n", name, token)
	}
	kc := fmt.Sprintf("apiVersion: v1\nkind: Config\nclusters:\n%scontexts:\n%susers:\n%scurrent-context: depot\n", clusters.String(), contexts.String(), users.String())
	if err := os.WriteFile(e.kubeconfig, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	fleet := "contexts:\n  bus-17:\n    labels: {role: edge, line: \"12\"}\n  bus-18:\n    labels: {role: edge, line: \"7\"}\n  depot:\n    labels: {role: fog}\n"
	if err := os.WriteFile(filepath.Join(e.configDir, cluster.FleetFileName), []byte(fleet), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("KUBECONFIG", e.kubeconfig)
	for _, k := range []string{"FOGCTL_ZT_URL", "FOGCTL_ZT_TOKEN_FILE", "FOGCTL_ZT_TOKEN"} {
		t.Setenv(k, "")
	}
	return e
}

func (e *env) factory(ios *cmdutil.IOStreams) *cmdutil.Factory {
	return &cmdutil.Factory{
		IOStreams:  ios,
		Version:    "test",
		Now:        func() time.Time { return now },
		HTTPClient: func() (*http.Client, error) { return &http.Client{}, nil },
		StateDir:   func() (string, error) { return e.stateDir, nil },
		ConfigDir:  func() (string, error) { return e.configDir, nil },
		Executable: os.Executable,
	}
}

// options parses a `fogctl dash` command line into its options.
func (e *env) options(t *testing.T, args ...string) *dashcmd.DashOptions {
	t.Helper()
	ios, _, _, _ := cmdutil.Test()
	ios.SetTTY(true)
	var got *dashcmd.DashOptions
	c := dashcmd.NewCmdDash(e.factory(ios), func(o *dashcmd.DashOptions) error { got = o; return nil })
	c.SetArgs(args)
	if err := c.Execute(); err != nil {
		t.Fatalf("fogctl dash %s: %v", strings.Join(args, " "), err)
	}
	return got
}

func TestDashRefusesWithoutATerminal(t *testing.T) {
	e := newEnv(t, map[string]string{}, nil, "t")
	ios, _, out, errOut := cmdutil.Test() // stdin and stdout are pipes
	code := cmd.Run(context.Background(), e.factory(ios), []string{"dash"})
	if code != cmdutil.ExitUsage {
		t.Errorf("exit %d, want %d", code, cmdutil.ExitUsage)
	}
	want := "error: fogctl dash needs a terminal on stdin and stdout; for a plain status of every context, run 'fogctl ctx status'\n"
	if diff := cmp.Diff(want, errOut.String()); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
	if out.Len() != 0 {
		t.Errorf("stdout not empty: %q", out.String())
	}
}

func TestDashFlags(t *testing.T) {
	e := newEnv(t, map[string]string{}, nil, "t")
	o := e.options(t, "-l", "role=edge", "--timeout", "5s", "--network", "8056c2e21c000001", "--zt-url", "http://127.0.0.1:9993")
	got := struct {
		Selector string
		Timeout  time.Duration
		Networks []string
		ZTURL    string
	}{o.Selector, o.Timeout, o.Networks, o.ZTURL}
	want := struct {
		Selector string
		Timeout  time.Duration
		Networks []string
		ZTURL    string
	}{"role=edge", 5 * time.Second, []string{"8056c2e21c000001"}, "http://127.0.0.1:9993"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}

	ios, _, _, errOut := cmdutil.Test()
	ios.SetTTY(true)
	for _, args := range [][]string{{"dash", "--timeout", "0s"}, {"dash", "-l", "role in (a"}, {"dash", "--network", "xyz"}} {
		errOut.Reset()
		if code := cmd.Run(context.Background(), e.factory(ios), args); code != cmdutil.ExitUsage {
			t.Errorf("fogctl %s: exit %d, want 2 (%s)", strings.Join(args, " "), code, errOut.String())
		}
	}
}

// TestDashSource probes a real API server: depot reaches it, bus-17's
// address refuses connections, bus-18 answers with a certificate the
// kubeconfig does not trust. Enter then switches contexts as `fogctl ctx
// use` does, and the recent runs come from the run store.
func TestDashSource(t *testing.T) {
	p := clustertest.Start(t)
	refused := clustertest.NewProxy(t, strings.TrimPrefix(p.DirectURL, "https://"))
	if err := refused.Cut(clustertest.Refuse); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, map[string]string{"depot": p.Server(), "bus-17": refused.URL(), "bus-18": p.Server()}, p.CA.CertPEM, p.Token)
	// bus-18 trusts another CA.
	other, err := clustertest.NewCA("someone-else")
	if err != nil {
		t.Fatal(err)
	}
	kc, _ := os.ReadFile(e.kubeconfig)
	b64 := base64.StdEncoding.EncodeToString
	kc = []byte(strings.Replace(string(kc), "- name: bus-18\n  cluster:\n    server: "+p.Server()+"\n    certificate-authority-data: "+b64(p.CA.CertPEM),
		"- name: bus-18\n  cluster:\n    server: "+p.Server()+"\n    certificate-authority-data: "+b64(other.CertPEM), 1))
	if err := os.WriteFile(e.kubeconfig, kc, 0o600); err != nil {
		t.Fatal(err)
	}

	src, err := dashcmd.Source(e.options(t))
	if err != nil {
		t.Fatal(err)
	}
	if src.ZeroTier != nil {
		t.Error("a ZeroTier pane without a controller URL")
	}
	rows, err := src.Contexts()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rows {
		names = append(names, fmt.Sprintf("%s current=%v %v", r.Name, r.Current, r.Labels))
	}
	want := []string{"bus-17 current=false map[line:12 role:edge]", "bus-18 current=false map[line:7 role:edge]", "depot current=true map[role:fog]"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("contexts (-want +got):\n%s", diff)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	probes := src.Probe(ctx, []string{"bus-17", "bus-18", "depot"})
	byName := map[string]tui.ProbeRow{}
	for _, r := range probes {
		byName[r.Context] = r
	}
	if d := byName["depot"]; !d.Reachable || d.Version == "" || d.RTT <= 0 || !d.LastSeen.Equal(now) {
		t.Errorf("depot: %+v, want reachable with a version, an RTT and seen now", d)
	}
	if b := byName["bus-17"]; b.Reachable || !strings.HasPrefix(b.Reason, cluster.ReasonRefused) {
		t.Errorf("bus-17: %+v, want refused", b)
	}
	if b := byName["bus-18"]; b.Reachable || !strings.HasPrefix(b.Reason, cluster.ReasonTLS) {
		t.Errorf("bus-18: %+v, want a TLS reason", b)
	}
	// Last seen is recorded for the next start.
	rows, _ = src.Contexts()
	for _, r := range rows {
		if r.Name == "depot" && !r.LastSeen.Equal(now) {
			t.Errorf("depot last seen %v after the probe, want %v", r.LastSeen, now)
		}
	}

	if err := src.Use(ctx, "bus-17"); err != nil {
		t.Fatal(err)
	}
	k, err := cluster.LoadKubeconfig("")
	if err != nil {
		t.Fatal(err)
	}
	if k.Current() != "bus-17" {
		t.Errorf("current context %q after Use, want bus-17", k.Current())
	}
	if prev, _ := os.ReadFile(filepath.Join(e.stateDir, "previous-context")); strings.TrimSpace(string(prev)) != "depot" {
		t.Errorf("previous context %q, want depot ('fogctl ctx use -' goes back)", prev)
	}
	if err := src.Use(ctx, "bus-99"); err == nil || !strings.Contains(err.Error(), "bus-99") {
		t.Errorf("Use of an unknown context: %v, want an error naming it", err)
	}

	// A run recorded by `fogctl run` shows up in the recent runs.
	wf := filepath.Join(e.home, "noop.yaml")
	if err := os.WriteFile(wf, []byte("apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: tiny\nspec:\n  nodes:\n    - name: only\n      kind: noop\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ios, _, _, errOut := cmdutil.Test()
	if code := cmd.Run(ctx, e.factory(ios), []string{"run", wf}); code != 0 {
		t.Fatalf("fogctl run: exit %d: %s", code, errOut.String())
	}
	runs, err := src.Runs()
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].State != "succeeded" || runs[0].Nodes != 1 {
		t.Errorf("recent runs %+v, want the one succeeded run", runs)
	}
	if c := src.RunCommand("x.yaml"); c == nil || c.Args[1] != "run" || c.Args[2] != "x.yaml" {
		t.Errorf(":run command %v, want fogctl run x.yaml", c)
	}
}

// TestDashZeroTier answers join requests on the ztfake stand-in of a
// ZeroTier controller: authorize gives the member the next free address,
// deny removes its request.
func TestDashZeroTier(t *testing.T) {
	e := newEnv(t, map[string]string{}, nil, "t")
	w := ztfake.NewWorld()
	fog := ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "fog", Controller: true}))
	buses := []*ztfake.Server{
		ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "bus-19"})),
		ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "bus-20"})),
	}
	ctx := context.Background()
	ctl, err := netoverlay.New(&http.Client{}, fog.URL, netoverlay.NewToken(fog.Token()))
	if err != nil {
		t.Fatal(err)
	}
	nw, err := ctl.CreateNetwork(ctx, netoverlay.NetworkSpec{Name: "fleet", CIDRs: []string{"10.147.15.0/24"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range buses {
		nc, err := netoverlay.New(&http.Client{}, b.URL, netoverlay.NewToken(b.Token()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := nc.Join(ctx, nw.ID); err != nil {
			t.Fatal(err)
		}
	}

	src, err := dashcmd.Source(e.options(t, "--zt-url", fog.URL, "--token-file", fog.TokenFile))
	if err != nil {
		t.Fatal(err)
	}
	if src.ZeroTier == nil {
		t.Fatal("no ZeroTier pane with a controller URL")
	}
	pending, err := src.ZeroTier.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 {
		t.Fatalf("%d pending members, want 2: %+v", len(pending), pending)
	}
	byID := map[string]netoverlay.Member{}
	for _, m := range pending {
		byID[m.ID] = m
	}
	authz, deny := byID[buses[0].Address()], byID[buses[1].Address()]

	// Authorize picks the next free address: it takes its turn with
	// `fogctl net` changes of the network, waiting for their lock.
	t.Setenv(netcmd.EnvLockDir, t.TempDir())
	unlock, err := netcmd.LockNetwork(ctx, func() (string, error) { return t.TempDir(), nil }, ctl, nw.ID)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	start := time.Now()
	err = src.ZeroTier.Authorize(short, authz)
	waited := time.Since(start)
	cancel()
	// It waited for the lock until its context ended: any other failure
	// (no lock directory, a refused lock file, the controller) is not
	// taking turns.
	if !errors.Is(err, context.DeadlineExceeded) || waited < 250*time.Millisecond {
		t.Fatalf("authorize while fogctl net held the network's lock: %v after %s; want it to wait until its 300ms context ended (context deadline exceeded)", err, waited.Round(time.Millisecond))
	}
	if m, err := ctl.Member(ctx, nw.ID, authz.ID); err != nil || m.Authorized {
		t.Fatalf("member while the lock was held: %+v, %v; want unauthorized", m, err)
	}
	unlock()
	if err := src.ZeroTier.Authorize(ctx, authz); err != nil {
		t.Fatal(err)
	}
	m, err := ctl.Member(ctx, nw.ID, authz.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Authorized || len(m.IPAssignments) != 1 || !strings.HasPrefix(m.IPAssignments[0], "10.147.15.") {
		t.Errorf("authorized member %+v, want authorized with one address in 10.147.15.0/24", m)
	}
	if err := src.ZeroTier.Deny(ctx, deny); err != nil {
		t.Fatal(err)
	}
	if pending, err = src.ZeroTier.Pending(ctx); err != nil || len(pending) != 0 {
		t.Errorf("pending after authorize and deny: %+v, %v; want none", pending, err)
	}

	// A controller URL without a token is a clear error, not a blank pane.
	t.Setenv("HOME", t.TempDir())
	if _, err := dashcmd.Source(e.options(t, "--zt-url", fog.URL, "--token-file", filepath.Join(e.home, "missing"))); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing token file: %v, want an error naming it", err)
	}
}
