package runcmd

import (
	"os"
	"runtime"
	"runtime/debug"
	"sync"
)

// Garbage collection of a run's process. A `fogctl run` process lives for
// one run and most of its heap is garbage made along the way (requests,
// responses, merges), so it lets the heap grow to five times what is live
// (GOGC=400) while that is small: on a layered 1000-node DAG at 0 ms this
// took the process from 1.18x to 1.05x the floor's time (measured here),
// and a 10,000-node run's RSS from 40 to 51-61 MB. Once the live heap
// passes gcSmallHeap the default (GOGC=100) is back, so a run with large
// outputs keeps the memory it would have had. GOGC or GOMEMLIMIT in the
// environment leave all of it to the operator.
const (
	gcPercentSmall = 400
	gcSmallHeap    = 32 << 20 // live bytes
)

var tuneGCOnce sync.Once

// tuneGC sets the run's GC policy, once per process.
func tuneGC() {
	tuneGCOnce.Do(func() {
		if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
			return
		}
		debug.SetGCPercent(gcPercentSmall)
		watchLiveHeap(gcSmallHeap, func() { debug.SetGCPercent(100) })
	})
}

// watchLiveHeap calls over once, after the first collection that leaves
// more than limit bytes live. It needs no goroutine of its own: a cleanup
// on a fresh object runs after each collection and arms the next. The
// heap it reads is what the collection left and what was allocated since,
// a moment later: runtime/metrics would give the live bytes alone, but
// its initialisation costs every process 0.03 ms (measured here), which
// a run that never collects would pay for nothing.
func watchLiveHeap(limit uint64, over func()) {
	var arm func()
	arm = func() {
		runtime.AddCleanup(new([64]byte), func(struct{}) {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > limit {
				over()
				return
			}
			arm()
		}, struct{}{})
	}
	arm()
}
