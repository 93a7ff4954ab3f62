package ctxcmd_test

import (
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cmd"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/cmd/ctxcmd"
	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

// The -update flag may be defined by another test file of this binary.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// ctxEnv is an operator's machine with the depot kubeconfig of
// testdata/kubeconfig/full.yaml in ~/.kube/config and some fleet labels.
type ctxEnv struct {
	dir, home, kubeconfig, stateDir, configDir string
}

func newCtxEnv(t *testing.T) *ctxEnv {
	t.Helper()
	m := ctxcmd.NewTestMachine(t)
	env := &ctxEnv{dir: m.Dir, home: m.Dir, kubeconfig: m.Kubeconfig, stateDir: m.StateDir, configDir: m.ConfigDir}
	fleet := "contexts:\n  bus-17:\n    labels: {role: edge, line: \"12\"}\n    memberId: a1b2c3d4e5\n    overlayIP: 10.147.17.21\n  bus-18:\n    labels: {role: edge, line: \"13\"}\n  depot:\n    labels: {role: fog}\n"
	if err := os.WriteFile(filepath.Join(env.configDir, "fleet.yaml"), []byte(fleet), 0o600); err != nil {
		t.Fatal(err)
	}
	return env
}

// run runs one fogctl command line in-process, as a TTY or as a pipe.
func (env *ctxEnv) run(t *testing.T, tty bool, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	io, _, out, errOut := cmdutil.Test()
	io.SetTTY(tty)
	f := &cmdutil.Factory{
		IOStreams:  io,
		Version:    "test",
		Now:        func() time.Time { return time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC) },
		HTTPClient: func() (*http.Client, error) { return nil, errors.New("no network in ctx tests") },
		StateDir:   func() (string, error) { return env.stateDir, nil },
		ConfigDir:  func() (string, error) { return env.configDir, nil },
		Executable: os.Executable,
	}
	code = int(cmd.Run(context.Background(), f, args))
	return code, strings.ReplaceAll(out.String(), env.dir, "$DIR"), strings.ReplaceAll(errOut.String(), env.dir, "$DIR")
}

func (env *ctxEnv) ok(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	code, stdout, stderr := env.run(t, false, args...)
	if code != 0 {
		t.Fatalf("fogctl %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout, stderr
}

func assertCtxGolden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name+".golden")
	if updating() {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/ctxcmd -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", p, diff)
	}
}

