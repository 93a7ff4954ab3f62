package runcmd

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestWatchLiveHeap: the GC watcher fires after a collection that leaves
// more than its limit live, and not while the live heap stays below it.
func TestWatchLiveHeap(t *testing.T) {
	big := make(chan struct{})
	small := make(chan struct{})
	watchLiveHeap(1<<20, 100, func() { close(big) })
	watchLiveHeap(1<<40, 100, func() { close(small) })
	live := make([]byte, 8<<20)
	for i := range live {
		live[i] = byte(i)
	}
	deadline := time.Now().Add(30 * time.Second)
	for fired := false; !fired; {
		if time.Now().After(deadline) {
			t.Fatal("no call 30 s after collections with 8 MiB live and a 1 MiB limit")
		}
		runtime.GC()
		select {
		case <-big:
			fired = true
		case <-time.After(50 * time.Millisecond): // cleanups run after the collection, on their own goroutine
		}
	}
	runtime.KeepAlive(live)
	select {
	case <-small:
		t.Error("called with a 1 TiB limit")
	default:
	}
}

// TestWatchLiveHeapIgnoresGarbage: a run that allocates fast while little
// stays live keeps GOGC=400: collections that leave 4 MiB more live among
// gigabytes of garbage do not call the watcher with a limit 64 MiB above
// what the test process already holds. (What a collection counts as live
// includes what was allocated while it marked: 12-15 MiB here, measured,
// so the limit leaves room for that.)
func TestWatchLiveHeapIgnoresGarbage(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	held := ms.NextGC * 100 / 500 // what earlier tests left live
	called := make(chan struct{})
	watchLiveHeap(held+64<<20, 400, func() { close(called) })
	live := make([]byte, 4<<20)
	start := ms.NumGC
	// Allocate in 32 KiB pieces, 2 MiB kept at a time, until ten
	// collections have run (at most 16 GiB).
	var sink [][]byte
	for i := 0; i < 1<<19; i++ {
		sink = append(sink, make([]byte, 32<<10))
		if len(sink) == 64 {
			sink = sink[:0]
			runtime.ReadMemStats(&ms)
			if ms.NumGC-start >= 10 {
				break
			}
		}
	}
	runtime.KeepAlive(live)
	if n := ms.NumGC - start; n < 10 {
		t.Fatalf("only %d collections while allocating 16 GiB", n)
	}
	select {
	case <-called:
		t.Error("called with 4 MiB more live and a limit 64 MiB above what was held")
	default:
	}
}
