package ctxcmd

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// The ctx commands that edit the kubeconfig and kubectl's lock file
// (<file>.lock, see cluster.Update). They run with the real command code
// and a lock timeout of 50ms instead of the default 5s.

// kubectlLockEnv is an operator's machine with the depot kubeconfig in
// ~/.kube/config.
type kubectlLockEnv struct {
	dir, kubeconfig string
	f               *cmdutil.Factory
}

func newKubectlLockEnv(t *testing.T) *kubectlLockEnv {
	t.Helper()
	m := NewTestMachine(t)
	dir := m.Dir
	env := &kubectlLockEnv{dir: dir, kubeconfig: m.Kubeconfig}
	k3s, err := os.ReadFile("../../testdata/kubeconfig/k3s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "k3s.yaml"), k3s, 0o600); err != nil {
		t.Fatal(err)
	}
	io, _, _, _ := cmdutil.Test()
	env.f = &cmdutil.Factory{
		IOStreams:  io,
		Version:    "test",
		Now:        func() time.Time { return statusNow },
		HTTPClient: func() (*http.Client, error) { return nil, errors.New("no network in ctx tests") },
		StateDir:   func() (string, error) { return m.StateDir, nil },
		ConfigDir:  func() (string, error) { return m.ConfigDir, nil },
		Executable: os.Executable,
	}
	return env
}

// shortLock makes the loaded kubeconfig wait 50ms for a lock.
func shortLock(load func() (*cluster.Kubeconfig, error)) func() (*cluster.Kubeconfig, error) {
	return func() (*cluster.Kubeconfig, error) {
		k, err := load()
		if k != nil {
			k.LockTimeout = 50 * time.Millisecond
		}
		return k, err
	}
}

// kubeconfigEdits builds each editing ctx command with its real run
// function and a short lock timeout.
var kubeconfigEdits = []struct {
	name  string
	build func(f *cmdutil.Factory) *cobra.Command
	args  []string
	// verb is how the command's errors start, if it says more.
	verb string
}{
	{"use", func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdUse(f, func(o *UseOptions) error { o.Kubeconfig = shortLock(o.Kubeconfig); return useRun(o) })
	}, []string{"bus-18"}, `switch to "bus-18": `},
	{"rename", func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdRename(f, func(o *RenameOptions) error { o.Kubeconfig = shortLock(o.Kubeconfig); return renameRun(o) })
	}, []string{"bus-17", "bus-17b"}, `rename "bus-17": `},
	{"delete", func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdDelete(f, func(o *DeleteOptions) error { o.Kubeconfig = shortLock(o.Kubeconfig); return deleteRun(o) })
	}, []string{"bus-18"}, ""},
	{"ns", func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdNs(f, func(o *NsOptions) error { o.Kubeconfig = shortLock(o.Kubeconfig); return nsRun(o) })
	}, []string{"fleet", "--context", "bus-17"}, `set the namespace of "bus-17": `},
	{"import", func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdImport(f, func(o *ImportOptions) error { o.Kubeconfig = shortLock(o.Kubeconfig); return importRun(o) })
	}, []string{"$DIR/k3s.yaml", "--name", "bus-19"}, ""},
	{"merge", func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdMerge(f, func(o *MergeOptions) error { o.Kubeconfig = shortLock(o.Kubeconfig); return mergeRun(o) })
	}, []string{"$DIR/k3s.yaml"}, ""},
}

// runEdit runs one editing command and returns its error.
func (env *kubectlLockEnv) runEdit(t *testing.T, build func(*cmdutil.Factory) *cobra.Command, args []string) error {
	t.Helper()
	c := build(env.f)
	var argv []string
	for _, a := range args {
		argv = append(argv, strings.ReplaceAll(a, "$DIR", env.dir))
	}
	c.SetArgs(argv)
	c.SetOut(env.f.IOStreams.Out)
	c.SetErr(env.f.IOStreams.ErrOut)
	c.SilenceUsage, c.SilenceErrors = true, true
	return c.ExecuteContext(context.Background())
}

type kubectlFileState struct {
	data    string
	modTime time.Time
}

func kubectlStateOf(t *testing.T, path string) kubectlFileState {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return kubectlFileState{string(data), st.ModTime()}
}

var waitedRE = regexp.MustCompile(`waited [0-9.]+m?s `)

// TestCtxEditsStaleKubectlLock: with a ~/.kube/config.lock that a killed
// kubectl left behind, every editing ctx command fails after the lock
// timeout with one line that names the file to remove, and exits 1 as a
// held fogctl lock does; the kubeconfig and the lock file stay as they
// were.
func TestCtxEditsStaleKubectlLock(t *testing.T) {
	for _, c := range kubeconfigEdits {
		t.Run(c.name, func(t *testing.T) {
			env := newKubectlLockEnv(t)
			lp := env.kubeconfig + ".lock"
			lf, err := os.OpenFile(lp, os.O_CREATE|os.O_EXCL, 0)
			if err != nil {
				t.Fatal(err)
			}
			_ = lf.Close()
			kubeBefore, lockBefore := kubectlStateOf(t, env.kubeconfig), kubectlStateOf(t, lp)

			err = env.runEdit(t, c.build, c.args)
			if err == nil {
				t.Fatal("the command succeeded with a stale kubectl lock file")
			}
			want := strings.ReplaceAll(c.verb, "$DIR", env.dir) + "kubeconfig " + env.kubeconfig + " is locked by kubectl: waited 100ms for " + lp + " to go (kubectl leaves it behind when killed: if no kubectl is running, remove " + lp + ")"
			if got := waitedRE.ReplaceAllString(err.Error(), "waited 100ms "); got != want {
				t.Errorf("error:\n got %s\nwant %s", got, want)
			}
			// cmd/exit.go: exit 2 for these two, 130 for a cancelled
			// context, 1 (as a fogctl lock that timed out) for the rest.
			var flagErr *cmdutil.FlagError
			var exitErr *cmdutil.ExitError
			if errors.As(err, &flagErr) || errors.As(err, &exitErr) || errors.Is(err, context.Canceled) {
				t.Errorf("error %T would not exit 1", err)
			}
			if got := kubectlStateOf(t, env.kubeconfig); got != kubeBefore {
				t.Errorf("the kubeconfig was written:\n%s", got.data)
			}
			if got := kubectlStateOf(t, lp); got != lockBefore {
				t.Errorf("the stale lock file was touched: %+v", got)
			}
			if out := env.f.IOStreams.Out.(interface{ String() string }).String(); out != "" {
				t.Errorf("stdout: %q, want nothing", out)
			}
		})
	}
}

// TestCtxEditsLeaveNoKubectlLock: an editing ctx command that succeeds,
// or fails on what it was asked, leaves no ~/.kube/config.lock.
func TestCtxEditsLeaveNoKubectlLock(t *testing.T) {
	for _, c := range kubeconfigEdits {
		t.Run(c.name, func(t *testing.T) {
			env := newKubectlLockEnv(t)
			if err := env.runEdit(t, c.build, c.args); err != nil {
				t.Fatalf("first run: %v", err)
			}
			if _, err := os.Lstat(env.kubeconfig + ".lock"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("after success: %v, want no lock file", err)
			}
			// The second run fails (the context is gone, already exists,
			// or differs) or changes nothing.
			_ = env.runEdit(t, c.build, c.args)
			if _, err := os.Lstat(env.kubeconfig + ".lock"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("after a second run: %v, want no lock file", err)
			}
		})
	}
}
