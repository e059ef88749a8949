package devloop

import (
	"testing"
	"time"
)

// TestBackoff: the delay doubles with each crash within the window, is
// capped, and starts afresh once crashes fall out of the window.
func TestBackoff(t *testing.T) {
	b := &backoff{base: 100 * time.Millisecond, max: time.Second, window: 10 * time.Second}
	t0 := time.Unix(1000, 0)
	steps := []struct {
		at    time.Duration
		delay time.Duration
		n     int
	}{
		{0, 100 * time.Millisecond, 1},
		{time.Second, 200 * time.Millisecond, 2},
		{2 * time.Second, 400 * time.Millisecond, 3},
		{3 * time.Second, 800 * time.Millisecond, 4},
		{4 * time.Second, time.Second, 5},
		{5 * time.Second, time.Second, 6},
		{15500 * time.Millisecond, 100 * time.Millisecond, 1}, // the others are older than the window
		{16 * time.Second, 200 * time.Millisecond, 2},
	}
	for _, s := range steps {
		d, n := b.next(t0.Add(s.at))
		if d != s.delay || n != s.n {
			t.Errorf("crash at +%s: delay %s, %d in window; want %s, %d", s.at, d, n, s.delay, s.n)
		}
	}
	b.reset()
	if d, n := b.next(t0.Add(17 * time.Second)); d != 100*time.Millisecond || n != 1 {
		t.Errorf("after reset: %s, %d", d, n)
	}
}
