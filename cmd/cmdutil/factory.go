package cmdutil

import (
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// Factory holds what commands depend on. Each dependency is a func so that
// nothing is built before a command asks for it (start-up counts), and so
// tests can put their own in.
type Factory struct {
	IOStreams *IOStreams
	// Version is fogctl's version, set at build time.
	Version string
	// Now is the clock.
	Now func() time.Time
	// HTTPClient returns the client for plain HTTP calls (workflows, probes).
	HTTPClient func() (*http.Client, error)
	// StateDir is fogctl's durable state: runs, last-seen times, the
	// previous context. It is created 0700 on first use.
	StateDir func() (string, error)
	// ConfigDir holds fogctl's own configuration: the fleet file.
	ConfigDir func() (string, error)
	// Executable is the path of the running fogctl binary.
	Executable func() (string, error)
	// SignalsReady returns once SIGINT and SIGTERM cancel the command's
	// context instead of ending the process. Main registers them on a
	// goroutine of its own, beside the command (os/signal's first
	// registration takes about 0.2 ms, which every command would wait
	// for); a command waits here before it starts what a signal must
	// stop cleanly, such as a run's nodes. Nil when there is nothing to
	// wait for (tests). Use WaitSignals.
	SignalsReady func()
}

// WaitSignals returns once SIGINT and SIGTERM cancel the command's context
// (see SignalsReady).
func (f *Factory) WaitSignals() {
	if f != nil && f.SignalsReady != nil {
		f.SignalsReady()
	}
}

// New returns the Factory of a real process.
func New(version string) *Factory {
	return &Factory{
		IOStreams:  System(),
		Version:    version,
		Now:        time.Now,
		HTTPClient: func() (*http.Client, error) { return &http.Client{}, nil },
		StateDir:   func() (string, error) { return xdgDir("XDG_STATE_HOME", ".local/state") },
		ConfigDir:  func() (string, error) { return xdgDir("XDG_CONFIG_HOME", ".config") },
		Executable: os.Executable,
	}
}

// xdgDir returns $ENV/fogctl, or $HOME/fallback/fogctl, creating it 0700.
func xdgDir(env, fallback string) (string, error) {
	base := os.Getenv(env)
	if base == "" || !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		base = filepath.Join(home, fallback)
	}
	dir := filepath.Join(base, "fogctl")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return dir, nil
}
