package ctxcmd

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cluster/clustertest"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/google/go-cmp/cmp"
)

// The -update flag may be defined by another test file of this test
// binary; define it only if nobody has.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// statusNow is the test clock.
var statusNow = time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC)

// statusEnv is a kubeconfig of five contexts on one real control plane,
// each reached in its own way, with fleet labels and last-seen times.
type statusEnv struct {
	plane      *clustertest.ControlPlane
	kubeconfig string
	stateDir   string
	configDir  string
}

// kcEntry is one context of a generated kubeconfig.
type kcEntry struct {
	name, server string
	ca           []byte
	token        string
	cert, key    []byte
}

func writeKubeconfig(t *testing.T, path string, entries []kcEntry) {
	t.Helper()
	b64 := func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
	var clusters, users, contexts strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&clusters, "- name: %s\n  cluster:\n    server: %s\n    certificate-authority-data: %s\n", e.name, e.server, b64(e.ca))
		fmt.Fprintf(&contexts, "- name: %s\n  context:\n    cluster: %s\n    user: %s\n", e.name, e.name, e.name)
		if e.token != "" {
			fmt.Fprintf(&users, "- name: %s\n  user:\n    token: %s\n", e.name, e.token)
		} else {
			fmt.Fprintf(&users, "- name: %s\n  user:\n    client-certificate-data: %s\n    client-key-data: %s\n", e.name, b64(e.cert), b64(e.key))
		}
	}
	data := fmt.Sprintf("apiVersion: v1\nkind: Config\nclusters:\n%scontexts:\n%susers:\n%scurrent-context: %s\n",
		clusters.String(), contexts.String(), users.String(), entries[0].name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func newStatusEnv(t *testing.T) *statusEnv {
	t.Helper()
	p := clustertest.Start(t)
	direct := strings.TrimPrefix(p.DirectURL, "https://")
	refused := clustertest.NewProxy(t, direct)
	if err := refused.Cut(clustertest.Refuse); err != nil {
		t.Fatal(err)
	}
	blackHoled := clustertest.NewProxy(t, direct)
	if err := blackHoled.Cut(clustertest.BlackHole); err != nil {
		t.Fatal(err)
	}
	depot := clustertest.NewProxy(t, direct)
	otherCA, err := clustertest.NewCA("someone-else")
	if err != nil {
		t.Fatal(err)
	}

	home := t.TempDir()
	env := &statusEnv{
		plane:      p,
		kubeconfig: filepath.Join(home, ".kube", "config"),
		stateDir:   filepath.Join(home, "state"),
		configDir:  filepath.Join(home, "config"),
	}
	for _, d := range []string{filepath.Dir(env.kubeconfig), env.stateDir, env.configDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	writeKubeconfig(t, env.kubeconfig, []kcEntry{
		{name: "bus-01", server: p.Server(), ca: p.CA.CertPEM, token: p.Token},
		{name: "bus-02", server: refused.URL(), ca: p.CA.CertPEM, token: p.Token},
		{name: "bus-03", server: p.Server(), ca: otherCA.CertPEM, token: p.Token},
		{name: "bus-04", server: blackHoled.URL(), ca: p.CA.CertPEM, token: p.Token},
		{name: "depot", server: depot.URL(), ca: p.CA.CertPEM, cert: p.AdminCert.CertPEM, key: p.AdminCert.KeyPEM},
	})
	fleet := "contexts:\n  bus-01:\n    labels: {role: edge, line: \"12\"}\n  bus-02:\n    labels: {role: edge, line: \"12\"}\n  bus-03:\n    labels: {role: edge, line: \"7\"}\n  bus-04:\n    labels: {role: edge, line: \"7\"}\n  depot:\n    labels: {role: fog}\n"
	if err := os.WriteFile(filepath.Join(env.configDir, cluster.FleetFileName), []byte(fleet), 0o600); err != nil {
		t.Fatal(err)
	}
	seen := fmt.Sprintf(`{"contexts": {"bus-02": %q, "bus-04": %q, "bus-01": "2026-11-01T00:00:00Z"}}`,
		statusNow.Add(-3*time.Hour).Format(time.RFC3339), statusNow.Add(-50*time.Hour).Format(time.RFC3339))
	if err := os.WriteFile(filepath.Join(env.stateDir, cluster.SeenFileName), []byte(seen), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("KUBECONFIG", env.kubeconfig)
	return env
}

func (env *statusEnv) factory(io *cmdutil.IOStreams) *cmdutil.Factory {
	return &cmdutil.Factory{
		IOStreams:  io,
		Version:    "test",
		Now:        func() time.Time { return statusNow },
		HTTPClient: func() (*http.Client, error) { return &http.Client{}, nil },
		StateDir:   func() (string, error) { return env.stateDir, nil },
		ConfigDir:  func() (string, error) { return env.configDir, nil },
	}
}

// pinnedRTT runs the real probes and pins the measured round trip of
// reachable clusters, so that golden files do not depend on the machine.
func pinnedRTT(probe func(context.Context, *http.Transport, []cluster.Endpoint, time.Duration, int) []cluster.Result) func(context.Context, *http.Transport, []cluster.Endpoint, time.Duration, int) []cluster.Result {
	return func(ctx context.Context, base *http.Transport, eps []cluster.Endpoint, timeout time.Duration, workers int) []cluster.Result {
		rs := probe(ctx, base, eps, timeout, workers)
		for i := range rs {
			if rs[i].Reachable {
				if rs[i].RTT <= 0 || rs[i].RTT > timeout {
					panic(fmt.Sprintf("%s: RTT %s out of (0, %s]", rs[i].Context, rs[i].RTT, timeout))
				}
				rs[i].RTT = 1234 * time.Microsecond
			}
		}
		return rs
	}
}

// runStatus runs `fogctl ctx status ARGS` with the test factory.
func (env *statusEnv) runStatus(t *testing.T, tty bool, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	io, _, out, errOut := cmdutil.Test()
	io.SetTTY(tty)
	cmd := NewCmdStatus(env.factory(io), func(o *StatusOptions) error {
		o.Probe = pinnedRTT(o.Probe)
		return statusRun(t.Context(), o)
	})
	cmd.SetArgs(append([]string{}, args...)) // never nil: cobra would read os.Args
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err = cmd.ExecuteContext(t.Context())
	return out.String(), errOut.String(), err
}

var loopbackPort = regexp.MustCompile(`127\.0\.0\.1:\d{5}`)

func assertGolden(t *testing.T, name, got string) {
	t.Helper()
	// Loopback ports differ from run to run; they all have five digits.
	got = loopbackPort.ReplaceAllString(got, "127.0.0.1:NNNNN")
	path := filepath.Join("testdata", name+".golden")
	if updateGolden() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/ctxcmd -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestCtxStatus(t *testing.T) {
	env := newStatusEnv(t)
	tests := []struct {
		name       string
		tty        bool
		args       []string
		wantStderr string
	}{
		{"tty", true, nil, "✗ 3 of 5 clusters unreachable\n"},
		{"pipe", false, nil, "✗ 3 of 5 clusters unreachable\n"},
		{"wide_tty", true, []string{"-o", "wide"}, "✗ 3 of 5 clusters unreachable\n"},
		{"json", false, []string{"-o", "json"}, "✗ 3 of 5 clusters unreachable\n"},
		{"yaml", false, []string{"-o", "yaml"}, "✗ 3 of 5 clusters unreachable\n"},
		{"selector_tty", true, []string{"-l", "line=12"}, "✗ 1 of 2 clusters unreachable\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			stdout, stderr, err := env.runStatus(t, tt.tty, append([]string{"--timeout", "500ms"}, tt.args...)...)
			// The bound itself is held by the e2e test and the benchmark;
			// here a loaded CI machine gets slack.
			if took := time.Since(start); took > 3500*time.Millisecond {
				t.Errorf("status took %s with a 500ms timeout, want at most 3.5s", took)
			}
			if !errors.Is(err, cmdutil.ErrPending) {
				t.Errorf("err = %v, want ErrPending (exit 3)", err)
			}
			if stderr != tt.wantStderr {
				t.Errorf("stderr = %q, want %q", stderr, tt.wantStderr)
			}
			assertGolden(t, "TestCtxStatus_"+tt.name, stdout)
		})
	}
}

func TestCtxStatusAllReachableExitsZeroAndRecordsLastSeen(t *testing.T) {
	env := newStatusEnv(t)
	stdout, stderr, err := env.runStatus(t, true, "--contexts", "depot,bus-01")
	if err != nil {
		t.Fatalf("err = %v, want nil (exit 0); stderr %q", err, stderr)
	}
	if stderr != "✓ 2 clusters reachable\n" {
		t.Errorf("stderr = %q", stderr)
	}
	assertGolden(t, "TestCtxStatus_all_reachable_tty", stdout)

	seen, err := cluster.LoadSeen(env.stateDir)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]time.Time{
		"bus-01": statusNow,                     // reachable now
		"depot":  statusNow,                     // reachable now, first time
		"bus-02": statusNow.Add(-3 * time.Hour), // not probed: unchanged
	} {
		if got := seen.Get(name); !got.Equal(want) {
			t.Errorf("last seen %s = %v, want %v", name, got, want)
		}
	}

	// A pipe gets no summary on success and no header.
	stdout, stderr, err = env.runStatus(t, false, "--contexts", "depot")
	if err != nil || stderr != "" {
		t.Errorf("pipe: err %v, stderr %q; want nil and nothing", err, stderr)
	}
	if want := "depot\ttrue\t1.234\tv" + clustertest.KubeVersion + "\t2026-11-23T04:00:00Z\t\n"; stdout != want {
		t.Errorf("pipe stdout = %q, want %q", stdout, want)
	}
}

func TestCtxStatusJSONContract(t *testing.T) {
	env := newStatusEnv(t)
	stdout, _, _ := env.runStatus(t, false, "--timeout", "500ms", "-o", "json")
	var records []map[string]any
	if err := json.Unmarshal([]byte(stdout), &records); err != nil {
		t.Fatal(err)
	}
	if len(records) != 5 {
		t.Fatalf("%d records, want 5", len(records))
	}
	want := []string{"context", "labels", "lastSeen", "reachable", "reason", "rttMs", "server", "version"}
	for _, r := range records {
		if diff := cmp.Diff(want, sortedKeys(r)); diff != "" {
			t.Errorf("%v: JSON fields (-want +got):\n%s", r["context"], diff)
		}
	}
	if records[2]["lastSeen"] != nil {
		t.Errorf("bus-03 was never seen: lastSeen = %v, want null", records[2]["lastSeen"])
	}
}

func sortedKeys(m map[string]any) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestCtxStatusUnusableEntryIsReportedNotProbed(t *testing.T) {
	env := newStatusEnv(t)
	data, err := os.ReadFile(env.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	// bus-03's CA is not base64: that context gets a config reason naming
	// the file and line; the others are still probed.
	broken := regexp.MustCompile(`(?s)(name: bus-03\n  cluster:\n    server: \S+\n    certificate-authority-data: )\S+`).ReplaceAll(data, []byte("${1}not-base64!"))
	if bytes.Equal(broken, data) {
		t.Fatal("fixture did not change")
	}
	if err := os.WriteFile(env.kubeconfig, broken, 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := env.runStatus(t, false, "--contexts", "bus-01,bus-03", "-o", "json")
	if !errors.Is(err, cmdutil.ErrPending) {
		t.Errorf("err = %v, want ErrPending", err)
	}
	var records []StatusRecord
	if err := json.Unmarshal([]byte(stdout), &records); err != nil {
		t.Fatal(err)
	}
	if len(records) != 2 || !records[0].Reachable || records[1].Reachable {
		t.Fatalf("records = %+v, want bus-01 reachable and bus-03 not", records)
	}
	if r := records[1].Reason; !strings.HasPrefix(r, "config: "+env.kubeconfig+" line ") || !strings.Contains(r, "not base64") {
		t.Errorf("bus-03 reason = %q, want config: FILE line N: ... not base64", r)
	}
}

func TestCtxStatusFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    StatusOptions
		wantErr string
	}{
		{"defaults", nil, StatusOptions{Timeout: 2 * time.Second, Workers: 256}, ""},
		{"all flags", []string{"-l", "role=edge,line!=7", "--contexts", "bus-17,bus-18", "--timeout", "500ms", "--workers", "32", "-o", "wide"},
			StatusOptions{Selector: "role=edge,line!=7", Contexts: []string{"bus-17", "bus-18"}, Timeout: 500 * time.Millisecond, Workers: 32, Output: "wide"}, ""},
		{"zero timeout", []string{"--timeout", "0s"}, StatusOptions{}, "--timeout must be positive, like 2s or 500ms"},
		{"no workers", []string{"--workers", "0"}, StatusOptions{}, "--workers must be at least 1"},
		{"bad selector", []string{"-l", "role in edge"}, StatusOptions{}, `label selector "role in edge": `},
		{"bad output", []string{"-o", "table"}, StatusOptions{}, `unknown output format "table": use one of json, yaml, wide`},
		{"positional", []string{"bus-17"}, StatusOptions{}, `unknown command "bus-17"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io, _, _, _ := cmdutil.Test()
			var got *StatusOptions
			cmd := NewCmdStatus(&cmdutil.Factory{IOStreams: io}, func(o *StatusOptions) error { got = o; return nil })
			cmd.SetArgs(append([]string{}, tt.args...)) // never nil: cobra would read os.Args
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			cmd.SilenceErrors, cmd.SilenceUsage = true, true
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want prefix %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g := StatusOptions{Selector: got.Selector, Contexts: got.Contexts, Timeout: got.Timeout, Workers: got.Workers, Output: got.Output}
			if diff := cmp.Diff(tt.want, g); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCtxStatusExecUserIsUnauthorizedWithHint: fogctl does not run exec
// credential plugins, and an API server that refuses anonymous requests
// (as k3s does) answers 401; the reason says why.
func TestCtxStatusExecUserIsUnauthorizedWithHint(t *testing.T) {
	env := newStatusEnv(t)
	second := filepath.Join(filepath.Dir(env.kubeconfig), "exec.yaml")
	data := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: cloud
  cluster:
    server: %s
    certificate-authority-data: %s
contexts:
- name: cloud
  context: {cluster: cloud, user: cloud}
users:
- name: cloud
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: /nonexistent/credential-helper
      interactiveMode: Never
`, env.plane.Server(), base64.StdEncoding.EncodeToString(env.plane.CA.CertPEM))
	if err := os.WriteFile(second, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", env.kubeconfig+string(os.PathListSeparator)+second)
	stdout, _, err := env.runStatus(t, false, "--contexts", "cloud,bus-01")
	if !errors.Is(err, cmdutil.ErrPending) {
		t.Errorf("err = %v, want ErrPending", err)
	}
	want := "bus-01\ttrue\t1.234\tv" + clustertest.KubeVersion + "\t2026-11-23T04:00:00Z\t\n" +
		"cloud\tfalse\t\t\t\tunauthorized (fogctl does not use exec credentials)\n"
	if stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
}
