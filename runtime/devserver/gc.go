package devserver

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// The dev server's heap is small (a few megabytes for most apps) and every
// request allocates a few kilobytes, so that with Go's default GOGC=100
// the collector runs tens of times a second under load, each cycle waking
// its workers: measured, about 4 µs of CPU per request, more than the dev
// server's own work. tuneGC gives the collector four times the room
// (GOGC=400) while the live heap stays under gcRoomyHeap, and Go's default
// above it, so that an app holding a large heap does not grow five times
// its size. GOGC, when set, is the user's choice and is left alone.
const (
	gcRoomyPercent = 400
	gcRoomyHeap    = 256 << 20 // live heap up to which GOGC is 400
	gcTightHeap    = 192 << 20 // live heap below which it is 400 again
)

// tuneGC applies the dev server's GOGC (see above), checking the live heap
// after every collection (no work while the server is idle). It returns
// nil when GOGC is set.
func tuneGC() *gcTuner {
	if os.Getenv("GOGC") != "" {
		return nil
	}
	t := &gcTuner{sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}, percent: gcRoomyPercent}
	debug.SetGCPercent(t.percent)
	t.arm()
	return t
}

// gcTuner sets GOGC from the live heap after each collection.
type gcTuner struct {
	mu      sync.Mutex // cleanups may run at once
	sample  []metrics.Sample
	percent int
	checks  atomic.Int64 // collections checked after
}

// gcSentinel is an object that lives until the next collection.
type gcSentinel struct{ _ [32]byte }

// arm runs check after the next collection.
func (t *gcTuner) arm() {
	runtime.AddCleanup(new(gcSentinel), func(t *gcTuner) { t.check(); t.arm() }, t)
}

func (t *gcTuner) check() {
	t.checks.Add(1)
	t.mu.Lock()
	defer t.mu.Unlock()
	metrics.Read(t.sample)
	if t.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	if p := gcPercentFor(t.sample[0].Value.Uint64(), t.percent); p != t.percent {
		t.percent = p
		debug.SetGCPercent(p)
	}
}

// gcPercentFor returns the GOGC for a live heap of live bytes, from the
// current one (a margin between the two bounds keeps it from flapping).
func gcPercentFor(live uint64, current int) int {
	switch {
	case live > gcRoomyHeap:
		return 100
	case live < gcTightHeap:
		return gcRoomyPercent
	}
	return current
}
