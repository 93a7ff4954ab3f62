package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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
		if err := keepOwner(tmp, path, st, mode); err != nil {
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

// Warnings is where WriteFile says what it could not keep of a file it
// replaced (a non-root writer cannot give its new file another owner).
var Warnings io.Writer = os.Stderr

// keepOwner gives tmp, which replaces the file st describes (with mode),
// that file's owner and group, as kubectl keeps them (it writes in place):
// root editing a user's kubeconfig must not leave it root's, unreadable to
// the user; root failing to (root squashed on NFS, say) is an error.
//
// A writer that is not root keeps what it can: the group, when it is a
// member of it (or the directory is setgid), else its own group. The file
// is still replaced atomically (not rewritten in place, as kubectl does),
// and a warning on Warnings names what changed. When the group changes,
// the group permission bits are cut down to the other users' ones: the
// writer's group gets no access the file gave it before.
func keepOwner(tmp *os.File, path string, st fs.FileInfo, mode fs.FileMode) error {
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
	if isRoot() {
		if err := tmp.Chown(uid, gid); err != nil {
			return fmt.Errorf("write %s: root could not give the new file its owner and group %s:%s (%w): write it as its owner", path, userName(uid), groupName(gid), err)
		}
		return nil
	}
	var lost []string
	if tuid != uid {
		lost = append(lost, fmt.Sprintf("its owner %s becomes you (%s): only root may give a file to another user; kubectl, which rewrites it in place, keeps the owner",
			userName(uid), userName(tuid)))
	}
	if tgid != gid {
		if err := tmp.Chown(-1, gid); err == nil {
			tgid = gid
		}
	}
	if tgid != gid {
		msg := fmt.Sprintf("its group %s becomes %s, as you are not a member of %s", groupName(gid), groupName(tgid), groupName(gid))
		if g := mode & 0o070; g != 0 && g != (mode&0o007)<<3 {
			narrowed := mode&^0o070 | (mode&0o007)<<3
			if err := tmp.Chmod(narrowed); err != nil {
				return fmt.Errorf("write %s: %w", path, err)
			}
			msg += fmt.Sprintf(", and its mode %04o becomes %04o, so that group gets no access it did not have", mode, narrowed)
		}
		lost = append(lost, msg)
	}
	if len(lost) > 0 {
		fmt.Fprintf(Warnings, "warning: %s was replaced: %s\n", path, strings.Join(lost, "; "))
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
