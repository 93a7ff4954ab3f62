package safefile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// KubectlLockSuffix is appended to a kubeconfig's path to name the lock
// file that kubectl (client-go's clientcmd.ModifyConfig, its lockFile)
// creates with O_EXCL before it writes the file and removes afterwards:
// ~/.kube/config.lock. kubectl names it after the kubeconfig's path as
// listed (--kubeconfig, KUBECONFIG or ~/.kube/config), symlinks not
// followed; LockKubectl takes the one of the real file (RealPath) and, when
// the path is a symlink, the one beside the link too.
const KubectlLockSuffix = ".lock"

// kubectlLockMark starts what fogctl writes into a kubectl lock file it
// creates, before the holder line. kubectl's own are empty.
const kubectlLockMark = "fogctl-kubeconfig-lock "

// kubectlLockNew is appended to a kubectl lock file's name to name the
// file fogctl writes and then hard-links to it (createKubectlLock).
const kubectlLockNew = ".fogctl-new"

// Polling bounds of LockKubectl: an O_EXCL file cannot be waited on, so
// the waiter tries again, first after kubectlPollMin, doubling up to
// kubectlPollMax (kubectl holds its lock for milliseconds).
const (
	kubectlPollMin = 2 * time.Millisecond
	kubectlPollMax = 50 * time.Millisecond
)

// KubectlLockedError says that kubectl's lock file of a kubeconfig was
// still there when LockKubectl stopped waiting for it.
type KubectlLockedError struct {
	// Path is the kubeconfig the lock protects.
	Path string
	// Lock is the lock file, Path+KubectlLockSuffix.
	Lock string
	// Waited is how long LockKubectl waited.
	Waited time.Duration
}

func (e *KubectlLockedError) Error() string {
	return fmt.Sprintf("%s is locked by kubectl: waited %s for %s to go (kubectl leaves it behind when killed: if no kubectl is running, remove %s)",
		e.Path, e.Waited.Round(100*time.Millisecond), e.Lock, e.Lock)
}

// LockKubectl takes kubectl's lock of the kubeconfig path: it creates
// path+KubectlLockSuffix with O_EXCL and mode 0600, as kubectl does, so a
// kubectl that wants to write the file meanwhile fails ("file exists")
// instead of overwriting fogctl's change or having its own overwritten.
// The caller must hold Lock(path) already: fogctl processes queue fairly
// on that flock, and only one of them at a time comes here.
//
// While the lock file exists, LockKubectl tries again at short intervals
// for at most timeout (DefaultTimeout when 0) or until ctx ends, then
// returns a *KubectlLockedError. It never removes a lock file that
// kubectl or anyone else made: one that a killed kubectl left behind
// stays until the user removes it. The one exception is a lock file that
// fogctl made (it says so inside): as the caller holds fogctl's flock,
// and fogctl removes its lock file before it lets go of the flock, the
// fogctl that made it was killed, and it is removed at once.
//
// When path reaches its file through symlinks, LockKubectl takes the lock
// file of the real file (what a kubectl given the real path takes) and
// then the one beside path (what a kubectl given the link takes), both
// within one timeout; Lock, which the caller holds, is the real file's.
//
// The returned Unlock removes the lock files, unless they are no longer
// the ones LockKubectl created.
func LockKubectl(ctx context.Context, path string, timeout time.Duration) (Unlock, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	real, err := RealPath(path)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	start := time.Now()
	unlockReal, err := lockKubectl(ctx, real, timeout, nil)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil || abs == real || sameLockFile(abs, real) {
		return unlockReal, nil
	}
	unlockLink, err := lockKubectl(ctx, path, max(timeout-time.Since(start), time.Millisecond), nil)
	if errors.Is(err, fs.ErrPermission) {
		// No one may create a lock file beside the link: a kubectl given
		// the link cannot either, so it cannot write meanwhile.
		return unlockReal, nil
	}
	if err != nil {
		unlockReal()
		return nil, err
	}
	return func() { unlockLink(); unlockReal() }, nil
}

// sameLockFile reports whether the kubeconfigs link and real have one
// kubectl lock file: the same name in the same directory, reached through
// different paths (~/.kube a symlink to a directory). Taking the link's
// would find the real one's, just made, and take it for one a killed
// fogctl left.
func sameLockFile(link, real string) bool {
	if filepath.Base(link) != filepath.Base(real) {
		return false
	}
	a, err := os.Stat(filepath.Dir(link))
	if err != nil {
		return false
	}
	b, err := os.Stat(filepath.Dir(real))
	return err == nil && os.SameFile(a, b)
}

