package devloop

import "time"

// Restart policy for a dev server that exits on its own (a route called
// os.Exit, a fatal error): it is always started again, after a delay that
// doubles with each crash within the window, from RestartBase up to
// RestartMax. A server that stays up for a whole window starts afresh.
const (
	RestartBase   = 50 * time.Millisecond
	RestartMax    = 5 * time.Second
	RestartWindow = 30 * time.Second
)

// backoff counts crashes within a sliding time window.
type backoff struct {
	base, max, window time.Duration
	crashes           []time.Time
}

func newBackoff() *backoff {
	return &backoff{base: RestartBase, max: RestartMax, window: RestartWindow}
}

// next records a crash at now and returns how long to wait before the
// restart, and how many crashes the window holds.
func (b *backoff) next(now time.Time) (time.Duration, int) {
	kept := b.crashes[:0]
	for _, t := range b.crashes {
		if now.Sub(t) < b.window {
			kept = append(kept, t)
		}
	}
	b.crashes = append(kept, now)
	n := len(b.crashes)
	d := b.base
	for i := 1; i < n && d < b.max; i++ {
		d *= 2
	}
	return min(d, b.max), n
}

// reset forgets past crashes (after a rebuild).
func (b *backoff) reset() { b.crashes = b.crashes[:0] }
