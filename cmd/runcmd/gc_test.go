package runcmd

import (
	"runtime"
	"testing"
	"time"
)

// TestWatchLiveHeap: the GC watcher fires after a collection that leaves
// more than its limit live, and not while the live heap stays below it.
func TestWatchLiveHeap(t *testing.T) {
	big := make(chan struct{})
	small := make(chan struct{})
	watchLiveHeap(1<<20, func() { close(big) })
	watchLiveHeap(1<<40, func() { close(small) })
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