// reclaimed, if not nil, is called with each kubectl lock file that
// reclaimKubectlLock removes (tests watch it).
var reclaimed func(lockPath string)

// lockKubectl is LockKubectl; waiting, if not nil, is called once when
// the first attempt finds kubectl's lock file (tests wait on it).
func lockKubectl(ctx context.Context, path string, timeout time.Duration, waiting func()) (Unlock, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	lockPath := path + KubectlLockSuffix
	start := time.Now()
	deadline := start.Add(timeout)
	interval := kubectlPollMin
	content := kubectlLockMark + holderLine()
	for {
		st, err := createKubectlLock(lockPath, content)
		if err == nil {
			return kubectlUnlock(lockPath, st, content), nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		reclaimed, err := reclaimKubectlLock(lockPath)
		if err != nil {
			return nil, err // it names the lock file
		}
		if waiting != nil && !reclaimed {
			waiting()
			waiting = nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, &KubectlLockedError{Path: path, Lock: lockPath, Waited: time.Since(start)}
		}
		if reclaimed {
			continue
		}
		timer := time.NewTimer(min(interval, left))
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		}
		interval = min(2*interval, kubectlPollMax)
	}
}

// reclaimKubectlLock removes lockPath if a fogctl made it, which, under
// fogctl's flock, means a fogctl that was killed before it could remove it.
// It refuses (an error naming the file and its owner) a lock file that is
// a symbolic link, not a regular file or one with another hard link: no
// kubectl or fogctl makes those, and one planted in the user's directory
// must not have fogctl, run as root, read or write through it.
func reclaimKubectlLock(lockPath string) (bool, error) {
	data, err := readKubectlLock(lockPath)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil // gone meanwhile: try again at once
	}
	if errors.Is(err, fs.ErrPermission) {
		return false, nil // kubectl's are mode 0: not ours
	}
	if err != nil {
		return false, err
	}
	rest, ok := strings.CutPrefix(string(data), kubectlLockMark)
	if pid, _, _ := parseHolder(rest); !ok || pid <= 0 {
		return false, nil
	}
	if err := os.Remove(lockPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("remove %s, left by a fogctl that was killed: %w", lockPath, err)
	}
	if reclaimed != nil {
		reclaimed(lockPath)
	}
	return true, nil
}

// createKubectlLock creates lockPath with content in one step, as far
// as anyone else can see: content goes to a file of fogctl's own (its name
// is safe under the flock), which is then hard-linked to lockPath; like
// O_EXCL, link(2) fails if lockPath exists. A fogctl killed at any moment
// thus leaves no lock file or one that says it is fogctl's, never an empty
// one that would pass for kubectl's.
func createKubectlLock(lockPath, content string) (fs.FileInfo, error) {
	tmp := lockPath + kubectlLockNew
	// Whatever is there (a killed fogctl's, or a link someone planted)
	// goes: unlink(2) follows no link, and O_EXCL|O_NOFOLLOW creates a
	// file of fogctl's own or fails.
	_ = os.Remove(tmp)
	if err := writeNew(tmp, content); err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	err := os.Link(tmp, lockPath)
	if err == nil {
		return os.Lstat(lockPath)
	}
	if errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	// No hard links on this file system: O_EXCL, then the content.
	f, err := os.OpenFile(lockPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil {
		_, err = f.WriteString(content)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(lockPath)
		return nil, err
	}
	return st, nil
}

// kubectlUnlock returns the Unlock that removes the lock file st is,
// if it is still there and still says content.
func kubectlUnlock(lockPath string, st fs.FileInfo, content string) Unlock {
	done := false
	return func() {
		if done {
			return
		}
		done = true
		// Someone may have removed the lock file by hand and a kubectl
		// created its own since (perhaps on the same inode): that one is
		// not fogctl's to remove. kubectl's is empty; fogctl's says so.
		now, err := os.Lstat(lockPath)
		if err != nil || !os.SameFile(st, now) {
			return
		}
		if data, err := readKubectlLock(lockPath); err == nil && string(data) == content {
			_ = os.Remove(lockPath)
		}
	}
}
