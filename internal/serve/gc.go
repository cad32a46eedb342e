package serve

import (
	"runtime"
	"runtime/metrics"
	"sync/atomic"
)

// liveHeapMetric is the heap the last collection found alive, in bytes.
const liveHeapMetric = "/gc/heap/live:bytes"

// followLiveHeap calls set with the live heap now, and again after every
// garbage collection until stop is called: a finalizer on an object that
// nothing references runs after each collection that frees it, and the
// finalizer sets itself again on the same object.
func followLiveHeap(set func(live uint64)) (stop func()) {
	f := &gcFollower{set: set}
	set(liveHeap())
	runtime.SetFinalizer(&gcSentinel{}, f.collected)
	return func() { f.stopped.Store(true) }
}

// gcSentinel is 16 bytes, so that the runtime allocates it on its own:
// it may never run the finalizer of a zero-sized object, and runs that
// of a smaller one only once every object sharing its memory block is
// unreachable too.
type gcSentinel struct{ _ [16]byte }

type gcFollower struct {
	set     func(live uint64)
	stopped atomic.Bool
}

func (f *gcFollower) collected(s *gcSentinel) {
	if f.stopped.Load() {
		return
	}
	f.set(liveHeap())
	runtime.SetFinalizer(s, f.collected)
}

func liveHeap() uint64 {
	sample := []metrics.Sample{{Name: liveHeapMetric}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0 // an older runtime without the metric: the minimum limit holds
	}
	return sample[0].Value.Uint64()
}
