package devserver

import (
	"io"
	"sync"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/mux"
)

// batch writes to w what is added to it, in as few writes as the pace of
// additions allows: an addition after a quiet moment (no write for delay)
// is written at once; one that follows closely waits, at most delay (or
// until batchSize bytes wait), to be written together with those after it. A server under load thus makes one
// write every delay instead of one per request, while a request made alone
// is written as it happens. It is safe for concurrent use.
type batch struct {
	mu    sync.Mutex
	w     io.Writer
	delay time.Duration
	buf   []byte // what waits
	armed bool   // a tick is scheduled: additions wait for it
	tick  *time.Timer
}

func newBatch(w io.Writer, delay time.Duration) *batch {
	b := &batch{w: w, delay: delay}
	b.tick = time.AfterFunc(time.Hour, b.onTick)
	b.tick.Stop()
	return b
}

// batchSize is how much may wait: more is written at once.
const batchSize = 32 << 10

// add writes p, at once or with what follows it.
func (b *batch) add(p []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	switch {
	case !b.armed:
		_ = b.flushLocked()
		b.armed = true
		b.tick.Reset(b.delay)
	case len(b.buf) >= batchSize:
		_ = b.flushLocked()
	}
}

// onTick writes what waited, and keeps the batch armed while additions
// keep coming.
func (b *batch) onTick() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf) == 0 {
		b.armed = false
		return
	}
	_ = b.flushLocked()
	b.tick.Reset(b.delay)
}

// Write writes p at once, after what waits, in one write.
func (b *batch) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf) == 0 {
		return b.w.Write(p)
	}
	b.buf = append(b.buf, p...)
	err := b.flushLocked()
	return len(p), err
}

// Flush writes what waits.
func (b *batch) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.flushLocked()
}

func (b *batch) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	if cap(b.buf) > 2*batchSize {
		b.buf = nil // the buffer of one large addition is not kept
	} else {
		b.buf = b.buf[:0]
	}
	return err
}

// output is the dev server's terminal output: a request's log line is
// batched (lineDelay); everything else (error reports, the routes' log
// records) is written at once, after the lines waiting, so the order of the
// output stays the order of events.
type output struct{ *batch }

// lineDelay bounds how long a request's log line waits to be written with
// others.
const lineDelay = 10 * time.Millisecond

// newOutput returns the output writing to w; an output is returned as it
// is.
func newOutput(w io.Writer) output {
	if o, ok := w.(output); ok {
		return o
	}
	return output{newBatch(w, lineDelay)}
}

// entry writes the request log line of e (FormatEntry, or
// FormatEntryColor when color is set).
func (o output) entry(e mux.Entry, color bool) {
	var a [256]byte
	o.add(append(appendEntry(a[:0], e, color), '\n'))
}
