//go:build linux

package ctxproc

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/fogctl/fogctl/cluster/kubeconfigtest"
)

// nobody is the user the owner tests give the kubeconfig to.
const nobody = 65534

// ownerHome is a directory tree everyone may enter, owned by nobody, with
// a copy of the fogctl binary nobody may run, a kubeconfig, and the
// environment of an operator whose home it is.
type ownerHome struct {
	dir, bin, kubeconfig string
	env                  []string
}

func newOwnerHome(t *testing.T, mode os.FileMode) *ownerHome {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: it gives files to uid 65534 and runs fogctl as both")
	}
	base, err := os.MkdirTemp("", "fogctl-owner-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	h := &ownerHome{dir: filepath.Join(base, "home"), bin: filepath.Join(base, "fogctl")}
	h.kubeconfig = filepath.Join(h.dir, ".kube", "config")
	src, err := os.Open(fogctlBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(h.bin, os.O_WRONLY|os.O_CREATE, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	dst.Close()
	for _, d := range []string{h.dir, filepath.Dir(h.kubeconfig), filepath.Join(h.dir, "state"), filepath.Join(h.dir, "config")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(d, nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(h.kubeconfig, kubeconfigtest.Fleet(3), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(h.kubeconfig, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(h.kubeconfig, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	h.env = []string{
		"HOME=" + h.dir, "PATH=" + os.Getenv("PATH"), "NO_COLOR=1",
		"XDG_STATE_HOME=" + filepath.Join(h.dir, "state"),
		"XDG_CONFIG_HOME=" + filepath.Join(h.dir, "config"),
		"KUBECONFIG=" + h.kubeconfig,
	}
	return h
}

// run runs bin (fogctl when "") with args as uid (0 for root).
func (h *ownerHome) run(uid int, bin string, args ...string) (string, error) {
	if bin == "" {
		bin = h.bin
	}
	c := exec.Command(bin, args...)
	c.Env = h.env
	c.Dir = h.dir
	if uid == 0 {
		// root, as with sudo: its own home and state, the user's file.
		root := filepath.Join(filepath.Dir(h.dir), "root")
		c.Env = []string{"HOME=" + root, "PATH=" + os.Getenv("PATH"), "NO_COLOR=1", "KUBECONFIG=" + h.kubeconfig}
	} else {
		c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	}
	out, err := c.CombinedOutput()
	return string(out), err
}

func ownerOf(t *testing.T, path string) (uid, gid uint32, mode os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return st.Uid, st.Gid, fi.Mode().Perm()
}

// TestRootKeepsTheOwnersKubeconfigTheirs: fogctl run as root on a user's
// 0600 kubeconfig (owner nobody) keeps the owner, group and mode, as
// kubectl run as root does, and gives the lock file to the owner too: the
// user's own fogctl and kubectl go on writing it. Before, the file was
// left root:root and the user's kubectl got permission denied.
func TestRootKeepsTheOwnersKubeconfigTheirs(t *testing.T) {
	h := newOwnerHome(t, 0o600)
	if out, err := h.run(0, "", "ctx", "use", kubeconfigtest.Name(1)); err != nil {
		t.Fatalf("fogctl ctx use as root: %v\n%s", err, out)
	}
	for _, p := range []string{h.kubeconfig, h.kubeconfig + ".fogctl.bak", h.kubeconfig + ".fogctl.lock"} {
		if uid, gid, mode := ownerOf(t, p); uid != nobody || gid != nobody || mode != 0o600 {
			t.Errorf("%s after root's fogctl: %d:%d mode %04o, want %d:%d mode 0600", filepath.Base(p), uid, gid, mode, nobody, nobody)
		}
	}
	if out, err := h.run(nobody, "", "ctx", "use", kubeconfigtest.Name(2)); err != nil {
		t.Errorf("fogctl ctx use as the owner afterwards: %v\n%s", err, out)
	}
	if kubectl, err := exec.LookPath("kubectl"); err == nil {
		if out, err := h.run(nobody, kubectl, "config", "use-context", kubeconfigtest.Name(0)); err != nil {
			t.Errorf("kubectl config use-context as the owner afterwards: %v\n%s", err, out)
		}
	}
}

// TestReadOnlyKubeconfigRefused: the owner's fogctl refuses to rewrite a
// 0400 kubeconfig, naming the file and its mode, as kubectl refuses with
// permission denied (fogctl replaced it, as the rename needs only the
// directory). The file is left as it was.
func TestReadOnlyKubeconfigRefused(t *testing.T) {
	h := newOwnerHome(t, 0o400)
	before, _ := os.ReadFile(h.kubeconfig)
	if kubectl, err := exec.LookPath("kubectl"); err == nil {
		if out, err := h.run(nobody, kubectl, "config", "use-context", kubeconfigtest.Name(1)); err == nil || !strings.Contains(out, "permission denied") {
			t.Errorf("kubectl on the 0400 file: %v %s (the test assumes kubectl refuses)", err, out)
		}
	}
	out, err := h.run(nobody, "", "ctx", "use", kubeconfigtest.Name(1))
	want := h.kubeconfig + " is read-only for you (mode 0400)"
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(out, want) {
		t.Errorf("fogctl ctx use on a 0400 kubeconfig: %v\n%s\nwant exit 1 and %q", err, out, want)
	}
	if after, _ := os.ReadFile(h.kubeconfig); string(after) != string(before) {
		t.Errorf("the read-only kubeconfig was rewritten")
	}
	if uid, _, mode := ownerOf(t, h.kubeconfig); uid != nobody || mode != 0o400 {
		t.Errorf("owner %d mode %04o, want %d 0400", uid, mode, nobody)
	}
}
