package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSeenRecordsReachableContextsOnly(t *testing.T) {
	dir := t.TempDir()
	s, err := LoadSeen(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Get("bus-17"); !got.IsZero() {
		t.Fatalf("fresh store: Get = %v, want the zero time", got)
	}
	t1 := time.Date(2026, 11, 23, 4, 5, 6, 700, time.UTC)
	err = s.Record(t.Context(), []Result{{Context: "bus-17", Reachable: true}, {Context: "bus-18", Reason: "timeout"}}, t1)
	if err != nil {
		t.Fatal(err)
	}
	t2 := t1.Add(time.Hour)
	if err := s.Record(t.Context(), []Result{{Context: "bus-17", Reason: "refused"}, {Context: "bus-18", Reachable: true}}, t2); err != nil {
		t.Fatal(err)
	}

	again, err := LoadSeen(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{"bus-17": t1.Truncate(time.Second), "bus-18": t2.Truncate(time.Second), "bus-19": {}}
	for name, w := range want {
		if got := again.Get(name); !got.Equal(w) {
			t.Errorf("Get(%q) = %v, want %v", name, got, w)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, SeenFileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("seen.json mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestSeenRenameAndForget(t *testing.T) {
	s, _ := LoadSeen(t.TempDir())
	now := time.Date(2026, 11, 23, 4, 5, 6, 0, time.UTC)
	if err := s.Record(t.Context(), []Result{{Context: "a", Reachable: true}, {Context: "b", Reachable: true}}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename(t.Context(), "a", "bus-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Forget(t.Context(), "b"); err != nil {
		t.Fatal(err)
	}
	again, _ := LoadSeen(filepath.Dir(s.Path()))
	if !again.Get("bus-1").Equal(now) || !again.Get("a").IsZero() || !again.Get("b").IsZero() {
		t.Errorf("after rename a->bus-1 and forget b: bus-1 %v, a %v, b %v", again.Get("bus-1"), again.Get("a"), again.Get("b"))
	}
}

// TestSeenConcurrentRecordsKeepEveryContext has stores that loaded the
// same empty file record different contexts at once: none is lost.
func TestSeenConcurrentRecordsKeepEveryContext(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 23, 4, 5, 6, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range 16 {
		s, err := LoadSeen(dir)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			errs[i] = s.Record(t.Context(), []Result{{Context: fmt.Sprintf("bus-%d", i), Reachable: true}}, now)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s, _ := LoadSeen(dir)
	for i := range 16 {
		if s.Get(fmt.Sprintf("bus-%d", i)).IsZero() {
			t.Errorf("bus-%d was lost", i)
		}
	}
}

func TestSeenBrokenFileIsNamedThenReplacedWithBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, SeenFileName)
	if err := os.WriteFile(path, []byte("{\"contexts\": {\"bus-1\": "), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSeen(dir)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("LoadSeen of a broken file: err = %v, want one naming %s", err, path)
	}
	if err := s.Record(t.Context(), []Result{{Context: "bus-2", Reachable: true}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	again, err := LoadSeen(dir)
	if err != nil || again.Get("bus-2").IsZero() {
		t.Errorf("after Record over a broken file: err %v, bus-2 %v", err, again.Get("bus-2"))
	}
	if _, err := os.Stat(path + ".fogctl.bak"); err != nil {
		t.Errorf("the broken file was not kept as a backup: %v", err)
	}
}
