package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fogctl/fogctl/internal/safefile"
	"github.com/fogctl/fogctl/internal/yamlline"
	"go.yaml.in/yaml/v3"
)

// FleetFileName is the name of the fleet file in fogctl's config directory.
const FleetFileName = "fleet.yaml"

// Fleet is fogctl's own file of per-context data that does not belong in
// a kubeconfig: labels, and the ZeroTier member id, network id and overlay
// IP of the context's node. Entries are keyed by kubeconfig context name.
type Fleet struct {
	path    string
	entries map[string]*FleetEntry
	// LockTimeout bounds how long edits wait for another holder (5s when 0).
	LockTimeout time.Duration
}

// FleetEntry is what fogctl keeps about one context.
type FleetEntry struct {
	Labels    map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
	NetworkID string            `yaml:"networkId,omitempty" json:"networkId,omitempty"`
	MemberID  string            `yaml:"memberId,omitempty" json:"memberId,omitempty"`
	OverlayIP string            `yaml:"overlayIP,omitempty" json:"overlayIP,omitempty"`
}

func (e *FleetEntry) empty() bool {
	return len(e.Labels) == 0 && e.NetworkID == "" && e.MemberID == "" && e.OverlayIP == ""
}

func (e FleetEntry) clone() FleetEntry {
	c := e
	if e.Labels != nil {
		c.Labels = make(map[string]string, len(e.Labels))
		for k, v := range e.Labels {
			c.Labels[k] = v
		}
	}
	return c
}

type fleetFile struct {
	Contexts map[string]*FleetEntry `yaml:"contexts"`
}

const fleetHeader = "# fogctl fleet file: labels and overlay data per kubeconfig context.\n# Edited by 'fogctl ctx label' and 'fogctl net'; safe to edit by hand.\n"

// LoadFleet reads dir/fleet.yaml. A missing file is an empty fleet.
func LoadFleet(dir string) (*Fleet, error) {
	fl := &Fleet{path: filepath.Join(dir, FleetFileName)}
	if err := fl.read(); err != nil {
		return nil, err
	}
	return fl, nil
}

func (fl *Fleet) read() error {
	fl.entries = map[string]*FleetEntry{}
	data, err := os.ReadFile(fl.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read fleet file: %w", err)
	}
	var ff fleetFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&ff); err != nil && !errors.Is(err, errEOF) {
		return fleetYAMLError(fl.path, data, err)
	}
	for name, e := range ff.Contexts {
		if e == nil {
			e = &FleetEntry{}
		}
		fl.entries[name] = e
	}
	return nil
}

// fleetYAMLError is a *FileError naming the line of the fleet file a
// yaml.v3 error is about, which is not always the line yaml.v3 names.
//
// A type error ("cannot unmarshal", an unknown field, a key defined
// twice) carries the right line in each of its entries: the first gives
// the line, and the entries lose their own "line N: " (it was printed
// twice). A syntax error's line is the one yamlline.ProblemLine finds.
func fleetYAMLError(path string, data []byte, err error) *FileError {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		line := 0
		msgs := make([]string, len(te.Errors))
		for i, e := range te.Errors {
			n, msg := 0, e
			if rest, ok := strings.CutPrefix(e, "line "); ok {
				if num, m, ok := strings.Cut(rest, ": "); ok {
					if _, serr := fmt.Sscanf(num, "%d", &n); serr == nil {
						msg = m
					}
				}
			}
			if i == 0 {
				line = n
			} else if n > 0 {
				msg = fmt.Sprintf("line %d: %s", n, msg)
			}
			msgs[i] = msg
		}
		return &FileError{File: path, Line: line, Msg: strings.Join(msgs, "; ")}
	}
	msg := strings.TrimPrefix(yamlErrMsg(err), "does not parse as YAML: ")
	return &FileError{File: path, Line: syntaxErrorLine(data, yamlErrLine(err), msg), Msg: msg}
}

// Path is the fleet file's path.
func (fl *Fleet) Path() string { return fl.path }

// Entry returns a copy of the entry of a context (empty if none).
func (fl *Fleet) Entry(name string) FleetEntry {
	if e, ok := fl.entries[name]; ok {
		return e.clone()
	}
	return FleetEntry{}
}

