package netcmd

import (
	"io/fs"
	"syscall"
	"testing"

	"github.com/fogctl/fogctl/netoverlay"
)

// TestTokenRemedy: what the error of a token found nowhere tells the user
// to do depends on why each place failed and on who runs fogctl: "run
// with sudo" only for a user who is not root and a file root can read.
func TestTokenRemedy(t *testing.T) {
	const home, service = "/home/op/.zeroTierOneAuthToken", "/var/lib/zerotier-one/authtoken.secret"
	missing := func(p string) *netoverlay.TokenError {
		return &netoverlay.TokenError{Path: p, Err: &fs.PathError{Op: "open", Path: p, Err: syscall.ENOENT}}
	}
	denied := func(p string) *netoverlay.TokenError {
		return &netoverlay.TokenError{Path: p, Err: &fs.PathError{Op: "open", Path: p, Err: syscall.EACCES}}
	}
	empty := &netoverlay.TokenError{Path: home, Err: netoverlay.ErrEmptyToken}
	notInstalled := "zerotier-one writes " + service + " when it first starts: is it installed and running on this machine? If its home is elsewhere, pass --token-file"
	for _, tc := range []struct {
		name  string
		tried []*netoverlay.TokenError
		root  bool
		want  string
	}{
		{"root, none there", []*netoverlay.TokenError{missing(home), missing(service)}, true, notInstalled},
		{"user, none there", []*netoverlay.TokenError{missing(home), missing(service)}, false, notInstalled},
		{"user, service's is root's", []*netoverlay.TokenError{missing(home), denied(service)}, false, "the service's token is readable by root only: run fogctl with sudo, or copy " + service + " to ~/.zeroTierOneAuthToken readable by you only (as zerotier-cli reads it), or pass --token-file"},
		{"root, denied all the same", []*netoverlay.TokenError{missing(home), denied(service)}, true, "root could not read it: check the file's permissions and any security policy, or pass --token-file"},
		{"an empty copy", []*netoverlay.TokenError{empty, missing(service)}, false, "write the token into the file, or pass --token-file"},
	} {
		if got := tokenRemedy(&netoverlay.TokenSearchError{Tried: tc.tried}, tc.root); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}
