//go:build unix

package netcmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLockDirChoice: the lock directory is the first of /run/lock and
// /tmp that every user may write in and that is sticky, whoever runs
// fogctl; $FOGCTL_NET_LOCK_DIR overrides them, but not with a directory
// anyone may write in that is not sticky.
func TestLockDirChoice(t *testing.T) {
	base := t.TempDir()
	mk := func(name string, mode os.FileMode) string {
		d := filepath.Join(base, name)
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, mode); err != nil {
			t.Fatal(err)
		}
		return d
	}
	shared := mk("shared", 0o777|os.ModeSticky)
	private := mk("private", 0o755)
	open := mk("open", 0o777)
	saved := lockDirs
	t.Cleanup(func() { lockDirs = saved })
	t.Setenv(EnvLockDir, "")
	for _, tc := range []struct {
		dirs    []string
		env     string
		want    string
		wantErr string
	}{
		{dirs: []string{shared, private}, want: shared},
		{dirs: []string{private, shared}, want: shared},
		{dirs: []string{open, shared}, want: shared},
		{dirs: []string{filepath.Join(base, "none"), shared}, want: shared},
		{dirs: []string{private, open}, wantErr: "no directory for the network lock: " + private + " is not writable by every user; " + open + " is writable by every user but not sticky, so another user could replace the lock file (set $FOGCTL_NET_LOCK_DIR"},
		{dirs: []string{shared}, env: private, want: private},
		{dirs: []string{shared}, env: open, wantErr: "$FOGCTL_NET_LOCK_DIR: " + open + " is writable by every user but not sticky"},
	} {
		lockDirs = tc.dirs
		t.Setenv(EnvLockDir, tc.env)
		got, err := lockDir()
		if tc.wantErr != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
				t.Errorf("dirs %v env %q: got %q, %v; want error %q...", tc.dirs, tc.env, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("dirs %v env %q: got %q, %v; want %q", tc.dirs, tc.env, got, err, tc.want)
		}
	}
}
