package ctxcmd

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fogctl/fogctl/internal/safefile"
)

// previousFile holds the context that was current before the last switch.
const previousFile = "previous-context"

func readPrevious(stateDir func() (string, error)) (string, error) {
	dir, err := stateDir()
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(filepath.Join(dir, previousFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return strings.TrimSpace(string(data)), err
}

// forgetPrevious removes the previous context when it is one of names
// (deleted contexts): 'fogctl ctx use -' then says there is none, rather
// than naming a context that no longer exists.
func forgetPrevious(stateDir func() (string, error), names []string) error {
	prev, err := readPrevious(stateDir)
	if err != nil || prev == "" || !slices.Contains(names, prev) {
		return err
	}
	dir, err := stateDir()
	if err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(dir, previousFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func writePrevious(stateDir func() (string, error), name string) error {
	dir, err := stateDir()
	if err != nil {
		return err
	}
	p := filepath.Join(dir, previousFile)
	if old, err := os.ReadFile(p); err == nil && strings.TrimSpace(string(old)) == name {
		return nil
	}
	return safefile.WriteFile(p, []byte(name+"\n"), 0o600)
}
