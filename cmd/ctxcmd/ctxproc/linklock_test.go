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

// TestRootRefusesLinksPlantedAtLockFiles: the owner of ~/.kube plants a
// symbolic link or a hard link to a file of root's at config.fogctl.lock
// or at kubectl's config.lock; root's fogctl ctx use exits 1 naming the
// link and leaves the file linked to byte for byte as it was, with its
// mode and owner, and the kubeconfig unchanged. Before, root's fogctl
// followed the symlink at config.fogctl.lock: it wrote its PID line there
// and left the file empty (exit 0).
func TestRootRefusesLinksPlantedAtLockFiles(t *testing.T) {
	for _, tc := range []struct {
		name, suffix string
		symlink      bool
		want         string
	}{
		{"fogctl lock symlink", ".fogctl.lock", true, "it is a symbolic link"},
		{"fogctl lock hard link", ".fogctl.lock", false, "it has 2 hard links"},
		{"kubectl lock symlink", ".lock", true, "it is a symbolic link"},
		{"kubectl lock hard link", ".lock", false, "it has 2 hard links"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newOwnerHome(t, 0o600)
			victim := filepath.Join(filepath.Dir(h.dir), "root-secret")
			const content = "root's data\n"
			if err := os.WriteFile(victim, []byte(content), 0o640); err != nil {
				t.Fatal(err)
			}
			link := h.kubeconfig + tc.suffix
			if tc.symlink {
				if err := os.Symlink(victim, link); err != nil {
					t.Fatal(err)
				}
				if err := os.Lchown(link, nobody, nobody); err != nil {
					t.Fatal(err)
				}
			} else if err := os.Link(victim, link); err != nil {
				t.Fatal(err)
			}
			kubeconfig, _ := os.ReadFile(h.kubeconfig)
			out, err := h.run(0, "", "ctx", "use", kubeconfigtest.Name(1))
			wantMsg := link + ": " + tc.want
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(out, wantMsg) {
				t.Errorf("root's fogctl ctx use: %v\n%s\nwant exit 1 and %q", err, out, wantMsg)
			}
			if tc.symlink && !strings.Contains(out, "owned by nobody (uid 65534)") {
				t.Errorf("the message does not name the link's owner: %s", out)
			}
			data, _ := os.ReadFile(victim)
			fi, err := os.Stat(victim)
			if err != nil {
				t.Fatal(err)
			}
			st := fi.Sys().(*syscall.Stat_t)
			if string(data) != content || fi.Mode().Perm() != 0o640 || st.Uid != 0 || st.Gid != 0 {
				t.Errorf("root's file: %q mode %04o %d:%d, want %q mode 0640 0:0", data, fi.Mode().Perm(), st.Uid, st.Gid, content)
			}
			if after, _ := os.ReadFile(h.kubeconfig); string(after) != string(kubeconfig) {
				t.Errorf("the kubeconfig was written although a lock was refused")
			}
		})
	}
}
