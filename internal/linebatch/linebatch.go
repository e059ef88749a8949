// Package linebatch writes a server's log lines in as few writes as their
// pace allows: `nextgo dev`'s request log and its reports to the CLI,
// `nextgo start`'s request log.
//
// A line written after a quiet moment (no line for the batch's delay) goes
// out at once; lines that follow it closely wait, at most the delay (or
// until MaxWaiting bytes wait), and go out together. Under load a server
// thus writes once per delay instead of once per request, while a request
// made alone is logged as it happens. Everything else (Write: error
// reports, a function's output) goes out at once, after the lines waiting,
// in one write, so that the output keeps the order of events.
package linebatch

import (
	"io"
	"sync"
	"time"
)

// RequestLogDelay is how long a request's log line may wait to go out with
// the lines of the requests that follow it, in `nextgo dev` and `nextgo
// start` alike: short enough to read as live.
const RequestLogDelay = 10 * time.Millisecond

// MaxWaiting is how many bytes of lines may wait: more go out at once.
const MaxWaiting = 32 << 10

// Batch is a writer of lines (see the package documentation). It is safe
// for concurrent use. Lines are written outside the lock that adding a line
// takes, so that a request never waits for another's write.
type Batch struct {
	mu    sync.Mutex // guards buf, spare and armed
	wmu   sync.Mutex // held for a write; taken with mu held, so writes keep the lines' order
	w     io.Writer
	delay time.Duration
	max   int    // bytes of lines that go out at once
	buf   []byte // lines waiting
	spare []byte // a written buffer, for the next lines
	armed bool   // a tick is due: lines wait for it
	tick  timer  // runs onTick after delay once reset
}

// timer is the part of *time.Timer a Batch uses.
type timer interface {
	Reset(d time.Duration) bool
}

// New returns a Batch writing to w, whose lines wait at most delay, or
// until MaxWaiting bytes wait.
func New(w io.Writer, delay time.Duration) *Batch { return NewSize(w, delay, MaxWaiting) }

// NewSize returns a Batch writing to w, whose lines wait at most delay, or
// until max bytes wait: for a reader that had better wake seldom (a pipe
// with room for max).
func NewSize(w io.Writer, delay time.Duration, max int) *Batch {
	b := &Batch{w: w, delay: delay, max: max}
	t := time.AfterFunc(time.Hour, b.onTick)
	t.Stop()
	b.tick = t
	return b
}

// Line writes a line (p ends with its newline): at once after a quiet
// moment, else with the lines that follow. A write error is dropped: the
// next write reports its own.
func (b *Batch) Line(p []byte) {
	b.mu.Lock()
	b.buf = append(b.buf, p...)
	var out []byte
	switch {
	case !b.armed:
		out = b.takeLocked()
		b.armed = true
		b.tick.Reset(b.delay)
	case len(b.buf) >= b.max:
		out = b.takeLocked()
	}
	b.mu.Unlock()
	if out != nil {
		_ = b.write(out)
	}
}

// onTick writes the lines that waited and keeps the batch armed while
// lines keep coming; with none waiting, the next line goes out at once.
func (b *Batch) onTick() {
	b.mu.Lock()
	if len(b.buf) == 0 {
		b.armed = false
		b.mu.Unlock()
		return
	}
	out := b.takeLocked()
	b.tick.Reset(b.delay)
	b.mu.Unlock()
	_ = b.write(out)
}

// Write writes p at once, after the lines waiting, in one write.
func (b *Batch) Write(p []byte) (int, error) {
	b.mu.Lock()
	if len(b.buf) == 0 {
		b.wmu.Lock()
		b.mu.Unlock()
		defer b.wmu.Unlock()
		return b.w.Write(p)
	}
	b.buf = append(b.buf, p...)
	out := b.takeLocked()
	b.mu.Unlock()
	if err := b.write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes the lines waiting, and returns once every line given
// before it is written.
func (b *Batch) Flush() error {
	b.mu.Lock()
	out := b.takeLocked()
	b.mu.Unlock()
	if out == nil {
		b.wmu.Lock() // a write under way ends first
		b.wmu.Unlock()
		return nil
	}
	return b.write(out)
}

// takeLocked, with b.mu held, takes the lines waiting (nil when none) and
// b.wmu, which write releases: the caller writes them after releasing b.mu.
func (b *Batch) takeLocked() []byte {
	if len(b.buf) == 0 {
		return nil
	}
	b.wmu.Lock()
	out := b.buf
	b.buf, b.spare = b.spare[:0], nil
	return out
}

// write writes out, taken by takeLocked, releases b.wmu and keeps out's
// buffer for the lines to come (not the buffer of one large write).
func (b *Batch) write(out []byte) error {
	_, err := b.w.Write(out)
	b.wmu.Unlock()
	if cap(out) <= 2*b.max {
		b.mu.Lock()
		if b.spare == nil {
			b.spare = out[:0]
		}
		b.mu.Unlock()
	}
	return err
}
