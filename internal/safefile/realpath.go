package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// maxLinks bounds how many symlinks RealPath follows (Linux's own limit
// is 40).
const maxLinks = 40

// RealPath returns the absolute path of the file that path names once
// every symlink is followed, in the directories and at the end, even when
// the last link points to a file that does not exist yet (that file is
// where a write through the link lands). A path with nothing to follow is
// returned made absolute.
//
// Lock, LockKubectl and WriteFile use it, so that two processes that name
// one file through different links (~/.kube/config -> dotfiles/kubeconfig)
// lock the same lock file and write their temporary files and backup next
// to the same file.
func RealPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	for i := 0; i <= maxLinks; i++ {
		dir, base := filepath.Split(abs)
		realDir, err := filepath.EvalSymlinks(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return abs, nil // no directory yet: nothing to follow
		}
		if err != nil {
			return "", err
		}
		p := filepath.Join(realDir, base)
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return p, nil
		}
		target, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(realDir, target)
		}
		abs = target
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}
