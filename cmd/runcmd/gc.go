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
		watchLiveHeap(gcSmallHeap, gcPercentSmall, func() { debug.SetGCPercent(100) })
	})
}

// watchLiveHeap calls over once, after the first collection that leaves
// more than limit bytes live, GOGC being gcPercent. It needs no goroutine
// of its own: a cleanup on a fresh object runs after each collection and
// arms the next. The live heap is what the collection marked, read from
// the heap goal it set (marked and roots times 1+GOGC/100), as
// runtime/metrics' /gc/heap/live:bytes would give it: MemStats.HeapAlloc
// would count the garbage not swept yet too, several times the live heap
// while a run allocates fast, and runtime/metrics costs every process
// 0.03 ms of initialisation (measured here) that a run that never
// collects would pay for nothing.
func watchLiveHeap(limit uint64, gcPercent int, over func()) {
	var arm func()
	arm = func() {
		runtime.AddCleanup(new([64]byte), func(struct{}) {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.NextGC*100/uint64(100+gcPercent) > limit {
				over()
				return
			}
			arm()
		}, struct{}{})
	}
	arm()
}
