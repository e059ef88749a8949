package devserver

import (
	"io"
	"sync"
	"time"
)

// output is the dev server's terminal output. A request's log line is
// written at once when the output has been quiet for lineDelay; otherwise
// it waits, at most lineDelay, to be written together with the lines that
// follow it, so that a server under load makes one write every lineDelay
// rather than one per request. Everything else (error reports, the routes'
// log records) is written at once, after the lines waiting, so the order of
// the output stays the order of events. It is safe for concurrent use.
type output struct {
	mu    sync.Mutex
	w     io.Writer
	buf   []byte // lines waiting
	armed bool   // a tick is scheduled: lines wait for it
	tick  *time.Timer
}

// lineDelay bounds how long a request's log line waits to be written with
// others.
const lineDelay = 10 * time.Millisecond

// newOutput returns the output writing to w; an output is returned as it
// is.
func newOutput(w io.Writer) *output {
	if o, ok := w.(*output); ok {
		return o
	}
	o := &output{w: w}
	o.tick = time.AfterFunc(time.Hour, o.onTick)
	o.tick.Stop()
	return o
}

// line writes a request's log line (without its newline).
func (o *output) line(s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.armed {
		o.buf = append(append(o.buf, s...), '\n')
		return
	}
	o.buf = append(append(o.buf, s...), '\n')
	o.flushLocked()
	o.armed = true
	o.tick.Reset(lineDelay)
}

// onTick writes the lines that waited, and keeps the output armed while
// lines keep coming.
func (o *output) onTick() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.buf) == 0 {
		o.armed = false
		return
	}
	o.flushLocked()
	o.tick.Reset(lineDelay)
}

// Write writes p at once, after the lines waiting, in one write.
func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.buf) == 0 {
		return o.w.Write(p)
	}
	o.buf = append(o.buf, p...)
	err := o.flushLocked()
	return len(p), err
}

// Flush writes the lines waiting.
func (o *output) Flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	_ = o.flushLocked()
}

func (o *output) flushLocked() error {
	if len(o.buf) == 0 {
		return nil
	}
	_, err := o.w.Write(o.buf)
	if cap(o.buf) > 64<<10 {
		o.buf = nil // a burst's buffer is not kept
	} else {
		o.buf = o.buf[:0]
	}
	return err
}
