package cluster

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPrecedence(t *testing.T) {
	cases := []struct {
		name     string
		explicit string
		env      string
		want     []string
	}{
		{"explicit wins", "/x/config", "/a:/b", []string{"/x/config"}},
		{"KUBECONFIG list, deduplicated, empty entries dropped", "", "/a::/b:/a", []string{"/a", "/b"}},
		{"home", "", "", []string{"/home/op/.kube/config"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, KubeconfigPrecedence(tc.explicit, tc.env, "/home/op")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMergedView(t *testing.T) {
	dir := t.TempDir()
	a, b, c := fixture(t, dir, "multi-a.yaml"), fixture(t, dir, "multi-b.yaml"), fixture(t, dir, "multi-c.json")
	k, err := LoadKubeconfigFiles("", []string{a, filepath.Join(dir, "missing.yaml"), b, c})
	if err != nil {
		t.Fatal(err)
	}
	want := []Context{
		{Name: "bus-17", Cluster: "bus-17", User: "bus-admin", Server: "https://10.147.17.21:6443", File: b, Line: 14},
		{Name: "bus-18", Cluster: "bus-17", User: "bus-admin", Namespace: "sensors", Server: "https://10.147.17.21:6443", File: b, Line: 16},
		{Name: "depot", Cluster: "depot", User: "depot-admin", Server: "https://10.147.17.1:6443", File: a, Line: 13},
		{Name: "lab", Cluster: "lab", User: "lab", Server: "https://127.0.0.1:7443", File: c, Line: 4},
	}
	if diff := cmp.Diff(want, k.Contexts()); diff != "" {
		t.Errorf("Contexts (-want +got):\n%s", diff)
	}
	if k.Current() != "bus-17" {
		t.Errorf("Current = %q, want bus-17 (from the second file, the first that sets it)", k.Current())
	}
}

// TestBrokenKubeconfigNamesLineAndIsNeverWritten: a kubeconfig that does
// not parse gives its file and line, and no edit touches it.
func TestBrokenKubeconfigNamesLineAndIsNeverWritten(t *testing.T) {
	cases := []struct {
		name, content, want string
	}{
		{"truncated", "apiVersion: v1\nclusters:\n- name: a\n  cluster:\n    server: \"https://10.0.0.1:6443\n", "line 5: does not parse as YAML"},
		{"bad indent", "apiVersion: v1\ncontexts:\n- name: a\n  context:\n    cluster: a\n   user: b\n", "line 6: does not parse as YAML"},
		{"contexts not a list", "apiVersion: v1\ncontexts:\n  a: b\n", "line 3: contexts must be a list"},
		{"cluster not a string", "contexts:\n- name: a\n  context:\n    cluster: [x]\n", "line 4: contexts[0].context.cluster must be a string"},
		{"top level list", "- a\n- b\n", "line 1: a kubeconfig is a mapping"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "config")
			if err := os.WriteFile(p, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadKubeconfig(p)
			if err == nil || !strings.HasPrefix(err.Error(), p+" "+tc.want) {
				t.Fatalf("error = %v, want %q", err, p+" "+tc.want)
			}
			// An edit through a Kubeconfig loaded before the file broke
			// re-reads it under the lock and refuses.
			k, _ := LoadKubeconfigFiles(p, []string{p})
			if k == nil {
				k = &Kubeconfig{explicit: p, precedence: []string{p}}
			}
			err = k.Update(context.Background(), func(tx *Tx) error { return tx.Use("a") })
			if err == nil {
				t.Fatal("Update on a broken kubeconfig succeeded")
			}
			if data, _ := os.ReadFile(p); string(data) != tc.content {
				t.Errorf("the broken kubeconfig was rewritten:\n%s", data)
			}
			if _, err := os.Stat(p + ".fogctl.bak"); err == nil {
				t.Errorf("a backup was written")
			}
		})
	}
}

func TestCheckNamesUndefinedCluster(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config")
	content := "apiVersion: v1\nclusters:\n- name: depot\n  cluster:\n    server: https://10.0.0.1:6443\nusers:\n- name: op\n  user: {}\ncontexts:\n- name: depot\n  context:\n    cluster: depot\n    user: op\n- name: bus-17\n  context:\n    cluster: bus-17\n    user: op\n"
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := LoadKubeconfig(p)
	if err != nil {
		t.Fatal(err)
	}
	err = k.Update(context.Background(), func(tx *Tx) error { return tx.Use("bus-17") })
	want := p + ` line 16: contexts[1].context.cluster "bus-17" is not defined (run 'fogctl ctx list')`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	var nf *NotFoundError
	if err := k.Update(context.Background(), func(tx *Tx) error { return tx.Use("nope") }); !errors.As(err, &nf) {
		t.Errorf("use of a missing context = %v, want NotFoundError", err)
	}
}

func TestEndpointResolvesPathsRelativeToTheirFile(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "kube")
	if err := os.MkdirAll(filepath.Join(sub, "certs"), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"certs/ca.crt": "CA", "certs/op.crt": "CRT", "certs/op.key": "KEY", "token": "tok-123\n"} {
		if err := os.WriteFile(filepath.Join(sub, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(sub, "config")
	content := `clusters:
- name: c
  cluster:
    server: https://10.147.17.21:6443
    certificate-authority: certs/ca.crt
    tls-server-name: bus-17
    proxy-url: socks5://127.0.0.1:1080
- name: d
  cluster:
    server: https://10.147.17.22:6443
    certificate-authority-data: Q0EtREFUQQ==
    insecure-skip-tls-verify: true
users:
- name: u
  user:
    client-certificate: certs/op.crt
    client-key: certs/op.key
- name: t
  user:
    tokenFile: token
contexts:
- name: a
  context: {cluster: c, user: u}
- name: b
  context: {cluster: d, user: t}
`
	if err := os.WriteFile(cfg, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	// Load from another working directory: paths follow the file, not the cwd.
	t.Chdir(dir)
	k, err := LoadKubeconfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a, err := k.Endpoint("a")
	if err != nil {
		t.Fatal(err)
	}
	want := Endpoint{Context: "a", Server: "https://10.147.17.21:6443", TLSServerName: "bus-17", CAData: []byte("CA"), CertData: []byte("CRT"), KeyData: []byte("KEY"), ProxyURL: "socks5://127.0.0.1:1080"}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("Endpoint(a) (-want +got):\n%s", diff)
	}
	b, err := k.Endpoint("b")
	if err != nil {
		t.Fatal(err)
	}
	want = Endpoint{Context: "b", Server: "https://10.147.17.22:6443", CAData: []byte("CA-DATA"), Token: "tok-123", Insecure: true}
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("Endpoint(b) (-want +got):\n%s", diff)
	}
	if err := os.Remove(filepath.Join(sub, "certs/op.key")); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Endpoint("a"); err == nil || !strings.Contains(err.Error(), cfg+" line 17: users[0].user.client-key") {
		t.Errorf("missing key file: error %v does not name the file, line and field", err)
	}
}

func TestSelector(t *testing.T) {
	labels := map[string]string{"role": "edge", "line": "12", "gpu": ""}
	cases := []struct {
		sel  string
		want bool
	}{
		{"", true},
		{"role=edge", true},
		{"role==edge", true},
		{"role=fog", false},
		{"role!=fog", true},
		{"line!=12", false},
		{"gpu", true},
		{"!gpu", false},
		{"spare", false},
		{"!spare", true},
		{"role=edge,line=12", true},
		{"role=edge,line=13", false},
		{"line in (11,12)", true},
		{"line notin (11,12)", false},
		{"zone notin (a)", true},
		{"role=edge, line in (12, 13), !spare", true},
	}
	for _, tc := range cases {
		sel, err := ParseSelector(tc.sel)
		if err != nil {
			t.Errorf("ParseSelector(%q): %v", tc.sel, err)
			continue
		}
		if got := sel.Matches(labels); got != tc.want {
			t.Errorf("%q matches = %v, want %v", tc.sel, got, tc.want)
		}
	}
	for _, bad := range []string{"role=edge=x", "line in 12", "bad key=x", "=x"} {
		if _, err := ParseSelector(bad); err == nil {
			t.Errorf("ParseSelector(%q) accepted a bad selector", bad)
		}
	}
}

func TestSelectAndFleet(t *testing.T) {
	dir := t.TempDir()
	k, err := LoadKubeconfigFiles("", []string{fixture(t, dir, "multi-a.yaml"), fixture(t, dir, "multi-b.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	fl, err := LoadFleet(filepath.Join(dir, "cfg"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for name, labels := range map[string]map[string]string{"bus-17": {"role": "edge", "line": "12"}, "bus-18": {"role": "edge", "line": "13"}, "depot": {"role": "fog"}} {
		if err := fl.UpdateEntry(ctx, name, func(e *FleetEntry) error { e.Labels = labels; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if err := fl.UpdateEntry(ctx, "bus-17", func(e *FleetEntry) error { e.MemberID, e.OverlayIP = "a1b2c3d4e5", "10.147.17.21"; return nil }); err != nil {
		t.Fatal(err)
	}
	names := func(cs []Context) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Name)
		}
		return out
	}
	got, err := k.Select(fl, "role=edge,line!=13", nil)
	if err != nil || !cmp.Equal(names(got), []string{"bus-17"}) {
		t.Errorf("Select(role=edge,line!=13) = %v, %v", names(got), err)
	}
	got, err = k.Select(fl, "role=edge", []string{"depot", "bus-18"})
	if err != nil || !cmp.Equal(names(got), []string{"bus-18"}) {
		t.Errorf("Select(role=edge, [depot bus-18]) = %v, %v", names(got), err)
	}
	if _, err := k.Select(fl, "", []string{"bus-99"}); err == nil || !strings.Contains(err.Error(), `"bus-99"`) {
		t.Errorf("Select of an unknown name: %v", err)
	}
	// Read back from disk: the fleet file holds what was written, and a
	// rename and delete move and drop entries.
	if err := fl.Rename(ctx, "bus-17", "bus-17b"); err != nil {
		t.Fatal(err)
	}
	if err := fl.Delete(ctx, "depot"); err != nil {
		t.Fatal(err)
	}
	again, err := LoadFleet(filepath.Join(dir, "cfg"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(FleetEntry{Labels: map[string]string{"role": "edge", "line": "12"}, MemberID: "a1b2c3d4e5", OverlayIP: "10.147.17.21"}, again.Entry("bus-17b")); diff != "" {
		t.Errorf("renamed entry (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"bus-17b", "bus-18"}, again.Names()); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"line", "role"}, again.LabelKeys()); diff != "" {
		t.Errorf("label keys (-want +got):\n%s", diff)
	}
	st, _ := os.Stat(again.Path())
	if st.Mode().Perm() != 0o600 {
		t.Errorf("fleet file mode %v", st.Mode().Perm())
	}
}

func TestRewriteServer(t *testing.T) {
	cases := []struct{ old, to, want string }{
		{"https://127.0.0.1:6443", "10.147.17.21", "https://10.147.17.21:6443"},
		{"https://127.0.0.1:6443", "10.147.17.21:7443", "https://10.147.17.21:7443"},
		{"https://127.0.0.1:6443", "bus-17.fleet.local", "https://bus-17.fleet.local:6443"},
		{"https://127.0.0.1:6443", "fd00::21", "https://[fd00::21]:6443"},
		{"https://127.0.0.1:6443", "https://10.0.0.1:443", "https://10.0.0.1:443"},
		{"https://127.0.0.1", "10.147.17.21", "https://10.147.17.21"},
	}
	for _, tc := range cases {
		got, err := rewriteServer(tc.old, tc.to)
		if err != nil || got != tc.want {
			t.Errorf("rewriteServer(%q, %q) = %q, %v; want %q", tc.old, tc.to, got, err, tc.want)
		}
	}
	for _, bad := range []string{"ftp://x", "a/b", "https://"} {
		if got, err := rewriteServer("https://127.0.0.1:6443", bad); err == nil {
			t.Errorf("rewriteServer(%q) = %q, want an error", bad, got)
		}
	}
}
