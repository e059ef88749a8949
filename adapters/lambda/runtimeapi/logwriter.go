package runtimeapi

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"time"
)

// syncWriter serialises writes to one destination shared by every process
// of every pool writing to it.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) write(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w.Write(p)
}

// lineWriter writes what one process prints to dst a whole line at a time,
// each line starting with prefix.
type lineWriter struct {
	dst    *syncWriter
	prefix []byte
	mu     sync.Mutex
	buf    []byte
}

// maxLine bounds a line held back while waiting for its newline.
const maxLine = 64 << 10

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.buf = append(l.buf, p...)
			if len(l.buf) >= maxLine {
				l.emit(append(l.buf, '\n'))
				l.buf = l.buf[:0]
			}
			break
		}
		l.buf = append(l.buf, p[:i+1]...)
		l.emit(l.buf)
		l.buf = l.buf[:0]
		p = p[i+1:]
	}
	return n, nil
}

// Close writes out an unterminated last line.
func (l *lineWriter) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(append(l.buf, '\n'))
		l.buf = l.buf[:0]
	}
	return nil
}

func (l *lineWriter) emit(line []byte) {
	out := make([]byte, 0, len(l.prefix)+len(line))
	out = append(out, l.prefix...)
	out = append(out, line...)
	l.dst.write(out)
}

// LineBatch is a log's output that writes request log lines in as few
// writes as their pace allows: a line that comes after a quiet moment (no
// line for Delay) is written at once; one that follows closely waits, at
// most Delay or until MaxBatch bytes wait, to go out in one write with the
// lines after it. Under load a server thus writes its request log once per
// Delay instead of once per request, while a request made alone is logged
// as it happens. Everything else (Write: errors, the functions' output)
// goes out at once, after the lines waiting, so that the output keeps the
// order of events. A LineBatch is safe for concurrent use.
type LineBatch struct {
	mu    sync.Mutex
	w     io.Writer
	delay time.Duration
	buf   []byte     // lines waiting
	armed bool       // a tick is due: lines wait for it
	tick  batchTimer // runs onTick after delay once reset
}

// batchTimer is the part of *time.Timer a LineBatch uses.
type batchTimer interface {
	Reset(d time.Duration) bool
}

// MaxBatch is how many bytes of lines may wait: more go out at once.
const MaxBatch = 32 << 10

// NewLineBatch returns a LineBatch writing to w, whose lines wait at most
// delay.
func NewLineBatch(w io.Writer, delay time.Duration) *LineBatch {
	b := &LineBatch{w: w, delay: delay}
	t := time.AfterFunc(time.Hour, b.onTick)
	t.Stop()
	b.tick = t
	return b
}

// Line writes a request log line (p ends with its newline): at once after
// a quiet moment, else with the lines that follow.
func (b *LineBatch) Line(p []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	switch {
	case !b.armed:
		b.flushLocked()
		b.armed = true
		b.tick.Reset(b.delay)
	case len(b.buf) >= MaxBatch:
		b.flushLocked()
	}
}

// onTick writes the lines that waited and keeps the batch armed while
// lines keep coming; with none waiting, the next line goes out at once.
func (b *LineBatch) onTick() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf) == 0 {
		b.armed = false
		return
	}
	b.flushLocked()
	b.tick.Reset(b.delay)
}

// Write writes p at once, after the lines waiting, in one write.
func (b *LineBatch) Write(p []byte) (int, error) {
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
func (b *LineBatch) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *LineBatch) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	if cap(b.buf) > 2*MaxBatch {
		b.buf = nil // the buffer of one large write is not kept
	} else {
		b.buf = b.buf[:0]
	}
	if err != nil {
		return fmt.Errorf("runtimeapi: writing the log: %w", err)
	}
	return nil
}
