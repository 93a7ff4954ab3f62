//go:build unix

package safefile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// readKubectlLock reads the kubectl lock file lockPath without following
// a symbolic link or blocking on a FIFO. A lock file that is a symbolic
// link, not a regular file, or has another hard link is an error naming it
// and its owner (fs.ErrNotExist and fs.ErrPermission pass through). One
// hard link more is allowed when it is fogctl's own file that a killed
// fogctl left beside it (createKubectlLock's): that one is removed.
func readKubectlLock(lockPath string) ([]byte, error) {
	fd, err := syscall.Open(lockPath, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if errors.Is(err, syscall.ELOOP) {
		var st syscall.Stat_t
		if syscall.Lstat(lockPath, &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFLNK {
			return nil, fmt.Errorf("lock %s: it is a symbolic link, which neither kubectl nor fogctl makes (%s): remove it", lockPath, OwnerOf(st.Uid))
		}
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: lockPath, Err: err}
	}
	f := os.NewFile(uintptr(fd), lockPath)
	defer f.Close()
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("lock %s: %w", lockPath, err)
	}
	if st.Mode&syscall.S_IFMT == syscall.S_IFREG && st.Nlink == 2 {
		var tst syscall.Stat_t
		tmp := lockPath + kubectlLockNew
		if syscall.Lstat(tmp, &tst) == nil && tst.Dev == st.Dev && tst.Ino == st.Ino {
			_ = os.Remove(tmp)
			if err := syscall.Fstat(fd, &st); err != nil {
				return nil, fmt.Errorf("lock %s: %w", lockPath, err)
			}
		}
	}
	if err := checkLockStat(lockPath, &st); err != nil {
		return nil, err
	}
	buf := make([]byte, 512)
	n, err := f.ReadAt(buf, 0)
	if n == 0 && err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("lock %s: %w", lockPath, err)
	}
	return buf[:n], nil
}

// writeNew creates path (mode 0600) with content, failing if anything
// is there, a symbolic link included.
func writeNew(path, content string) error {
	fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	_, err = f.WriteString(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
