package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/fogctl/fogctl/internal/safefile"
)

// SeenFileName is the name of the last-seen store in fogctl's state
// directory.
const SeenFileName = "seen.json"

// Seen is fogctl's record of when each context's API server last answered
// a probe, kept in the state directory as seen.json. Concurrent fogctl
// processes share it: every change locks the file, re-reads it and merges,
// keeping the later time of each context, then writes it atomically.
type Seen struct {
	path  string
	times map[string]time.Time
	// LockTimeout bounds how long a change waits for another holder (5s
	// when 0).
	LockTimeout time.Duration
}

// seenFile is the JSON form of seen.json.
type seenFile struct {
	Contexts map[string]time.Time `json:"contexts"`
}

// LoadSeen reads dir/seen.json; a missing file is an empty record. A file
// that does not parse gives an empty record and a *FileError naming it:
// last-seen times are a convenience, so callers may warn and go on, and
// the next Record replaces the file (keeping a backup).
func LoadSeen(dir string) (*Seen, error) {
	s := &Seen{path: filepath.Join(dir, SeenFileName)}
	err := s.read()
	return s, err
}

// Path is the file the times are kept in.
func (s *Seen) Path() string { return s.path }

// Get returns when context was last seen, the zero time if never.
func (s *Seen) Get(context string) time.Time { return s.times[context] }

func (s *Seen) read() error {
	s.times = map[string]time.Time{}
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("last-seen times: %w", err)
	}
	var f seenFile
	if err := json.Unmarshal(data, &f); err != nil {
		return &FileError{File: s.path, Msg: fmt.Sprintf("not a last-seen file: %v", err)}
	}
	for name, t := range f.Contexts {
		s.times[name] = t
	}
	return nil
}

// Record stores now as the last-seen time of every reachable result.
func (s *Seen) Record(ctx context.Context, results []Result, now time.Time) error {
	now = now.UTC().Truncate(time.Second)
	return s.update(ctx, func(times map[string]time.Time) {
		for _, r := range results {
			if r.Reachable && now.After(times[r.Context]) {
				times[r.Context] = now
			}
		}
	})
}

// Rename moves the time of old to new, as `fogctl ctx rename` does with
// the context.
func (s *Seen) Rename(ctx context.Context, old, new string) error {
	return s.update(ctx, func(times map[string]time.Time) {
		if t, ok := times[old]; ok {
			delete(times, old)
			times[new] = t
		}
	})
}

// Forget drops the time of name, as `fogctl ctx delete` does with the
// context.
func (s *Seen) Forget(ctx context.Context, name string) error {
	return s.update(ctx, func(times map[string]time.Time) { delete(times, name) })
}

// update locks the file, re-reads it, applies fn and writes the file when
// fn changed something. s reflects the result.
func (s *Seen) update(ctx context.Context, fn func(map[string]time.Time)) error {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("last-seen times: %w", err)
	}
	unlock, err := safefile.Lock(ctx, s.path, s.LockTimeout)
	if err != nil {
		return fmt.Errorf("last-seen times: %w", err)
	}
	defer unlock()
	readErr := s.read() // a broken file is replaced; safefile keeps it as the backup
	before, _ := marshalSeen(s.times)
	fn(s.times)
	after, err := marshalSeen(s.times)
	if err != nil {
		return err
	}
	if readErr == nil && bytes.Equal(before, after) {
		return nil
	}
	if err := safefile.WriteFile(s.path, after, 0o600); err != nil {
		return fmt.Errorf("last-seen times: %w", err)
	}
	return nil
}

func marshalSeen(times map[string]time.Time) ([]byte, error) {
	data, err := json.MarshalIndent(seenFile{Contexts: times}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