// Names returns the contexts that have an entry, sorted.
func (fl *Fleet) Names() []string {
	out := make([]string, 0, len(fl.entries))
	for n := range fl.entries {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// LabelKeys returns every label key in use, sorted (for completion).
func (fl *Fleet) LabelKeys() []string {
	seen := map[string]bool{}
	for _, e := range fl.entries {
		for k := range e.Labels {
			seen[k] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Update locks the fleet file, re-reads it, lets fn change the entries
// (add, change or delete keys of the map) and writes the file if anything
// changed. Entries left empty are dropped. fl reflects the result.
func (fl *Fleet) Update(ctx context.Context, fn func(entries map[string]*FleetEntry) error) error {
	if err := os.MkdirAll(filepath.Dir(fl.path), 0o700); err != nil {
		return fmt.Errorf("fleet file: %w", err)
	}
	unlock, err := safefile.Lock(ctx, fl.path, fl.LockTimeout)
	if err != nil {
		return fmt.Errorf("fleet file %w", err)
	}
	defer unlock()
	if err := fl.read(); err != nil {
		return err
	}
	before, _ := fl.marshal()
	if err := fn(fl.entries); err != nil {
		_ = fl.read()
		return err
	}
	for n, e := range fl.entries {
		if e == nil || e.empty() {
			delete(fl.entries, n)
		}
	}
	after, err := fl.marshal()
	if err != nil {
		return err
	}
	if bytes.Equal(before, after) {
		if _, err := os.Stat(fl.path); err == nil || len(fl.entries) == 0 {
			return nil
		}
	}
	return safefile.WriteFile(fl.path, after, 0o600)
}

// UpdateEntry is Update for one context's entry.
func (fl *Fleet) UpdateEntry(ctx context.Context, name string, fn func(e *FleetEntry) error) error {
	return fl.Update(ctx, func(entries map[string]*FleetEntry) error {
		e, ok := entries[name]
		if !ok {
			e = &FleetEntry{}
		}
		if err := fn(e); err != nil {
			return err
		}
		entries[name] = e
		return nil
	})
}

// Rename moves the entry of old to new (nothing when old has none).
func (fl *Fleet) Rename(ctx context.Context, old, new string) error {
	if _, ok := fl.entries[old]; !ok {
		if err := fl.read(); err != nil {
			return err
		}
		if _, ok := fl.entries[old]; !ok {
			return nil
		}
	}
	return fl.Update(ctx, func(entries map[string]*FleetEntry) error {
		if e, ok := entries[old]; ok {
			delete(entries, old)
			entries[new] = e
		}
		return nil
	})
}

// Delete removes the entry of name (nothing when it has none).
func (fl *Fleet) Delete(ctx context.Context, name string) error {
	if _, ok := fl.entries[name]; !ok {
		if err := fl.read(); err != nil {
			return err
		}
		if _, ok := fl.entries[name]; !ok {
			return nil
		}
	}
	return fl.Update(ctx, func(entries map[string]*FleetEntry) error {
		delete(entries, name)
		return nil
	})
}

func (fl *Fleet) marshal() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(fleetHeader)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(fleetFile{Contexts: fl.entries}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ParseLabelArgs parses "k=v" (set) and "k-" (remove) arguments as kubectl
// label does.
func ParseLabelArgs(args []string) (set map[string]string, remove []string, err error) {
	set = map[string]string{}
	for _, a := range args {
		switch {
		case strings.HasSuffix(a, "-") && !strings.Contains(a, "="):
			k := strings.TrimSuffix(a, "-")
			if err := validKey(k); err != nil {
				return nil, nil, err
			}
			remove = append(remove, k)
		case strings.Contains(a, "="):
			k, v, _ := strings.Cut(a, "=")
			if err := validKey(k); err != nil {
				return nil, nil, err
			}
			if strings.ContainsAny(v, "=!(), ") {
				return nil, nil, fmt.Errorf("bad label value %q in %q", v, a)
			}
			set[k] = v
		default:
			return nil, nil, fmt.Errorf("bad label %q: use key=value to set, key- to remove", a)
		}
	}
	return set, remove, nil
}

// syntaxErrorLine is the line a yaml.v3 syntax error is about
// (yamlline.ProblemLine, shared with workflow files).
func syntaxErrorLine(data []byte, reported int, msg string) int {
	line, _ := yamlline.ProblemLine(data, reported, msg)
	return line
}
