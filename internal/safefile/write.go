package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// BackupSuffix names the one backup WriteFile keeps of a file's previous
// version: ~/.kube/config becomes ~/.kube/config.fogctl.bak.
const BackupSuffix = ".fogctl.bak"

// WriteFile replaces path with data so that a reader, or a crash at any
// moment, sees either the old content or the new, never a mix: the data
// goes to a temporary file in the same directory with the mode of the
// existing file (perm when path does not exist yet, 0600 when perm is 0),
// is synced, renamed over path, and the directory is synced. The previous
// version, if any, is kept as path+BackupSuffix with the same mode.
//
// A symlink at path is followed (RealPath): its target is replaced, the
// link stays, and the temporary file and the backup are next to the
// target.
// WriteFile does not lock: hold Lock around the read-modify-write.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	if perm == 0 {
		perm = 0o600
	}
	target, err := resolve(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(target)
	mode := perm
	existed := false
	if st, err := os.Stat(target); err == nil {
		if !st.Mode().IsRegular() {
			return fmt.Errorf("write %s: not a regular file", path)
		}
		mode = st.Mode().Perm()
		existed = true
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".fogctl-tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmpName := tmp.Name()
	cleanup := func() { _ = os.Remove(tmpName) }
	if err := tmp.Chmod(mode); err != nil {
		_ = tmp.Close()
		cleanup()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		cleanup()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		cleanup()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		cleanup()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if existed {
		if err := backup(target); err != nil {
			cleanup()
			return fmt.Errorf("back up %s: %w", path, err)
		}
	}
	if err := os.Rename(tmpName, target); err != nil {
		cleanup()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return syncDir(dir)
}

// resolve follows symlinks at path so that the link itself survives,
// also a link to a file that does not exist yet (RealPath).
func resolve(path string) (string, error) { return RealPath(path) }

// backup makes path+BackupSuffix the current content of path: a hard link
// when the file system allows it (the rename that follows leaves the old
// inode to the backup), else a copy. Either way the backup is replaced by
// a rename, so it is never half-written either.
func backup(path string) error {
	bak := path + BackupSuffix
	tmp := bak + ".tmp"
	_ = os.Remove(tmp)
	if err := os.Link(path, tmp); err != nil {
		if err := copyFile(path, tmp); err != nil {
			_ = os.Remove(tmp)
			return err
		}
	}
	if err := os.Rename(tmp, bak); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, st.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
