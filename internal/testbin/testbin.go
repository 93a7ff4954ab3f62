// Package testbin gives tests the real fogctl binary, to run as an operator
// or cron would: built once per test process, as `make build` builds it
// (static, trimmed and stripped), or taken from FOGCTL_TEST_BIN when scripts/test.sh
// has built it once for every package.
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// env is the environment the test process started with: tests move HOME
// with t.Setenv, and the go command must keep finding its build cache.
var env = os.Environ()

var (
	once     sync.Once
	path     string
	buildErr error
	tmpDir   string
)

// Fogctl returns the path of the fogctl binary, building it on first use.
func Fogctl(tb testing.TB) string {
	tb.Helper()
	p, err := build()
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func build() (string, error) {
	once.Do(func() {
		if p := os.Getenv("FOGCTL_TEST_BIN"); p != "" {
			if _, err := os.Stat(p); err != nil {
				buildErr = fmt.Errorf("FOGCTL_TEST_BIN: %w", err)
			}
			path = p
			return
		}
		dir, err := os.MkdirTemp("", "fogctl-testbin-")
		if err != nil {
			buildErr = err
			return
		}
		tmpDir = dir
		path = filepath.Join(dir, "fogctl")
		c := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", path, "github.com/fogctl/fogctl")
		c.Env = append(env, "CGO_ENABLED=0") // static, as `make build` builds it
		out, err := c.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build fogctl: %v\n%s", err, out)
		}
	})
	return path, buildErr
}

// Main runs the package's tests, then removes a binary it built. Use it as
// `func TestMain(m *testing.M) { testbin.Main(m) }`.
func Main(m *testing.M) {
	code := m.Run()
	if tmpDir != "" {
		os.RemoveAll(tmpDir)
	}
	os.Exit(code)
}