func TestCtxList(t *testing.T) {
	env := newCtxEnv(t)
	cases := []struct {
		name string
		tty  bool
		args []string
	}{
		{"tty", true, nil},
		{"pipe", false, nil},
		{"wide_tty", true, []string{"-o", "wide"}},
		{"selector_tty", true, []string{"-l", "role=edge,line!=13"}},
		{"contexts_pipe", false, []string{"--contexts", "depot,bus-18"}},
		{"json", false, []string{"-o", "json"}},
		{"yaml", false, []string{"-o", "yaml"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := env.run(t, tc.tty, append([]string{"ctx", "list"}, tc.args...)...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			assertCtxGolden(t, "TestCtxList_"+tc.name, stdout)
		})
	}
}

func TestCtxListErrors(t *testing.T) {
	env := newCtxEnv(t)
	code, _, stderr := env.run(t, false, "ctx", "list", "--contexts", "bus-99")
	if code != 2 || !strings.HasPrefix(stderr, `error: no context named "bus-99" (run 'fogctl ctx list')`) {
		t.Errorf("unknown --contexts: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = env.run(t, false, "ctx", "list", "-l", "line in 12")
	if code != 2 || !strings.Contains(stderr, "values of in go in parentheses") {
		t.Errorf("bad selector: exit %d, stderr %q", code, stderr)
	}
	if err := os.WriteFile(env.kubeconfig, []byte("apiVersion: v1\ncontexts:\n- name: a\n  context:\n    cluster: \"x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = env.run(t, false, "ctx", "list")
	if want := "error: $DIR/.kube/config line 5: does not parse as YAML"; code != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("broken kubeconfig: exit %d, stderr %q, want %q", code, stderr, want)
	}
}

// TestCtxUseAndBack: use switches and says so on stderr only, use - goes
// back, current prints the name alone on stdout.
func TestCtxUseAndBack(t *testing.T) {
	env := newCtxEnv(t)
	stdout, stderr := env.ok(t, "ctx", "use", "bus-17")
	if stdout != "" || stderr != "✓ Switched to context bus-17\n" {
		t.Errorf("use: stdout %q stderr %q", stdout, stderr)
	}
	if got, _ := env.ok(t, "ctx", "current"); got != "bus-17\n" {
		t.Errorf("current = %q", got)
	}
	if _, stderr := env.ok(t, "context", "use", "-"); stderr != "✓ Switched to context depot\n" {
		t.Errorf("use -: %q", stderr)
	}
	if _, stderr := env.ok(t, "ctx", "use", "-"); stderr != "✓ Switched to context bus-17\n" {
		t.Errorf("use - again: %q", stderr)
	}
	code, _, stderr := env.run(t, false, "ctx", "use", "nope")
	if code != 1 || stderr != "error: switch to \"nope\": no context named \"nope\" (run 'fogctl ctx list')\n" {
		t.Errorf("use nope: exit %d %q", code, stderr)
	}
}

func TestCtxUseMinusWithoutHistory(t *testing.T) {
	env := newCtxEnv(t)
	code, _, stderr := env.run(t, false, "ctx", "use", "-")
	if code != 1 || !strings.Contains(stderr, "no previous context") {
		t.Errorf("exit %d %q", code, stderr)
	}
}

func TestCtxUseUndefinedClusterNamesFileAndLine(t *testing.T) {
	env := newCtxEnv(t)
	content := "apiVersion: v1\nclusters:\n- name: depot\n  cluster:\n    server: https://10.0.0.1:6443\nusers:\n- name: op\n  user: {}\ncontexts:\n- name: depot\n  context:\n    cluster: depot\n    user: op\n- name: bus-17\n  context:\n    cluster: bus-17\n    user: op\n"
	if err := os.WriteFile(env.kubeconfig, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := env.run(t, false, "ctx", "use", "bus-17")
	want := "error: switch to \"bus-17\": $DIR/.kube/config line 16: contexts[1].context.cluster \"bus-17\" is not defined (run 'fogctl ctx list')\n"
	if code != 1 || stderr != want {
		t.Errorf("exit %d\n got %q\nwant %q", code, stderr, want)
	}
}

// TestCtxEditCommands runs rename, ns, label, import, merge and delete and
// compares the kubeconfig and fleet file afterwards as a whole.
func TestCtxEditCommands(t *testing.T) {
	env := newCtxEnv(t)
	k3s := "../../testdata/kubeconfig/k3s.yaml"
	steps := [][]string{
		{"ctx", "rename", "bus-17", "bus-17a"},
		{"ctx", "rename", "bus-17a=bus-17b"},
		{"ctx", "ns", "sensors", "--context", "bus-17b"},
		{"ctx", "label", "bus-17b", "line-", "depot=north"},
		{"ctx", "label", "-l", "role=edge", "checked=yes"},
		{"ctx", "import", k3s, "--name", "bus-20", "--server", "https://10.147.17.30:6443", "--label", "role=edge"},
		{"ctx", "delete", "bus-18", "--with-cluster-and-user"},
	}
	var log strings.Builder
	for _, s := range steps {
		stdout, stderr := env.ok(t, s...)
		log.WriteString("$ fogctl " + strings.ReplaceAll(strings.Join(s, " "), env.dir, "$DIR") + "\n" + stdout + stderr)
	}
	kc, _ := os.ReadFile(env.kubeconfig)
	fl, _ := os.ReadFile(filepath.Join(env.configDir, "fleet.yaml"))
	list, _ := env.ok(t, "ctx", "list", "-o", "wide")
	assertCtxGolden(t, "TestCtxEditCommands", log.String()+"=== ctx list -o wide\n"+list+"=== kubeconfig\n"+string(kc)+"=== fleet.yaml\n"+string(fl))
	// The backup holds the version before the last write.
	if _, err := os.Stat(env.kubeconfig + ".fogctl.bak"); err != nil {
		t.Errorf("no backup: %v", err)
	}
}

func TestCtxMergeConflicts(t *testing.T) {
	env := newCtxEnv(t)
	other := filepath.Join(env.dir, "other.yaml")
	if err := os.WriteFile(other, []byte("apiVersion: v1\nclusters:\n- name: bus-17\n  cluster:\n    server: https://10.147.17.99:6443\ncontexts:\n- name: bus-17\n  context:\n    cluster: bus-17\n    user: bus-17-admin\n    namespace: sensors\n- name: bus-30\n  context:\n    cluster: bus-17\n    user: bus-17-admin\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(env.kubeconfig)
	code, _, stderr := env.run(t, false, "ctx", "merge", other)
	want := `error: merge $DIR/other.yaml: cluster "bus-17" in $DIR/other.yaml line 3 differs from the one in $DIR/.kube/config line 19; context "bus-17" in $DIR/other.yaml line 7 differs from the one in $DIR/.kube/config line 61 (use --rename-conflicts to keep both or --overwrite to replace)` + "\n"
	if code != 1 || stderr != want {
		t.Errorf("exit %d\n got %q\nwant %q", code, stderr, want)
	}
	if after, _ := os.ReadFile(env.kubeconfig); string(after) != string(before) {
		t.Errorf("a refused merge changed the kubeconfig")
	}
	_, stderr = env.ok(t, "ctx", "merge", other, "--rename-conflicts")
	if want := "✓ Merged $DIR/other.yaml: added context/bus-30; renamed cluster/bus-17 -> bus-17-2, context/bus-17 -> bus-17-2\n"; stderr != want {
		t.Errorf("got  %q\nwant %q", stderr, want)
	}
	stdout, _ := env.ok(t, "ctx", "list", "--contexts", "bus-17-2,bus-30")
	if want := "\tbus-17-2\thttps://10.147.17.99:6443\tbus-17-admin\tsensors\t\n\tbus-30\thttps://10.147.17.99:6443\tbus-17-admin\t\t\n"; stdout != want {
		t.Errorf("got  %q\nwant %q", stdout, want)
	}
	_, stderr = env.ok(t, "ctx", "merge", other, "--overwrite")
	if !strings.Contains(stderr, "replaced cluster/bus-17, context/bus-17, context/bus-30") {
		t.Errorf("overwrite: %q", stderr)
	}
}

// TestCtxImportRefusesExisting: import never replaces silently.
func TestCtxImportRefusesExisting(t *testing.T) {
	env := newCtxEnv(t)
	k3s, _ := filepath.Abs("../../testdata/kubeconfig/k3s.yaml")
	code, _, stderr := env.run(t, false, "ctx", "import", k3s, "--name", "bus-17")
	if code != 1 || !strings.Contains(stderr, `cluster "bus-17" ($DIR/.kube/config line 19), context "bus-17" ($DIR/.kube/config line 61) already exist: pick another --name or add --overwrite`) {
		t.Errorf("exit %d %q", code, stderr)
	}
	code, _, stderr = env.run(t, false, "ctx", "import", k3s)
	if code != 2 || !strings.Contains(stderr, "--name is required") {
		t.Errorf("no --name: exit %d %q", code, stderr)
	}
}

// TestCtxKubeconfigFlag: --kubeconfig names one file, as with kubectl.
func TestCtxKubeconfigFlag(t *testing.T) {
	env := newCtxEnv(t)
	other := filepath.Join(env.dir, "k3s.yaml")
	data, _ := os.ReadFile("../../testdata/kubeconfig/k3s.yaml")
	if err := os.WriteFile(other, data, 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, _ := env.ok(t, "ctx", "list", "--kubeconfig", other)
	if stdout != "*\tdefault\thttps://127.0.0.1:6443\tdefault\t\t\n" {
		t.Errorf("got %q", stdout)
	}
}

func TestCtxRunF(t *testing.T) {
	ios, _, _, _ := cmdutil.Test()
	f := &cmdutil.Factory{IOStreams: ios}
	t.Run("rename a=b", func(t *testing.T) {
		var got *ctxcmd.RenameOptions
		c := ctxcmd.NewCmdRename(f, func(o *ctxcmd.RenameOptions) error { got = o; return nil })
		quiet(c)
		c.SetArgs([]string{"a=b"})
		if err := c.Execute(); err != nil {
			t.Fatal(err)
		}
		if got.Old != "a" || got.New != "b" {
			t.Errorf("got {Old: %q, New: %q}", got.Old, got.New)
		}
	})
	t.Run("rename a b", func(t *testing.T) {
		var got *ctxcmd.RenameOptions
		c := ctxcmd.NewCmdRename(f, func(o *ctxcmd.RenameOptions) error { got = o; return nil })
		quiet(c)
		c.SetArgs([]string{"a", "b"})
		if err := c.Execute(); err != nil {
			t.Fatal(err)
		}
		if got.Old != "a" || got.New != "b" {
			t.Errorf("got {Old: %q, New: %q}", got.Old, got.New)
		}
	})
	t.Run("rename bad", func(t *testing.T) {
		c := ctxcmd.NewCmdRename(f, func(o *ctxcmd.RenameOptions) error { return nil })
		quiet(c)
		c.SetArgs([]string{"a"})
		var fe *cmdutil.FlagError
		if err := c.Execute(); !errors.As(err, &fe) {
			t.Errorf("rename a: %v, want a FlagError", err)
		}
	})
	t.Run("import", func(t *testing.T) {
		var got *ctxcmd.ImportOptions
		c := ctxcmd.NewCmdImport(f, func(o *ctxcmd.ImportOptions) error { got = o; return nil })
		quiet(c)
		c.SetArgs([]string{"k3s.yaml", "--name", "bus-17", "--server", "https://10.147.17.21:6443", "--label", "role=edge,line=12"})
		if err := c.Execute(); err != nil {
			t.Fatal(err)
		}
		want := ctxcmd.ImportOptions{File: "k3s.yaml", Name: "bus-17", Server: "https://10.147.17.21:6443", Labels: []string{"role=edge", "line=12"}}
		got.IO, got.Kubeconfig, got.Fleet, got.Ctx = nil, nil, nil, nil
		if diff := cmp.Diff(want, *got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("import bad server", func(t *testing.T) {
		c := ctxcmd.NewCmdImport(f, func(o *ctxcmd.ImportOptions) error { return nil })
		quiet(c)
		c.SetArgs([]string{"k3s.yaml", "--name", "bus-17", "--server", "ftp://10.147.17.21"})
		var fe *cmdutil.FlagError
		if err := c.Execute(); !errors.As(err, &fe) {
			t.Errorf("%v, want a FlagError", err)
		}
	})
	t.Run("label", func(t *testing.T) {
		var got *ctxcmd.LabelOptions
		c := ctxcmd.NewCmdLabel(f, func(o *ctxcmd.LabelOptions) error { got = o; return nil })
		quiet(c)
		c.SetArgs([]string{"bus-17", "role=edge", "line-"})
		if err := c.Execute(); err != nil {
			t.Fatal(err)
		}
		if got.Name != "bus-17" || !cmp.Equal(got.Set, map[string]string{"role": "edge"}) || !cmp.Equal(got.Remove, []string{"line"}) {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("merge flags exclusive", func(t *testing.T) {
		c := ctxcmd.NewCmdMerge(f, func(o *ctxcmd.MergeOptions) error { return nil })
		quiet(c)
		c.SetArgs([]string{"a.yaml", "--overwrite", "--rename-conflicts"})
		var fe *cmdutil.FlagError
		if err := c.Execute(); !errors.As(err, &fe) {
			t.Errorf("%v, want a FlagError", err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		var got *ctxcmd.DeleteOptions
		c := ctxcmd.NewCmdDelete(f, func(o *ctxcmd.DeleteOptions) error { got = o; return nil })
		quiet(c)
		c.SetArgs([]string{"bus-17", "bus-18", "--with-cluster-and-user"})
		if err := c.Execute(); err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(got.Names, []string{"bus-17", "bus-18"}) || !got.WithClusterAndUser {
			t.Errorf("got %+v", got)
		}
	})
}

func quiet(c *cobra.Command) {
	c.SetOut(io.Discard)
	c.SetErr(io.Discard)
	c.SilenceUsage, c.SilenceErrors = true, true
}

// TestCtxCompletion: context names complete for use, label keys and
// values for -l, through cobra's completion entry point as shells call it.
func TestCtxCompletion(t *testing.T) {
	env := newCtxEnv(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "ctx", "use", "bus"}, "bus-17\nbus-18\n:4\n"},
		{[]string{"__complete", "ctx", "delete", "bus-17", "d"}, "depot\n:4\n"},
		{[]string{"__complete", "ctx", "list", "-l", ""}, "line\nrole\n:6\n"},
		{[]string{"__complete", "ctx", "list", "-l", "role=e"}, "role=edge\n:6\n"},
		{[]string{"__complete", "ctx", "list", "-l", "role=edge,li"}, "role=edge,line\n:6\n"},
		{[]string{"__complete", "ctx", "list", "--contexts", "depot,bus-1"}, "depot,bus-17\ndepot,bus-18\n:6\n"},
		{[]string{"__complete", "ctx", "label", "bus-17", "ro"}, "role\n:6\n"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args[1:], " "), func(t *testing.T) {
			_, stdout, _ := env.run(t, false, tc.args...)
			// Drop cobra's trailing help comment line.
			if i := strings.Index(stdout, "Completion ended"); i >= 0 {
				stdout = stdout[:i]
			}
			if diff := cmp.Diff(tc.want, stdout); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCtxNsCurrentDeleteCurrent(t *testing.T) {
	env := newCtxEnv(t)
	if got, _ := env.ok(t, "ctx", "ns"); got != "sensors\n" {
		t.Errorf("ns = %q", got)
	}
	if got, _ := env.ok(t, "ctx", "ns", "--context", "bus-17"); got != "default\n" {
		t.Errorf("ns of a context without one = %q", got)
	}
	if _, stderr := env.ok(t, "ctx", "ns", "kube-system"); stderr != "✓ Context depot now uses namespace kube-system\n" {
		t.Errorf("ns set: %q", stderr)
	}
	_, stderr := env.ok(t, "ctx", "delete", "depot")
	if want := "✓ Deleted context/depot\n! current-context still names \"depot\", which no longer exists: run 'fogctl ctx use NAME'\n"; stderr != want {
		t.Errorf("delete current:\n got %q\nwant %q", stderr, want)
	}
	env.ok(t, "ctx", "delete", "bus-17", "bus-18")
	if err := os.WriteFile(env.kubeconfig, []byte("apiVersion: v1\nkind: Config\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := env.run(t, false, "ctx", "current")
	if code != 1 || stdout != "" || stderr != "error: current-context is not set (run 'fogctl ctx use NAME')\n" {
		t.Errorf("current with none: exit %d %q %q", code, stdout, stderr)
	}
}

// TestCtxImportFromStdin: `ssh bus cat k3s.yaml | fogctl ctx import - --name bus-21 --server HOST`.
func TestCtxImportFromStdin(t *testing.T) {
	env := newCtxEnv(t)
	k3s, err := os.ReadFile("../../testdata/kubeconfig/k3s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ios, in, _, errOut := cmdutil.Test()
	in.Write(k3s)
	f := &cmdutil.Factory{
		IOStreams:  ios,
		Now:        time.Now,
		StateDir:   func() (string, error) { return env.stateDir, nil },
		ConfigDir:  func() (string, error) { return env.configDir, nil },
		Executable: os.Executable,
	}
	if code := cmd.Run(context.Background(), f, []string{"ctx", "import", "-", "--name", "bus-21", "--server", "10.147.17.31"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	stdout, _ := env.ok(t, "ctx", "list", "--contexts", "bus-21")
	if want := "\tbus-21\thttps://10.147.17.31:6443\tbus-21\t\t\n"; stdout != want {
		t.Errorf("got %q want %q", stdout, want)
	}
}

// TestCtxRenameAndDeleteCarryLastSeen: `ctx status` remembers when each
// context was last reachable; a renamed context keeps its time and a
// deleted one leaves none behind.
func TestCtxRenameAndDeleteCarryLastSeen(t *testing.T) {
	env := newCtxEnv(t)
	seen, err := cluster.LoadSeen(env.stateDir)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 22, 21, 30, 0, 0, time.UTC)
	if err := seen.Record(context.Background(), []cluster.Result{{Context: "bus-17", Reachable: true}, {Context: "bus-18", Reachable: true}}, at); err != nil {
		t.Fatal(err)
	}
	env.ok(t, "ctx", "rename", "bus-17", "bus-017")
	env.ok(t, "ctx", "delete", "bus-18")
	after, err := cluster.LoadSeen(env.stateDir)
	if err != nil {
		t.Fatal(err)
	}
	if got := after.Get("bus-017"); !got.Equal(at) {
		t.Errorf("bus-017 last seen %v, want %v (carried over from bus-17)", got, at)
	}
	for _, gone := range []string{"bus-17", "bus-18"} {
		if got := after.Get(gone); !got.IsZero() {
			t.Errorf("%s still has a last-seen time %v", gone, got)
		}
	}
}
