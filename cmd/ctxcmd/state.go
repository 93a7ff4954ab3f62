package ctxcmd

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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
