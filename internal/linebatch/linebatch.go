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
// for concurrent use.
type Batch struct {
	mu    sync.Mutex
	w     io.Writer
	delay time.Duration
	buf   []byte // lines waiting
	armed bool   // a tick is due: lines wait for it
	tick  timer  // runs onTick after delay once reset
}

// timer is the part of *time.Timer a Batch uses.
type timer interface {
	Reset(d time.Duration) bool
}

// New returns a Batch writing to w, whose lines wait at most delay.
func New(w io.Writer, delay time.Duration) *Batch {
	b := &Batch{w: w, delay: delay}
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
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	switch {
	case !b.armed:
		_ = b.flushLocked()
		b.armed = true
		b.tick.Reset(b.delay)
	case len(b.buf) >= MaxWaiting:
		_ = b.flushLocked()
	}
}

// onTick writes the lines that waited and keeps the batch armed while
// lines keep coming; with none waiting, the next line goes out at once.
func (b *Batch) onTick() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf) == 0 {
		b.armed = false
		return
	}
	_ = b.flushLocked()
	b.tick.Reset(b.delay)
}

// Write writes p at once, after the lines waiting, in one write.
func (b *Batch) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf) == 0 {
		return b.w.Write(p)
	}
	b.buf = append(b.buf, p...)
	if err := b.flushLocked(); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes the lines waiting.
func (b *Batch) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *Batch) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	if cap(b.buf) > 2*MaxWaiting {
		b.buf = nil // the buffer of one large write is not kept
	} else {
		b.buf = b.buf[:0]
	}
	return err
}
