//go:build !unix

package safefile

import (
	"io/fs"
	"os"
	"strconv"
)

func owner(fs.FileInfo) (uid, gid int, ok bool) { return 0, 0, false }

func isRoot() bool { return false }

func canWrite(string) (bool, error) { return true, nil }

func readKubectlLock(lockPath string) ([]byte, error) { return os.ReadFile(lockPath) }

func writeNew(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func userName(uid int) string { return "uid " + strconv.Itoa(uid) }

func groupName(gid int) string { return "gid " + strconv.Itoa(gid) }
