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
	var st fs.FileInfo
	if st, err = os.Stat(target); err == nil {
		if !st.Mode().IsRegular() {
			return fmt.Errorf("write %s: not a regular file", path)
		}
		if err := checkWritable(path, target, st); err != nil {
			return err
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
	if existed {
		if err := keepOwner(tmp, path, st); err != nil {
			_ = tmp.Close()
			cleanup()
			return err
		}
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

// CheckWritable returns an error when path exists and this process may
// not write it (as kubectl may not: a read-only kubeconfig of the user's
// own is refused by kubectl with permission denied), naming the file and
// its mode; nil when it may, or when path does not exist yet. WriteFile
// checks it too; callers that write several files check them all first.
func CheckWritable(path string) error {
	target, err := resolve(path)
	if err != nil {
		return err
	}
	st, err := os.Stat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return checkWritable(path, target, st)
}

func checkWritable(path, target string, st fs.FileInfo) error {
	ok, err := canWrite(target)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if ok {
		return nil
	}
	return fmt.Errorf("%s is read-only for you (mode %04o): kubectl cannot write it either; make it writable (chmod u+w %s) or write another file (--kubeconfig)",
		path, st.Mode().Perm(), path)
}

// keepOwner gives tmp, which replaces the file st describes, that file's
// owner and group, as kubectl keeps them (it writes in place): root
// editing a user's kubeconfig must not leave it root's, unreadable to the
// user. A process that may not (not root, another owner) gets an error.
func keepOwner(tmp *os.File, path string, st fs.FileInfo) error {
	uid, gid, ok := owner(st)
	if !ok {
		return nil
	}
	now, err := tmp.Stat()
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tuid, tgid, _ := owner(now)
	if tuid == uid && tgid == gid {
		return nil
	}
	if err := tmp.Chown(uid, gid); err != nil {
		return fmt.Errorf("write %s: it would lose its owner %d:%d (%v); write it as its owner or as root", path, uid, gid, err)
	}
	return nil
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
	if uid, gid, ok := owner(st); ok && isRoot() {
		_ = out.Chown(uid, gid) // the backup is the owner's as the file is
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
