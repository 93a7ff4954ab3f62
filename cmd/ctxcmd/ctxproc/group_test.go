//go:build linux

package ctxproc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/fogctl/fogctl/cluster/kubeconfigtest"
)

// runAs runs fogctl (or bin) as uid with primary group gid and the
// supplementary groups groups, in h's environment.
func (h *ownerHome) runAs(uid, gid int, groups []uint32, bin string, args ...string) (stdout, stderr string, err error) {
	if bin == "" {
		bin = h.bin
	}
	c := exec.Command(bin, args...)
	c.Env = h.env
	c.Dir = h.dir
	c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: groups}}
	var out, errb strings.Builder
	c.Stdout, c.Stderr = &out, &errb
	err = c.Run()
	return out.String(), errb.String(), err
}

// TestNonRootWriterKeepsWhatItCan: a writer that is not root cannot give
// the file that replaces a kubeconfig another owner or a group it is not
// in. fogctl writes the file anyway, as kubectl does (commit edef650 made
// it refuse: "it would lose its owner 65534:0 ... write it as its owner or
// as root", to the owner itself), keeps the group when the writer is in it
// and says on stderr what it could not keep.
func TestNonRootWriterKeepsWhatItCan(t *testing.T) {
	const other = 4242 // a group nobody is made a member of in one case
	for _, tc := range []struct {
		name              string
		uid, gid          int // the kubeconfig's
		mode              os.FileMode
		dirGid            int
		setgid            bool
		groups            []uint32 // the writer's supplementary groups
		wantUID, wantGID  uint32
		wantMode          os.FileMode
		wantWarn, noWarn  string
		kubectlAlsoWrites bool
	}{
		{
			// The user's own file, group root: the user is the owner.
			name: "own file, foreign group", uid: nobody, gid: 0, mode: 0o640, dirGid: nobody,
			wantUID: nobody, wantGID: nobody, wantMode: 0o600,
			wantWarn:          "its group root (gid 0) becomes nogroup (gid 65534), as you are not a member of root (gid 0), and its mode 0640 becomes 0600",
			kubectlAlsoWrites: true,
		},
		{
			// A shared group-writable file of root's in a setgid
			// directory of the group, edited by a member.
			name: "shared file in a setgid dir", uid: 0, gid: nobody, mode: 0o660, dirGid: nobody, setgid: true,
			wantUID: nobody, wantGID: nobody, wantMode: 0o660,
			wantWarn: "its owner root (uid 0) becomes you (nobody (uid 65534))", noWarn: "group",
			kubectlAlsoWrites: true,
		},
		{
			// The user's own file, of a group the user is a member of.
			name: "own file, member of its group", uid: nobody, gid: other, mode: 0o640, dirGid: nobody,
			groups:  []uint32{other},
			wantUID: nobody, wantGID: other, wantMode: 0o640,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newOwnerHome(t, tc.mode)
			dir := filepath.Dir(h.kubeconfig)
			if err := os.Chown(h.kubeconfig, tc.uid, tc.gid); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(h.kubeconfig, tc.mode); err != nil {
				t.Fatal(err)
			}
			dirMode := os.FileMode(0o770)
			if tc.setgid {
				dirMode |= os.ModeSetgid
			}
			if err := os.Chown(dir, tc.uid, tc.dirGid); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, dirMode); err != nil {
				t.Fatal(err)
			}
			if tc.kubectlAlsoWrites {
				if kubectl, err := exec.LookPath("kubectl"); err == nil {
					if out, stderr, err := h.runAs(nobody, nobody, tc.groups, kubectl, "config", "use-context", kubeconfigtest.Name(2)); err != nil {
						t.Fatalf("kubectl config use-context as nobody: %v\n%s%s (the test assumes kubectl writes it)", err, out, stderr)
					}
				}
			}
			out, stderr, err := h.runAs(nobody, nobody, tc.groups, "", "ctx", "use", kubeconfigtest.Name(1))
			if err != nil {
				t.Fatalf("fogctl ctx use as nobody: %v\n%s%s", err, out, stderr)
			}
			if data, _ := os.ReadFile(h.kubeconfig); !strings.Contains(string(data), "current-context: "+kubeconfigtest.Name(1)) {
				t.Errorf("the kubeconfig was not switched:\n%s", data)
			}
			if uid, gid, mode := ownerOf(t, h.kubeconfig); uid != tc.wantUID || gid != tc.wantGID || mode != tc.wantMode {
				t.Errorf("kubeconfig now %d:%d mode %04o, want %d:%d mode %04o", uid, gid, mode, tc.wantUID, tc.wantGID, tc.wantMode)
			}
			switch {
			case tc.wantWarn == "" && strings.Contains(stderr, "warning"):
				t.Errorf("stderr: %q, want no warning", stderr)
			case tc.wantWarn != "" && (!strings.Contains(stderr, "warning: "+h.kubeconfig+" was replaced: ") || !strings.Contains(stderr, tc.wantWarn)):
				t.Errorf("stderr: %q, want a warning with %q", stderr, tc.wantWarn)
			case tc.noWarn != "" && strings.Contains(stderr, tc.noWarn):
				t.Errorf("stderr: %q, want no word of %q", stderr, tc.noWarn)
			}
			if strings.Contains(stderr, "lose its owner") {
				t.Errorf("stderr: %q", stderr)
			}
		})
	}
}
