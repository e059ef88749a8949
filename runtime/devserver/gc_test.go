package devserver

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	for _, tt := range []struct {
		live    uint64
		current int
		want    int
	}{
		{4 << 20, 100, 400},
		{4 << 20, 400, 400},
		{200 << 20, 400, 400}, // between the bounds: as it was
		{200 << 20, 100, 100},
		{300 << 20, 400, 100},
		{100 << 20, 100, 400},
	} {
		if got := gcPercentFor(tt.live, tt.current); got != tt.want {
			t.Errorf("gcPercentFor(%d MB, %d) = %d, want %d", tt.live>>20, tt.current, got, tt.want)
		}
	}
}

// TestTuneGC: with GOGC set the dev server leaves it alone; unset, GOGC
// is 400 and the tuner checks the live heap after each collection, setting
// 400 again for a small heap.
func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150)
	if tuneGC() != nil {
		t.Error("a tuner with GOGC set")
	}
	if p := debug.SetGCPercent(150); p != 150 {
		t.Errorf("with GOGC=150 set, GOGC became %d", p)
	}

	t.Setenv("GOGC", "")
	tuner := tuneGC()
	if p := debug.SetGCPercent(gcRoomyPercent); p != gcRoomyPercent {
		t.Errorf("GOGC = %d, want %d", p, gcRoomyPercent)
	}
	deadline := time.Now().Add(5 * time.Second)
	for tuner.checks.Load() < 2 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := tuner.checks.Load(); n < 2 {
		t.Fatalf("the tuner checked after %d collections, want every one", n)
	}
	tuner.mu.Lock()
	tuner.percent = 100 // as after a large heap
	tuner.mu.Unlock()
	tuner.check()
	if p := debug.SetGCPercent(gcRoomyPercent); p != gcRoomyPercent {
		t.Errorf("after a check with a small heap, GOGC = %d, want %d", p, gcRoomyPercent)
	}
}
