package ctxcmd

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMachine is an operator's machine for the ctx tests, internal and
// external: a temporary HOME with the depot kubeconfig of
// testdata/kubeconfig/full.yaml in ~/.kube/config, empty state and config
// directories, and KUBECONFIG unset.
type TestMachine struct {
	Dir, Kubeconfig, StateDir, ConfigDir string
}

// NewTestMachine sets up a TestMachine for t.
func NewTestMachine(t *testing.T) TestMachine {
	t.Helper()
	dir := t.TempDir()
	m := TestMachine{
		Dir:        dir,
		Kubeconfig: filepath.Join(dir, ".kube", "config"),
		StateDir:   filepath.Join(dir, "state"),
		ConfigDir:  filepath.Join(dir, "config"),
	}
	for _, d := range []string{filepath.Dir(m.Kubeconfig), m.StateDir, m.ConfigDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile("../../testdata/kubeconfig/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(m.Kubeconfig, data, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", dir)
	t.Setenv("KUBECONFIG", "")
	return m
}
