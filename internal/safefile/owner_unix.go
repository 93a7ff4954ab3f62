//go:build unix

package safefile

import (
	"errors"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// owner returns the user and group that own fi.
func owner(fi fs.FileInfo) (uid, gid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(st.Uid), int(st.Gid), true
}

// isRoot reports whether fogctl runs as root, which writes any file and
// can give what it creates to another user.
func isRoot() bool { return os.Geteuid() == 0 }

// canWrite reports whether this process may open path for writing, as
// kubectl does when it writes a kubeconfig (access(2), so root may write
// a read-only file, as kubectl run as root does).
func canWrite(path string) (bool, error) {
	err := syscall.Access(path, 0x2) // W_OK
	if err == nil {
		return true, nil
	}
	if errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM) {
		return false, nil
	}
	if errors.Is(err, syscall.EROFS) {
		return false, nil
	}
	return false, err
}

// userName is UserName of an int uid.
func userName(uid int) string { return UserName(uint32(uid)) }

// groupName is a group's name with its gid, or the gid alone.
func groupName(gid int) string {
	id := strconv.Itoa(gid)
	if g, err := user.LookupGroupId(id); err == nil && g.Name != "" {
		return g.Name + " (gid " + id + ")"
	}
	return "gid " + id
}
